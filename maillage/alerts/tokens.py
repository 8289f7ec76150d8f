"""Credentials of a subscription: random URL-safe tokens, looked up by their SHA-256 when kept hashed."""

import hashlib
import re
import secrets

TOKEN_BYTES = 32
# `secrets.token_urlsafe(32)` gives 43 characters; anything else is refused before the database.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_well_formed(token: str) -> bool:
    return bool(TOKEN_PATTERN.fullmatch(token))
