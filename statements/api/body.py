"""Reading and checking JSON bodies: 400 for what is not JSON, 422 for what breaks a rule."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from ..errors import BadRequest, Invalid
from ..text.normalise import UnstorableText, check_storable

# Deeper than any body of the contract needs by far; deeper bodies are refused before
# anything walks them (the parser itself would run out of stack thousands deep).
MAX_DEPTH = 32


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def json_body() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise BadRequest(f"The body is nested more deeply than {MAX_DEPTH} levels.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise Invalid("The body must be a JSON object.")
    errors: dict[str, str] = {}
    for field, value in body.items():
        for item, depth in _walk(value):
            if depth > MAX_DEPTH:
                raise BadRequest(f"The body is nested more deeply than {MAX_DEPTH} levels.")
            if isinstance(item, str) and field not in errors:
                try:
                    check_storable(item)
                except UnstorableText as exc:
                    errors[field] = f"This field cannot be stored: {exc}."
        if field not in errors:
            try:
                check_storable(field)
            except UnstorableText as exc:
                errors[repr(field)] = f"This field name cannot be stored: {exc}."
    if errors:
        raise Invalid(errors=errors)
    return body


def _walk(value: object) -> list[tuple[object, int]]:
    """Every value and key inside ``value`` with its depth, walked without recursion so
    that no body can exhaust the stack here either."""
    seen: list[tuple[object, int]] = []
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        seen.append((item, depth))
        if depth > MAX_DEPTH:
            break
        if isinstance(item, dict):
            pending.extend((k, depth + 1) for k in item)
            pending.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            pending.extend((v, depth + 1) for v in item)
    return seen
