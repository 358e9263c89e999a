"""Who may do what: named yes/no questions, defined once.

Operations ask them before they change anything (and raise NotAllowed); templates ask
them to hide the buttons a user may not press. tests/test_permissions.py walks the matrix.
"""

from __future__ import annotations

from .models import Statement, User

PUBLISHED = frozenset({"endorsing", "closed"})


def is_admin(user: User | None) -> bool:
    return user is not None and user.role == "admin"


def can_manage_users(user: User | None) -> bool:
    """Create accounts for others, change roles, assign moderators."""
    return is_admin(user)


def can_see_email(viewer: User | None, user: User) -> bool:
    """E-mail addresses are never public: only the user themself and admins see one."""
    return viewer is not None and (viewer.id == user.id or is_admin(viewer))


def is_moderator_of(user: User | None, statement: Statement) -> bool:
    """Admins moderate every statement; anyone else only those they created or were
    assigned to. A moderator of another statement is just a delegate here."""
    if user is None:
        return False
    return is_admin(user) or any(m.user_id == user.id for m in statement.moderator_links)


def can_view(user: User | None, statement: Statement) -> bool:
    """Signed-in users see every statement, with its versions, diffs and attribution; the
    public only published ones."""
    return user is not None or statement.status in PUBLISHED


def can_create_statement(user: User | None) -> bool:
    return user is not None and user.role in {"moderator", "admin"}


def can_edit_text(user: User | None, statement: Statement) -> bool:
    return is_moderator_of(user, statement)


def can_move(user: User | None, statement: Statement) -> bool:
    return is_moderator_of(user, statement)


def can_edit_details(user: User | None, statement: Statement) -> bool:
    return is_moderator_of(user, statement)


def can_assign_moderators(user: User | None) -> bool:
    return is_admin(user)
