"""Paths on this site a request may lead back to, and nothing else (no open redirects)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_next(target: str | None) -> str | None:
    """``?next=`` only ever leads to a path on this site.

    Refused: other hosts (``//host``, ``/\\host``: browsers read a backslash as a
    slash), any scheme, and control characters (CR/LF could split headers).
    """
    if not target or not target.startswith("/") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def referrer_path() -> str | None:
    """The page this request came from, when it is a page of this site."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host:
        return None
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
