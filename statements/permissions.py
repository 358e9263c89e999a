"""Who may do what: named yes/no questions, defined once.

Operations ask them before they change anything (and raise NotAllowed); templates ask
them to hide the buttons a user may not press. tests/test_permissions.py walks the matrix.
"""

from __future__ import annotations

from .models import User


def is_admin(user: User | None) -> bool:
    return user is not None and user.role == "admin"


def can_manage_users(user: User | None) -> bool:
    """Create accounts for others, change roles, assign moderators."""
    return is_admin(user)


def can_see_email(viewer: User | None, user: User) -> bool:
    """E-mail addresses are never public: only the user themself and admins see one."""
    return viewer is not None and (viewer.id == user.id or is_admin(viewer))
