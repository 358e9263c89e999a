"""Factories: make_user(role=…) and signed-in clients, for any test."""

from __future__ import annotations

import itertools
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from statements.database import write_transaction
from statements.extensions import db
from statements.models import User
from statements.operations.accounts import create_user, issue_token
from statements.rules import SYSTEM

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(app: Flask, role: str = "delegate", *, email: str | None = None,
              name: str | None = None, organisation: str = "Testville",
              password: str = PASSWORD, confirmed: bool = True) -> User:
    """An account made by the operator, so confirmed; ``confirmed=False`` makes one whose
    address is not yet confirmed, as after /register."""
    n = next(_counter)
    with app.app_context():
        with write_transaction():
            user = create_user(SYSTEM, email=email or f"{role}{n}@example.org",
                               name=name or f"{role.capitalize()} {n}", organisation=organisation,
                               password=password, role=role)
            if not confirmed:
                user.email_confirmed_at = None
        user_id = user.id
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def token_for(app: Flask, user: User) -> str:
    with app.app_context():
        with write_transaction():
            token, _ = issue_token(db.session.get(User, user.id))
        return token


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class ApiClient:
    """The Flask test client speaking JSON with one user's bearer token."""

    def __init__(self, client: FlaskClient, token: str | None = None) -> None:
        self.client = client
        self.headers = auth(token) if token else {}

    def __getattr__(self, method: str):
        if method not in {"get", "post", "patch", "delete", "put"}:
            raise AttributeError(method)

        def call(path: str, json: Any = None, **kwargs: Any):
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return getattr(self.client, method)("/api/v1" + path, json=json, headers=headers,
                                                **kwargs)

        return call


def api_as(app: Flask, user: User | None) -> ApiClient:
    return ApiClient(app.test_client(), token_for(app, user) if user else None)


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def form_post(client: FlaskClient, path: str, data: dict[str, Any] | None = None,
              token_from: str | None = None, **kwargs: Any):
    """POST a form the way a browser does: with the CSRF token from a page."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, token_from or path)
    return client.post(path, data=data, **kwargs)


def signed_in(app: Flask, user: User, password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    response = form_post(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


SAMPLE_TEXT = (
    "# Strengthening the momentum for a post-2020 Global Biodiversity Framework\n"
    "\n"
    "We, the mayors and governors gathered in Paris, recognise that cities and regions are "
    "where most people meet nature every day.\n"
    "\n"
    "We commit to protect and restore urban ecosystems, and to report on our progress every "
    "two years.\n"
)

PATH_TO: dict[str, list[str]] = {
    "draft": [],
    "amending": ["amending"],
    "reviewing": ["amending", "reviewing"],
    "final": ["amending", "reviewing", "final"],
    "endorsing": ["amending", "reviewing", "final", "endorsing"],
    "closed": ["amending", "reviewing", "final", "endorsing", "closed"],
}


def make_statement(app: Flask, moderator: User | None = None, *, status: str = "draft",
                   title: str = "Paris city biodiversity statement", text: str = SAMPLE_TEXT,
                   slug: str | None = None, occasion: str = "Paris summit, city session") -> str:
    """Create a statement through the real operations and walk it to ``status``.
    Returns its slug."""
    from statements.operations.statements import create_statement
    from statements.operations.workflow import transition
    from statements.read.lookups import statement_or_404

    moderator = moderator or make_user(app, "moderator")
    with app.app_context():
        with write_transaction():
            actor = db.session.get(User, moderator.id)
            statement = create_statement(actor, title=title, text=text, slug=slug,
                                         occasion=occasion)
            slug = statement.slug
        for step in PATH_TO[status]:
            with write_transaction():
                actor = db.session.get(User, moderator.id)
                transition(actor, statement_or_404(slug, actor), step)
    return slug


def make_amendment(app: Flask, slug: str, proposer: User, *, text: str | None = None,
                   rationale: str = "Clearer wording.") -> int:
    """Propose an amendment through the real operation (the statement must be amending).
    Without ``text``, it appends a sentence to the head. Returns its number."""
    from statements.models import Statement
    from statements.operations.amendments import propose

    with app.app_context():
        with write_transaction():
            statement = db.session.execute(
                db.select(Statement).where(Statement.slug == slug)).scalar_one()
            head = statement.head
            amendment = propose(db.session.get(User, proposer.id), statement, base=head.number,
                                text=text if text is not None else head.text + "\nAnd more.\n",
                                rationale=rationale)
            return amendment.number


def make_endorsement(app: Flask, slug: str, user: User, *, kind: str = "individual",
                     **fields: Any) -> int:
    """Endorse through the real operation (the statement must be endorsing). Returns its id."""
    from statements.models import Statement
    from statements.operations.endorsements import endorse

    fields.setdefault("authorised", kind != "individual")
    if kind != "individual":
        fields.setdefault("organisation", "City of Paris")
    with app.app_context():
        with write_transaction():
            statement = db.session.execute(
                db.select(Statement).where(Statement.slug == slug)).scalar_one()
            endorsement = endorse(db.session.get(User, user.id), statement, kind=kind, **fields)
            return endorsement.id
