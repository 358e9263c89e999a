"""The service's Ed25519 signing key: the record's head, the JSON export and each receipt
are signed with it, and its public half is published as a JWK (RFC 8037).

``SIGNING_KEY`` (base64 of a 32-byte seed) is required in production; in development the
seed is generated once into the instance folder, as the secret key is. Old public keys
stay listed (``RETIRED_SIGNING_KEYS``: base64 of 32-byte public keys, comma-separated), so
signatures made before a rotation stay checkable.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app

from .chain import canonical


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def key_id(public: bytes) -> str:
    """A short, stable name for a public key: the start of its SHA-256."""
    return hashlib.sha256(public).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def kid(self) -> str:
        return key_id(self.public)

    def sign(self, message: bytes) -> dict[str, str]:
        return {"kid": self.kid, "alg": "EdDSA", "value": b64url(self.private.sign(message))}


@cache
def _key_from_seed(seed: bytes) -> SigningKey:
    return SigningKey(Ed25519PrivateKey.from_private_bytes(seed))


def current_key() -> SigningKey:
    return _key_from_seed(current_app.config["SIGNING_SEED"])


def sign_head(head: str) -> dict[str, str]:
    """The record's signature: over the ASCII bytes of its head hash."""
    return current_key().sign(head.encode("ascii"))


def sign_document(document: dict[str, Any]) -> dict[str, str]:
    """A document's signature: over canonical(document without "signature")."""
    return current_key().sign(canonical({k: v for k, v in document.items()
                                         if k != "signature"}))


def published_keys() -> dict[str, list[dict[str, str]]]:
    """``/.well-known/statements-keys.json``: the current key first, then retired ones."""
    publics = [current_key().public, *current_app.config["RETIRED_SIGNING_KEYS"]]
    return {"keys": [{"kid": key_id(raw), "kty": "OKP", "crv": "Ed25519", "use": "sig",
                      "x": b64url(raw)} for raw in publics]}


def verify(public: bytes, signature: str, message: bytes) -> bool:
    padded = signature + "=" * (-len(signature) % 4)
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(
            base64.urlsafe_b64decode(padded), message)
    except (ValueError, TypeError, Exception):  # InvalidSignature, bad base64 or key
        return False
    return True
