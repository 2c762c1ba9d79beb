"""Saved models' ids and owner keys: random, so that neither can be guessed from another.

An id is public (links name it); the owner key is the secret that deleting needs. Both are 128 random bits as
URL-safe base64 (22 characters). The store keeps only the key's SHA-256: a copy of the database does not hand
out the keys. A plain hash suffices for 128 random bits; slow password hashes exist for guessable secrets.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")  # new ids, and the numbers (as text) of schema-1 models
KEY_BYTES = 16


def new_id() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def new_owner_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def key_hash(owner_key: str) -> str:
    return hashlib.sha256(owner_key.encode()).hexdigest()


def key_matches(owner_key: str | None, stored_hash: str | None) -> bool:
    """In constant time: the time taken says nothing about how much of a wrong key was right."""
    if not owner_key or not stored_hash:
        return False
    return hmac.compare_digest(key_hash(owner_key), stored_hash)


def client_hash(address: str) -> str:
    """What the database keeps of a client's address, for the save quota. Tidiness, not secrecy: every IPv4
    address can be hashed and matched."""
    return hashlib.sha256(f"backprop-lab client {address}".encode()).hexdigest()


def possible_id(model_id: object) -> bool:
    return isinstance(model_id, str) and ID_PATTERN.fullmatch(model_id) is not None
