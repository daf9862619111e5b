"""Password hashing (argon2id) and the password policy: length, not composition."""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from array import array
from bisect import bisect_left
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
MIN_LENGTH = 8
MAX_LENGTH = 128

# Passwords seen in public breaches (data/README.md says where from): 412,520 of them,
# lower-cased. Held as the sorted first 8 bytes of each one's BLAKE2b digest in an array
# (3.3 MB, not the ~40 MB a set of strings would take), loaded at the first check, searched
# by bisection. A false match needs a 64-bit collision: never in practice.
_COMMON_FILE = Path(__file__).with_name("data") / "common-passwords.txt.gz"
_common: array | None = None
_common_lock = threading.Lock()
# Words a partnership's own staff might reach for; not in any breach list yet.
_LOCAL = ("homelog", "homelog1", "homelog123", "safeguarding", "safeguarding1")
_TRAILING = re.compile(r"[\d\W_]+$")
_SHORTEST_BASE = 4


def _key_bytes(word: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(word, digest_size=8).digest(), "big")


def _key(word: str) -> int:
    return _key_bytes(word.encode())


def common_passwords() -> array:
    """The breached-password list (loaded once, on first use)."""
    global _common
    if _common is None:
        with _common_lock:
            if _common is None:
                with gzip.open(_COMMON_FILE, "rb") as data:
                    words = data.read().split(b"\n")
                keys = array("Q", sorted(_key_bytes(word) for word in words if word))
                del words
                keys.extend(sorted(_key(word) for word in _LOCAL))
                _common = array("Q", sorted(keys))
    return _common


def _listed(word: str) -> bool:
    keys = common_passwords()
    key = _key(word)
    at = bisect_left(keys, key)
    return at < len(keys) and keys[at] == key


def is_common(password: str) -> bool:
    """Whether the password, ignoring case, is in the breached list, or is a listed word
    followed only by digits and symbols ("Summer2026", "Password1!")."""
    lowered = password.lower()
    if _listed(lowered):
        return True
    base = _TRAILING.sub("", lowered)
    return base != lowered and len(base) >= _SHORTEST_BASE and _listed(base)


COMMON_MESSAGE = ("This password is in lists of passwords that criminals try first. "
                  "Choose another: a few unrelated words make a strong one.")


def policy_problems(password: str, email: str = "") -> list[str]:
    """Why a new password is not acceptable (empty when it is)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if len(password) <= MAX_LENGTH and is_common(password):
        problems.append(COMMON_MESSAGE)
    if email and password.lower() in (email.lower(), email.lower().split("@")[0]):
        problems.append("Do not use your email address as your password.")
    return problems


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if password_hash.startswith("!"):  # no password set yet: nothing matches, as slowly
        spend_verification_time(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")


def spend_verification_time(password: str) -> None:
    """Take as long as a real check, so unknown emails cannot be told apart by timing."""
    verify_password(_DUMMY_HASH, password)
