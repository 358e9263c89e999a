"""The permission matrix: every role × every statement status × every action, answered
through the real API so that permission (403), visibility (404) and state (409) are
all checked where they are decided."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask

from statements import rules
from statements.models import Statement, StatementModerator, User
from statements.rules import MOVES, RULES, TEXT_EDITABLE, StatementStatus
from tests.factories import SAMPLE_TEXT, ApiClient, api_as, make_statement, make_user

ROLES = ("anonymous", "delegate", "other_moderator", "moderator", "admin")
PUBLISHED = {"endorsing", "closed"}


def _callers(app: Flask, moderator: User) -> dict[str, ApiClient]:
    return {
        "anonymous": ApiClient(app.test_client()),
        "delegate": api_as(app, make_user(app)),
        "other_moderator": api_as(app, make_user(app, "moderator")),
        "moderator": api_as(app, moderator),
        "admin": api_as(app, make_user(app, "admin")),
    }


def _expected(action: str, role: str, status: str) -> int:
    visible = role != "anonymous" or status in PUBLISHED
    runs_it = role in {"moderator", "admin"}
    if action in {"view", "versions"}:
        return 200 if visible else 404
    if role == "anonymous":
        return 401
    if action == "add_moderator":
        return 200 if role == "admin" else 403
    if not runs_it:
        return 403
    if action == "edit_text":
        return 201 if status in TEXT_EDITABLE else 409
    if action == "move":
        return 200 if MOVES[status] else 409
    if action == "rename":
        return 200 if status in {"draft", "amending", "reviewing"} else 409
    raise AssertionError(action)


def _act(api: ApiClient, action: str, slug: str, status: str, helper_id: int):
    if action == "view":
        return api.get(f"/statements/{slug}")
    if action == "versions":
        return api.get(f"/statements/{slug}/versions")
    if action == "edit_text":
        return api.post(f"/statements/{slug}/versions", {"text": SAMPLE_TEXT + "\nMore.\n",
                                                         "base": 1})
    if action == "move":
        return api.post(f"/statements/{slug}/transitions",
                        {"to": (MOVES[status] or ("draft",))[0]})
    if action == "rename":
        return api.patch(f"/statements/{slug}", {"title": "Another title"})
    if action == "add_moderator":
        return api.post(f"/statements/{slug}/moderators", {"user_id": helper_id})
    raise AssertionError(action)


@pytest.mark.parametrize("status", [str(s) for s in StatementStatus])
@pytest.mark.parametrize("action", ["view", "versions", "edit_text", "move", "rename",
                                    "add_moderator"])
def test_matrix(app: Flask, status: str, action: str) -> None:
    moderator = make_user(app, "moderator")
    helper = make_user(app)
    callers = _callers(app, moderator)
    answers = {}
    for role in ROLES:
        # A fresh statement for each caller, so one caller's success cannot change the next.
        slug = make_statement(app, moderator, status=status, title=f"{role} {status}")
        answers[role] = _act(callers[role], action, slug, status, helper.id).status_code
    assert answers == {role: _expected(action, role, status) for role in ROLES}


def _statement(status: str, moderator_ids: list[int]) -> Statement:
    st = Statement(slug="s", title="t", status=status)
    st.moderator_links = [StatementModerator(user_id=i) for i in moderator_ids]
    return st


def _user(role: str, user_id: int) -> User:
    return User(id=user_id, role=role, email="x@y.z", email_key="x@y.z", name="n",
                password_hash="h", auth_epoch=0, email_confirmed_at=datetime.now(timezone.utc))


@pytest.mark.parametrize("status", [str(s) for s in StatementStatus])
def test_named_questions(status: str) -> None:
    mod, other, admin, delegate = (_user("moderator", 1), _user("moderator", 2),
                                   _user("admin", 3), _user("delegate", 4))
    st = _statement(status, [1])
    assert rules.can_view(None, st) is (status in PUBLISHED)
    for user in (mod, other, admin, delegate):
        assert rules.can_view(user, st)
    unconfirmed = _user("delegate", 5)
    unconfirmed.email_confirmed_at = None
    assert rules.can_view(unconfirmed, st) is (status in PUBLISHED)
    for question in (RULES["edit_text"].permits, RULES["move"].permits,
                     RULES["edit_details"].permits, rules.is_moderator_of):
        assert [question(u, st) for u in (None, delegate, other, mod, admin)] == \
            [False, False, False, True, True]
    assert [RULES["create_statement"].permits(u) for u in (None, delegate, other, admin)] == \
        [False, False, True, True]
    assert [RULES["add_moderator"].permits(u, st) for u in (None, delegate, mod, admin)] == \
        [False, False, False, True]


def test_deadline_field_rules_follow_the_phase(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    api = api_as(app, moderator)
    later = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
    expected = {"draft": (200, 200), "amending": (200, 200), "reviewing": (409, 200),
                "final": (409, 200), "endorsing": (409, 200), "closed": (409, 409)}
    for status, (amend, endorse) in expected.items():
        slug = make_statement(app, moderator, status=status, title=f"deadline {status}")
        assert api.patch(f"/statements/{slug}", {"amending_until": later}).status_code == amend
        assert api.patch(f"/statements/{slug}", {"endorsing_until": later}
                         ).status_code == endorse, status
