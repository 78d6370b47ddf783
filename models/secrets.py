"""Encryption at rest for third-party credentials (OAuth tokens, PKCE verifiers), keyed by TOKEN_ENCRYPTION_KEY."""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

import config


class SecretError(RuntimeError):
    """A stored secret cannot be decrypted (wrong key, or tampered)."""


def _fernet(settings: config.Settings) -> Fernet:
    # Fernet wants 32 url-safe base64 bytes; any configured key of 32+ bytes is stretched to that deterministically.
    digest = hashlib.sha256(settings.token_encryption_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str, settings: config.Settings | None = None) -> str:
    """Ciphertext of `value` (authenticated, with a random IV)."""
    return _fernet(settings or config.get_settings()).encrypt(value.encode()).decode()


def decrypt(token: str, settings: config.Settings | None = None) -> str:
    """The plaintext of a value from encrypt()."""
    try:
        return _fernet(settings or config.get_settings()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretError("stored secret cannot be decrypted with the configured key") from None
