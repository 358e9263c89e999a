"""Objects as the contract (API.md, "Objects") spells them."""

from __future__ import annotations

from typing import Any

from .. import permissions
from ..models import User


def person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "organisation": user.organisation}


def user_json(user: User, viewer: User | None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": user.id, "name": user.name,
                            "organisation": user.organisation, "role": user.role}
    if permissions.can_see_email(viewer, user):
        body["email"] = user.email
    return body
