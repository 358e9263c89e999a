"""Reading and checking JSON bodies: 400 for what is not JSON, 422 for what breaks a rule."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from ..errors import BadRequest, Invalid


def json_body() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise Invalid("The body must be a JSON object.")
    return body
