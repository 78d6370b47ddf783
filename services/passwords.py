"""Password hashing (argon2id), with the same work whether or not the account exists."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2 import exceptions as argon2_errors

import config

_hashers: dict[bool, tuple[PasswordHasher, str]] = {}


def _hasher() -> tuple[PasswordHasher, str]:
    # The test suite hashes hundreds of passwords; production keeps argon2's recommended cost.
    cheap = config.get_settings().env == "test"
    if cheap not in _hashers:
        hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if cheap else PasswordHasher()
        # Verifying against this when the email is unknown keeps the time the same as for a wrong password.
        _hashers[cheap] = (hasher, hasher.hash(secrets.token_urlsafe(16)))
    return _hashers[cheap]


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; constant work whether or not the user exists."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (argon2_errors.VerificationError, argon2_errors.InvalidHashError):
        return False
