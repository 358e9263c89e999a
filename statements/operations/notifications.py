"""Telling people what concerns them: followers at each change of a statement's status,
the proposer and supporters when an amendment is decided, and the proposer when a change
to the text leaves their open amendment no longer applying cleanly.

Each notification is queued with the change that causes it (statements/mail), goes only
to a confirmed address whose owner has not turned notifications off, never to the person
who made the change, and carries a one-click unsubscribe link (RFC 8058). The link is
signed with SECRET_KEY, so it needs no table and keeps working: for a followed statement
it stops following that statement; for an amendment's news it turns notifications off."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..database import for_update
from ..errors import NotFound
from ..extensions import db
from ..i18n import _, _l, in_language
from ..models import Amendment, Statement, Subscription, User
from ..models.types import utcnow
from ..read.memo import Digests
from ..read.standing import applies_cleanly, open_amendments
from ..rules import PUBLISHED, RULES, Actor, StatementStatus, status_words
from .audit import record
from .letters import link, notification_language, send_notification

_SALT = "statements.unsubscribe"
UNKNOWN_UNSUBSCRIBE = _l("This unsubscribe link is not one of ours.")

S = StatementStatus
# Each new status, as the subject of a follower's e-mail says it.
NEWS = {
    S.AMENDING: _l("“%(title)s” is open for amendments"),
    S.REVIEWING: _l("“%(title)s” is closed for amendments: its moderators are reviewing them"),
    S.FINAL: _l("“%(title)s” has its final text"),
    S.ENDORSING: _l("“%(title)s” is open for endorsement"),
    S.CLOSED: _l("“%(title)s” is closed: endorsement has ended"),
}
REOPENED = _l("“%(title)s” is open for amendments again")


# --- following ----------------------------------------------------------------------------

def is_following(user: User | None, statement: Statement) -> bool:
    if user is None:
        return False
    return db.session.get(Subscription, (statement.id, user.id)) is not None


def follow(actor: User | None, statement: Statement) -> None:
    """Follow ``statement`` (doing it twice is doing it once, also when two requests race)."""
    user = RULES["follow"].require_who(actor, statement)
    if is_following(user, statement):
        return
    try:
        with db.session.begin_nested():
            db.session.add(Subscription(statement_id=statement.id, user_id=user.id,
                                        created_at=utcnow()))
    except IntegrityError:  # a concurrent request followed it first
        pass


def unfollow(actor: User | None, statement: Statement) -> None:
    user = RULES["follow"].require_who(actor, statement)
    db.session.execute(delete(Subscription).where(Subscription.statement_id == statement.id,
                                                  Subscription.user_id == user.id))


# --- one-click unsubscribe ----------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user: User, statement: Statement | None = None) -> str:
    """For a followed ``statement``: stop following it; without one: notifications off."""
    return str(_serializer().dumps([user.id, statement.id if statement else None]))


@dataclass
class Unsubscribed:
    user: User
    statement: Statement | None  # None: every notification is off


def unsubscription(token: object, *, lock: bool = False) -> Unsubscribed:
    """What ``token`` unsubscribes from (404 for a token that is not ours); with ``lock``,
    its user's row is locked, so that two clicks at once record one change."""
    try:
        user_id, statement_id = _serializer().loads(str(token))
        query = select(User).where(User.id == int(user_id))
        user = db.session.execute(for_update(query) if lock else query).scalar_one_or_none()
        statement = db.session.get(Statement, int(statement_id)) if statement_id else None
    except (BadSignature, TypeError, ValueError) as exc:
        raise NotFound(UNKNOWN_UNSUBSCRIBE) from exc
    if user is None or (statement_id and statement is None):
        raise NotFound(UNKNOWN_UNSUBSCRIBE)
    return Unsubscribed(user, statement)


def unsubscribe(token: object) -> Unsubscribed:
    """The one-click unsubscribe itself: the link is the proof, as RFC 8058 has it (no
    sign-in, no form). Using it again changes nothing."""
    what = unsubscription(token, lock=True)
    if what.statement is not None:
        unfollow(what.user, what.statement)
    elif what.user.notifications:
        what.user.notifications = False
        record(what.user, "user.notifications", what.user, before=True, after=False,
               via="unsubscribe")
        db.session.flush()
    return what


# --- who is told what ---------------------------------------------------------------------

def _reaches(user: User, actor: Actor | None) -> bool:
    return (user.notifications and user.email_confirmed
            and (actor is None or user.id != actor.id))


def _statement_link(statement: Statement) -> str:
    if statement.status in PUBLISHED:
        return link(f"/s/{statement.slug}")
    return link(f"/statements/{statement.slug}")


def tell_followers(statement: Statement, actor: Actor | None, before: str,
                   after: StatementStatus) -> None:
    """Each follower hears of the statement's new status."""
    followers = db.session.scalars(select(User).join(
        Subscription, Subscription.user_id == User.id).where(
        Subscription.statement_id == statement.id).order_by(User.id))
    news = REOPENED if (before, after) == (S.REVIEWING, S.AMENDING) else NEWS[after]
    for user in followers:
        if not _reaches(user, actor):
            continue
        with in_language(notification_language(user)):
            subject = news % {"title": statement.title}
            lines = [subject + ".", ""]
            if after == S.FINAL:
                lines += [_("Final text: version %(number)s, SHA-256 %(sha256)s",
                            number=statement.head_number, sha256=statement.head.sha256), ""]
            lines.append(_statement_link(statement))
            send_notification(user, subject, lines,
                              why=_("You receive this because you follow “%(title)s”.",
                                    title=statement.title),
                              unsubscribe=unsubscribe_token(user, statement),
                              stop=_("Stop following it"))


def _amendment_link(amendment: Amendment) -> str:
    return link(f"/statements/{amendment.statement.slug}/amendments/{amendment.number}")


def _decision_lines(amendment: Amendment) -> list[str]:
    statement = amendment.statement
    words = {"label": amendment.label, "title": statement.title,
             "outcome": status_words(amendment.status)}
    lines = [_("%(label)s to “%(title)s” was %(outcome)s by %(moderator)s.",
               moderator=amendment.decided_by.name, **words) if amendment.decided_by
             else _("%(label)s to “%(title)s” was %(outcome)s.", **words)]
    if amendment.result_version is not None:
        lines.append(_("The text is now version %(number)s.",
                       number=amendment.result_version.number))
    if amendment.decision_note:
        lines += ["", _("The moderator's note:"), amendment.decision_note]
    if amendment.vote_for is not None:
        lines += ["", _("The room's vote: %(for)s for, %(against)s against, %(abstain)s "
                        "abstaining.", **{"for": amendment.vote_for,
                                           "against": amendment.vote_against,
                                           "abstain": amendment.vote_abstain})]
    return [*lines, "", _amendment_link(amendment)]


def tell_decided(amendment: Amendment, actor: Actor | None) -> None:
    """The proposer and every supporter hear how ``amendment`` was decided."""
    statement = amendment.statement
    for user in [amendment.proposer, *amendment.supporters]:
        if not _reaches(user, actor):
            continue
        with in_language(notification_language(user)):
            words = {"label": amendment.label, "title": statement.title,
                     "outcome": status_words(amendment.status)}
            why = (_("You receive this because you proposed %(label)s.", **words)
                   if user.id == amendment.proposer_id
                   else _("You receive this because you support %(label)s.", **words))
            send_notification(user, _("%(label)s was %(outcome)s: %(title)s", **words),
                              _decision_lines(amendment), why=why,
                              unsubscribe=unsubscribe_token(user),
                              stop=_("Turn notifications off"))


def tell_conflicts(statement: Statement, actor: Actor | None) -> None:
    """After the text changed: each open amendment that no longer applies cleanly to the
    newest version, and whose proposer has not been told so since it was last brought up
    to date, is told now — once."""
    head = statement.head
    digests = Digests()
    for amendment in open_amendments(statement):
        if amendment.conflict_told_at is not None or amendment.base_version_id == head.id:
            continue
        if applies_cleanly(amendment, head, digests):  # the queue's answer, kept for it
            continue
        amendment.conflict_told_at = utcnow()
        proposer = amendment.proposer
        if not _reaches(proposer, actor):
            continue
        with in_language(notification_language(proposer)):
            words = {"label": amendment.label, "title": statement.title}
            lines = [
                _("Your %(label)s to “%(title)s” no longer applies cleanly: version "
                  "%(number)s changed the text it amends.", number=head.number, **words),
                "",
                _("Bring it up to date (you will see what changed and can adjust your "
                  "proposal):"),
                link(f"/statements/{statement.slug}/amendments/{amendment.number}/rebase"),
            ]
            send_notification(proposer, _("%(label)s needs an update: %(title)s", **words),
                              lines,
                              why=_("You receive this because you proposed %(label)s.",
                                    **words),
                              unsubscribe=unsubscribe_token(proposer),
                              stop=_("Turn notifications off"))
    db.session.flush()
