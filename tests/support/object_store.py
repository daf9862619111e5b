"""A real S3-compatible server for the tests: moto's server mode, in its own process on a free
loopback port, with a bucket made the way a deployment makes one (private)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3

REGION = "eu-west-2"
# moto accepts any credentials; these are set for the app's boto3 chain as well.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "homelog-test", "AWS_SECRET_ACCESS_KEY": "homelog-test",
               "AWS_DEFAULT_REGION": REGION}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ObjectStoreServer:
    endpoint_url: str
    process: subprocess.Popen[bytes]

    def client(self):  # boto3's client classes are made at run time: no type to name
        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name=REGION,
                            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])

    def new_bucket(self) -> str:
        """A new private bucket, public access blocked, as docs/deploy.md sets one up."""
        name = f"homelog-photos-{uuid.uuid4().hex[:12]}"
        client = self.client()
        client.create_bucket(Bucket=name, CreateBucketConfiguration={
            "LocationConstraint": REGION})
        client.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})
        return name


def _wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the object store server stopped (exit {process.returncode})")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the object store server did not start on port {port}")


@contextmanager
def object_store_server() -> Iterator[ObjectStoreServer]:
    """Start moto's S3 server on loopback; stop it afterwards."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **CREDENTIALS}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        _wait_ready(port, process)
        yield ObjectStoreServer(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
