"""A real SMTP server (aiosmtpd) on a free loopback port, keeping what it receives."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """Every message the server accepted, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, *addresses: str) -> list[EmailMessage]:
        wanted = set(addresses)
        return [message for message in self.messages if message["To"] in wanted]


class SmtpServer:
    """`tls`: a context with the server's certificate; the server then refuses to take
    mail before STARTTLS."""

    def __init__(self, port: int, tls: ssl.SSLContext | None = None) -> None:
        self.port = port
        self.mailbox = Mailbox()
        options: dict[str, Any] = {"tls_context": tls, "require_starttls": True} if tls else {}
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port, **options)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


