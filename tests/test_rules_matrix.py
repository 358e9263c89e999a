"""The rules matrix, generated from the rule table: every action × every role × every
statement status (and, for amendment actions, an open and a decided amendment), calling
the operations directly. The expectation comes only from each rule's declared parts —
who, phases, undecided — so removing any check from an operation makes a case fail.

Then, through HTTP, requests per action proving that the API's adapters and the
operations answer alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from statements.database import begin_write, write_transaction
from statements.errors import DomainError
from statements.extensions import db
from statements.models import Amendment, Endorsement, Statement, User
from statements.operations import (
    accounts,
    amendments,
    endorsements,
    notifications,
    projector,
    statements,
    workflow,
)
from statements.rules import MOVES, RULES, Rule, StatementStatus, Who
from tests.factories import (
    PASSWORD,
    ApiClient,
    api_as,
    make_amendment,
    make_statement,
    make_user,
)

ROLES = ("anonymous", "unconfirmed", "proposer", "supporter", "delegate", "other_moderator",
         "moderator", "admin")
STATUSES = [str(s) for s in StatementStatus]
ALLOWED = 200
# Which of the matrix's people each kind of "who" names (the amendment's proposer and
# supporter are delegates; "other_moderator" moderates another statement; the account
# rules act on the delegate's own account; "unconfirmed" is a delegate whose e-mail
# address is not yet confirmed).
WHO_ROLES: dict[Who, set[str]] = {
    Who.SIGNED_IN: set(ROLES) - {"anonymous"},
    Who.CONFIRMED: set(ROLES) - {"anonymous", "unconfirmed"},
    Who.CREATOR: {"other_moderator", "moderator", "admin"},
    Who.ADMIN: {"admin"},
    Who.MODERATOR: {"moderator", "admin"},
    Who.PROPOSER: {"proposer"},
    Who.NOT_PROPOSER: set(ROLES) - {"anonymous", "proposer"},
    Who.SUPPORTER: {"supporter"},
    Who.ACCOUNT_HOLDER: {"delegate", "admin"},
    Who.SELF: {"delegate"},
}
AMENDMENT_ACTIONS = {"support", "unsupport", "comment", "withdraw", "rebase", "accept",
                     "accept_with_changes", "reject"}
# No operation: checked over HTTP (read_drafts in tests/test_confirmations.py, as a draft
# is a 404 to the public rather than the 401 this matrix expects of the anonymous).
READ_ACTIONS = {"read_record", "list_all_endorsements", "read_amendments", "read_drafts"}


def expected(rule: Rule, role: str, status: str, decided: bool = False) -> int:
    if role == "anonymous":
        return 401
    if role not in WHO_ROLES[rule.who]:
        return rule.refusal.status
    if any(role not in WHO_ROLES[who] for who in rule.whos):
        return 403
    if status not in rule.phases or (rule.undecided and decided):
        return 409
    return ALLOWED


@dataclass
class World:
    slug: str
    users: dict[str, int]  # role → user id
    open_number: int
    decided_number: int


def build_world(app: Flask, status: str) -> World:
    """A statement with an open amendment A1 and a rejected A2 (both supported), put into
    ``status`` directly, so that every rule meets every phase."""
    people = {role: make_user(app, kind) for role, kind in (
        ("proposer", "delegate"), ("supporter", "delegate"), ("delegate", "delegate"),
        ("other_moderator", "moderator"), ("moderator", "moderator"), ("admin", "admin"))}
    people["unconfirmed"] = make_user(app, "delegate", confirmed=False)
    slug = make_statement(app, people["moderator"], status="amending", title=f"Matrix {status}")
    first = make_amendment(app, slug, people["proposer"])
    second = make_amendment(app, slug, people["proposer"],
                            text="# A different title\n\nShort.\n")
    with app.app_context(), write_transaction():
        statement = _statement(slug)
        a1, a2 = _amendment(statement, first), _amendment(statement, second)
        for amendment in (a1, a2):
            amendments.support(db.session.get(User, people["supporter"].id), amendment)
        amendments.reject(db.session.get(User, people["moderator"].id), a2, note="No.")
        statement.status = status
    return World(slug, {role: user.id for role, user in people.items()}, first, second)


def _statement(slug: str) -> Statement:
    return db.session.execute(select(Statement).where(Statement.slug == slug)).scalar_one()


def _amendment(statement: Statement, number: int) -> Amendment:
    return amendments.amendment_or_404(statement, number)


def _later() -> str:
    return (datetime.now(UTC) + timedelta(days=3)).isoformat()


def _organisation_endorsement(statement: Statement, user: User) -> int:
    """An endorsement on behalf of an organisation, pending verification, in any phase."""
    head = statement.head
    endorsement = Endorsement(
        statement_id=statement.id, user_id=user.id, version_id=head.id,
        version_number=head.number, sha256=head.sha256, name=user.name, kind="organisation",
        organisation="ICLEI", authorised=True, verification="pending",
        endorsed_at=datetime.now(UTC))
    db.session.add(endorsement)
    db.session.flush()
    return endorsement.id


def _endorse_directly(statement: Statement, user: User) -> None:
    """An active endorsement in any phase, so withdrawing it meets only its own rule."""
    head = statement.head
    db.session.add(Endorsement(statement_id=statement.id, user_id=user.id, version_id=head.id,
                               version_number=head.number, sha256=head.sha256, name=user.name,
                               kind="individual", endorsed_at=datetime.now(UTC)))
    db.session.flush()


Run = Callable[[Any, Statement, Amendment, User], object]
RUNS: dict[str, Run] = {
    "create_statement": lambda actor, st, a, other: statements.create_statement(
        actor, title="Another statement", text="Some text.\n"),
    "edit_text": lambda actor, st, a, other: statements.create_version(
        actor, st, text=st.head.text + "\nA new line.\n", base=st.head_number),
    "edit_details": lambda actor, st, a, other: statements.update_details(
        actor, st, time_zone="Europe/Paris"),
    "edit_title": lambda actor, st, a, other: statements.update_details(
        actor, st, title="A better title"),
    "set_amending_deadline": lambda actor, st, a, other: statements.update_details(
        actor, st, amending_until=_later()),
    "set_endorsing_deadline": lambda actor, st, a, other: statements.update_details(
        actor, st, endorsing_until=_later()),
    "move": lambda actor, st, a, other: workflow.transition(
        actor, st, (MOVES[StatementStatus(st.status)] or ("draft",))[0]),
    "add_moderator": lambda actor, st, a, other: statements.add_moderator(actor, st, other),
    "propose": lambda actor, st, a, other: amendments.propose(
        actor, st, base=st.head_number, text=st.head.text + "\nProposed.\n", rationale="Why."),
    "support": lambda actor, st, a, other: amendments.support(actor, a),
    "unsupport": lambda actor, st, a, other: amendments.unsupport(actor, a),
    "comment": lambda actor, st, a, other: amendments.comment(actor, a, "A comment."),
    "withdraw": lambda actor, st, a, other: amendments.withdraw(actor, a),
    "rebase": lambda actor, st, a, other: amendments.rebase(actor, a),
    "accept": lambda actor, st, a, other: amendments.accept(actor, a),
    "accept_with_changes": lambda actor, st, a, other: amendments.accept(
        actor, a, text=st.head.text + "\nReworded.\n", base=st.head_number),
    "reject": lambda actor, st, a, other: amendments.reject(actor, a, note="Not now."),
    "merge_all_clean": lambda actor, st, a, other: amendments.merge_all_clean(actor, st),
    "endorse": lambda actor, st, a, other: endorsements.endorse(actor, st, kind="individual"),
    "withdraw_endorsement": lambda actor, st, a, other: (
        _endorse_directly(st, actor) if actor is not None else None,
        endorsements.withdraw_endorsement(actor, st)),
    "manage_users": lambda actor, st, a, other: accounts.set_role(actor, other, "moderator"),
    "follow": lambda actor, st, a, other: notifications.follow(actor, st),
    "project": lambda actor, st, a, other: projector.set_projector(actor, st, show="text"),
    "verify_endorsement": lambda actor, st, a, other: endorsements.decide_verification(
        actor, st, _organisation_endorsement(st, other), decision="verified"),
    "change_password": lambda actor, st, a, other: accounts.change_password(
        actor, other, current=PASSWORD, new="another long password", confirm=None),
    "edit_account": lambda actor, st, a, other: accounts.update_profile(
        actor, other, name="A new name", organisation=""),
}


def test_every_rule_has_a_run_or_an_http_check() -> None:
    assert set(RULES) == set(RUNS) | READ_ACTIONS


def test_every_kind_of_who_names_its_roles() -> None:
    assert set(WHO_ROLES) == set(Who)
    used = {who for rule in RULES.values() for who in rule.whos}
    assert Who.CONFIRMED in used


def _answer(app: Flask, world: World, action: str, role: str, decided: bool) -> int:
    with app.app_context():
        begin_write()
        try:
            statement = _statement(world.slug)
            actor = db.session.get(User, world.users[role]) if role != "anonymous" else None
            amendment = _amendment(statement,
                                   world.decided_number if decided else world.open_number)
            other = db.session.get(User, world.users["delegate"])
            RUNS[action](actor, statement, amendment, other)
            return ALLOWED
        except DomainError as exc:
            return exc.status
        finally:
            db.session.rollback()


@pytest.mark.parametrize("status", STATUSES)
def test_matrix_of_operations(app: Flask, status: str) -> None:
    world = build_world(app, status)
    answers, wanted = {}, {}
    for action in RUNS:
        for decided in ((False, True) if action in AMENDMENT_ACTIONS else (False,)):
            for role in ROLES:
                key = (action, "decided" if decided else "open", role)
                answers[key] = _answer(app, world, action, role, decided)
                wanted[key] = expected(RULES[action], role, status, decided)
    wrong = {key: (answers[key], wanted[key]) for key in answers if answers[key] != wanted[key]}
    assert not wrong, f"{status}: (got, expected) {wrong}"


# --- the same rules through the API --------------------------------------------------------

def _callers(app: Flask, world: World) -> dict[str, ApiClient]:
    callers = {"anonymous": ApiClient(app.test_client())}
    with app.app_context():
        for role, user_id in world.users.items():
            user = db.session.get(User, user_id)
            db.session.expunge(user)
            callers[role] = api_as(app, user)
    return callers


API: dict[str, Callable[[ApiClient, World], Any]] = {
    "create_statement": lambda api, w: api.post("/statements", {"title": "New", "text": "T.\n"}),
    "edit_text": lambda api, w: api.post(f"/statements/{w.slug}/versions",
                                         {"text": "Changed.\n", "base": 1}),
    "edit_details": lambda api, w: api.patch(f"/statements/{w.slug}",
                                             {"time_zone": "Europe/Paris"}),
    "edit_title": lambda api, w: api.patch(f"/statements/{w.slug}", {"title": "Better"}),
    "set_amending_deadline": lambda api, w: api.patch(f"/statements/{w.slug}",
                                                      {"amending_until": _later()}),
    "set_endorsing_deadline": lambda api, w: api.patch(f"/statements/{w.slug}",
                                                       {"endorsing_until": _later()}),
    "move": lambda api, w: api.post(f"/statements/{w.slug}/transitions", {"to": "reviewing"}),
    "add_moderator": lambda api, w: api.post(f"/statements/{w.slug}/moderators",
                                             {"user_id": w.users["delegate"]}),
    "propose": lambda api, w: api.post(f"/statements/{w.slug}/amendments", {
        "base": 1, "text": "Proposed.\n", "rationale": "Why."}),
    "support": lambda api, w: api.post(f"/statements/{w.slug}/amendments/1/support"),
    "unsupport": lambda api, w: api.delete(f"/statements/{w.slug}/amendments/1/support"),
    "comment": lambda api, w: api.post(f"/statements/{w.slug}/amendments/1/comments",
                                       {"body": "A comment."}),
    "withdraw": lambda api, w: api.post(f"/statements/{w.slug}/amendments/1/withdraw"),
    "rebase": lambda api, w: api.post(f"/statements/{w.slug}/amendments/1/rebase"),
    "accept": lambda api, w: api.post(f"/statements/{w.slug}/amendments/1/accept", {}),
    "accept_with_changes": lambda api, w: api.post(
        f"/statements/{w.slug}/amendments/1/accept", {"text": "Reworded.\n", "base": 1}),
    "reject": lambda api, w: api.post(f"/statements/{w.slug}/amendments/1/reject",
                                      {"note": "No."}),
    "endorse": lambda api, w: api.post(f"/statements/{w.slug}/endorsements",
                                       {"kind": "individual"}),
    "read_record": lambda api, w: api.get(f"/statements/{w.slug}/record"),
    "list_all_endorsements": lambda api, w: api.get(f"/statements/{w.slug}/endorsements?all=1"),
    "read_amendments": lambda api, w: api.get(f"/statements/{w.slug}/amendments"),
    "follow": lambda api, w: api.post(f"/statements/{w.slug}/subscription"),
    "project": lambda api, w: api.put(f"/statements/{w.slug}/projector", {"show": "text"}),
    "manage_users": lambda api, w: api.post("/users", {
        "email": "new.person@example.org", "name": "New", "organisation": "",
        "password": "long enough password", "role": "delegate"}),
}
SUCCESS = {"create_statement": 201, "edit_text": 201, "propose": 201, "comment": 201,
           "endorse": 201, "unsupport": 204, "manage_users": 201, "follow": 204}


@pytest.mark.parametrize("action", sorted(API))
def test_the_api_agrees_with_the_rules(app: Flask, action: str) -> None:
    """In a phase where the rule is open, every role but the last permitted one is asked
    first (a refusal changes nothing), then one permitted role; in a phase where it is
    closed, a permitted role gets 409. The answers must be the matrix's."""
    rule = RULES[action]
    open_phase = "amending" if "amending" in rule.phases else sorted(rule.phases)[0]
    world = build_world(app, "endorsing" if action == "endorse" else open_phase)
    callers = _callers(app, world)
    permitted = [r for r in ROLES if expected(rule, r, world_status(app, world)) == ALLOWED]
    order = [r for r in ROLES if r not in permitted] + permitted[-1:]
    for role in order:
        want = expected_over_http(action, role, world_status(app, world))
        got = API[action](callers[role], world).status_code
        assert got == (SUCCESS.get(action, 200) if want == ALLOWED else want), (action, role)
    closed = [s for s in STATUSES if s not in rule.phases]
    if closed and permitted:
        world = build_world(app, closed[0])
        caller = _callers(app, world)[permitted[-1]]
        assert API[action](caller, world).status_code == 409, (action, closed[0])


AMENDMENT_ENDPOINTS = AMENDMENT_ACTIONS | {"propose", "read_amendments"}
NO_STATEMENT = {"create_statement", "manage_users"}


def expected_over_http(action: str, role: str, status: str) -> int:
    """As the matrix, but over HTTP an amendment's endpoints first ask ``read_amendments``,
    and a statement that is not published is a 404 to whoever may not read drafts."""
    reading = RULES["read_amendments"]
    if action in AMENDMENT_ENDPOINTS and expected(reading, role, status) != ALLOWED:
        return expected(reading, role, status)
    drafts = RULES["read_drafts"]
    if (action not in NO_STATEMENT and role != "anonymous" and status in drafts.phases
            and expected(drafts, role, status) != ALLOWED):
        return 404
    return expected(RULES[action], role, status)


def world_status(app: Flask, world: World) -> str:
    with app.app_context():
        return _statement(world.slug).status


def test_the_web_pages_agree_with_the_rules(app: Flask) -> None:
    """The pages take the same rules: a delegate is refused a moderator's page (403), and
    endorsing a statement that is not yet open for endorsement is 409, as in the API."""
    from tests.factories import signed_in

    world = build_world(app, "amending")
    with app.app_context():
        delegate = db.session.get(User, world.users["delegate"])
        db.session.expunge(delegate)
    browser = signed_in(app, delegate)
    assert browser.get(f"/statements/{world.slug}/settings").status_code == 403
    assert browser.get(f"/statements/{world.slug}/record").status_code == 403
    assert browser.get(f"/s/{world.slug}/endorse").status_code == 409
    assert api_as(app, delegate).post(f"/statements/{world.slug}/endorsements",
                                      {"kind": "individual"}).status_code == 409


def test_a_rule_is_open_exactly_when_it_gives_no_reason_not_to(app: Flask) -> None:
    """is_open answers without making the words; refusal_now gives the words: they agree
    for every rule, status and amendment status."""
    from types import SimpleNamespace

    from statements.rules import AmendmentStatus

    with app.test_request_context():
        for rule in RULES.values():
            for status in StatementStatus:
                statement = SimpleNamespace(status=status)
                subjects: list[Any] = [statement] + [
                    SimpleNamespace(statement=statement, proposer_id=1, status=s, label="A1")
                    for s in AmendmentStatus]
                for subject in subjects:
                    why = rule.refusal_now(subject)
                    assert rule.is_open(subject) == (why is None), (rule.action, subject)
                    assert why is None or str(why).strip()
