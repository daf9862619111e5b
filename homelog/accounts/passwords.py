"""Password hashing (argon2id) and the password policy: length, not composition."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
MIN_LENGTH = 8
MAX_LENGTH = 128

# The most common passwords in public breach lists; a full list can replace this file later.
_COMMON = frozenset(
    [
        "password",
        "password1",
        "password12",
        "password123",
        "passw0rd",
        "p@ssword",
        "p@ssw0rd",
        "12345678",
        "123456789",
        "1234567890",
        "11111111",
        "00000000",
        "12341234",
        "87654321",
        "qwertyui",
        "qwerty123",
        "qwertyuiop",
        "1q2w3e4r",
        "1qaz2wsx",
        "zaq12wsx",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome1",
        "welcome123",
        "letmein1",
        "abc12345",
        "abcd1234",
        "trustno1",
        "superman",
        "batman123",
        "monkey123",
        "dragon123",
        "starwars",
        "whatever",
        "computer",
        "internet",
        "liverpool",
        "chelsea1",
        "arsenal1",
        "manchester",
        "changeme",
        "changeme1",
        "administrator",
        "admin123",
        "homelog1",
        "homelog123",
        "qwerty12",
        "asdfghjk",
        "zxcvbnm1",
        "michael1",
        "jennifer",
    ]
)


def policy_problems(password: str, email: str = "") -> list[str]:
    """Why a new password is not acceptable (empty when it is)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in _COMMON:
        problems.append("This password is too common; choose another.")
    if email and lowered == email.lower():
        problems.append("Do not use your email address as your password.")
    return problems


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")


def spend_verification_time(password: str) -> None:
    """Take as long as a real check, so unknown emails cannot be told apart by timing."""
    verify_password(_DUMMY_HASH, password)
