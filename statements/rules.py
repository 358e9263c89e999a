"""Every rule of the domain, defined once: the phases and statuses, and for each action who
may take it (its 403 part) and when (its 409 part), with the messages people read.

Operations raise from these rules; the pages and the API ask a rule's ``who`` part before
they read a body (the contract's order 404 → 403 → 400/422 → 409); templates ask
``may(action, subject)`` what to show. Nothing else compares a status or an owner.
tests/test_rules_matrix.py generates its expectations from ``RULES`` and calls the
operations directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any, TypeVar, Union

from .errors import DomainError, InvalidState, NotAllowed, NotFound, NotSignedIn
from .i18n import _, _l, _lp, _n

if TYPE_CHECKING:
    from .models import Statement, User


class StatementStatus(StrEnum):
    DRAFT = "draft"
    AMENDING = "amending"
    REVIEWING = "reviewing"
    FINAL = "final"
    ENDORSING = "endorsing"
    CLOSED = "closed"


class AmendmentStatus(StrEnum):
    PROPOSED = "proposed"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    MERGED = "merged"
    MERGED_MODIFIED = "merged_modified"


class EndorsementKind(StrEnum):
    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"
    GOVERNMENT = "government"


class Verification(StrEnum):
    """Whether a signer may speak for whom they sign: individuals need no verification;
    an organisation's or government's endorsement is pending until a moderator decides,
    or verified at once from one of the statement's trusted e-mail domains."""

    NOT_REQUIRED = "not_required"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class EndorsementStatus(StrEnum):
    """An endorsement made without an account is unconfirmed until the link e-mailed to its
    address is used; only an active one counts or shows anywhere public."""

    UNCONFIRMED = "unconfirmed"
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Role(StrEnum):
    DELEGATE = "delegate"
    MODERATOR = "moderator"
    ADMIN = "admin"


class VersionSource(StrEnum):
    EDIT = "edit"
    IMPORT = "import"
    AMENDMENT = "amendment"


def check_in(column: str, values: type[StrEnum]) -> str:
    """The SQL of a CHECK constraint that keeps ``column`` to the enum's values."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


S = StatementStatus
ALL_PHASES = frozenset(S)
MOVES: dict[StatementStatus, tuple[StatementStatus, ...]] = {
    S.DRAFT: (S.AMENDING,),
    S.AMENDING: (S.REVIEWING,),
    S.REVIEWING: (S.AMENDING, S.FINAL),
    S.FINAL: (S.ENDORSING,),
    S.ENDORSING: (S.CLOSED,),
    S.CLOSED: (),
}
TEXT_EDITABLE = frozenset({S.DRAFT, S.AMENDING, S.REVIEWING})
FROZEN = ALL_PHASES - TEXT_EDITABLE
PUBLISHED = frozenset({S.ENDORSING, S.CLOSED})
DECIDING = frozenset({S.AMENDING, S.REVIEWING})
DECIDED = frozenset(AmendmentStatus) - {AmendmentStatus.PROPOSED}
# What a moderator's button says for each move (the same move reads differently from draft).
MOVE_LABELS = {S.AMENDING: _lp("workflow button", "Open for amendments"),
               S.REVIEWING: _lp("workflow button", "Close amendments (review)"),
               S.FINAL: _lp("workflow button", "Make final"),
               S.ENDORSING: _lp("workflow button", "Open for endorsement"),
               S.CLOSED: _lp("workflow button", "Close endorsement")}
# Every status, kind and verification as a person says it, in the page's language.
STATUS_WORDS = {
    "draft": _l("draft"), "amending": _l("amending"), "reviewing": _l("reviewing"),
    "final": _l("final"), "endorsing": _l("endorsing"), "closed": _l("closed"),
    "proposed": _l("proposed"), "withdrawn": _l("withdrawn"), "rejected": _l("rejected"),
    "merged": _l("merged"), "merged_modified": _l("merged with changes"),
    "not_required": _l("not required"), "pending": _l("pending"), "verified": _l("verified"),
    "unconfirmed": _l("unconfirmed"), "active": _l("active"),
    "individual": _l("individual"), "organisation": _l("organisation"),
    "government": _l("government"),
}


def status_words(status: str) -> str:
    """A status as a person says it: "merged with changes", not ``merged_modified``."""
    words = STATUS_WORDS.get(status)
    return str(words) if words is not None else status.replace("_", " ")


# --- who ----------------------------------------------------------------------------------

def is_admin(user: Actor | None) -> bool:
    return user is not None and user.role == Role.ADMIN


def is_moderator_of(user: Actor | None, statement: Statement) -> bool:
    """Admins moderate every statement; anyone else only those they created or were
    assigned to. A moderator of another statement is just a delegate here."""
    if user is None:
        return False
    return is_admin(user) or any(m.user_id == user.id for m in statement.moderator_links)


def can_view(user: User | None, statement: Statement) -> bool:
    """Confirmed accounts see every statement, with its versions, diffs and attribution;
    everyone else only published ones (see ``read_drafts``)."""
    return (statement.status in PUBLISHED
            or (user is not None and RULES["read_drafts"].permits(user, statement)))


def is_published(statement: Statement) -> bool:
    return statement.status in PUBLISHED


def can_see_email(viewer: User | None, user: User) -> bool:
    """E-mail addresses are never public: only the user themself and admins see one."""
    return viewer is not None and (viewer.id == user.id or is_admin(viewer))


class SystemActor:
    """The operator at the server's shell (CLI commands): may do what an admin may, and is
    recorded in the audit trail as the system (no user id)."""

    id = None
    role = Role.ADMIN
    name = "System"
    email_confirmed = True

    def __repr__(self) -> str:
        return "<SYSTEM>"


SYSTEM = SystemActor()
Actor = Union["User", SystemActor]
# Whoever a rule was asked about, handed back as what it was: a user, or the system.
AnActor = TypeVar("AnActor", bound=Actor)


class Who(Enum):
    """The role part of a rule; each answers for a signed-in user and the rule's subject."""

    SIGNED_IN = "anyone signed in"
    CONFIRMED = "anyone signed in whose e-mail address is confirmed"
    CREATOR = "moderators and admins"
    ADMIN = "admins"
    MODERATOR = "this statement's moderators and admins"
    PROPOSER = "the amendment's proposer"
    NOT_PROPOSER = "anyone but the amendment's proposer"
    SUPPORTER = "the amendment's supporters"
    ACCOUNT_HOLDER = "the account's own user and admins"
    SELF = "the account's own user"


def _statement_of(subject: Any) -> Statement | None:
    if subject is None:
        return None
    statement: Statement | None = (subject.statement if hasattr(subject, "proposer_id")
                                   else subject)
    return statement


def _who_allows(who: Who, user: Actor, subject: Any) -> bool:
    if who is Who.SIGNED_IN:
        return True
    if who is Who.CONFIRMED:
        return bool(user.email_confirmed)
    if who is Who.CREATOR:
        return user.role in {Role.MODERATOR, Role.ADMIN}
    if who is Who.ADMIN:
        return is_admin(user)
    if who is Who.MODERATOR:
        statement = _statement_of(subject)
        return statement is not None and is_moderator_of(user, statement)
    if who is Who.PROPOSER:
        return bool(subject.proposer_id == user.id)
    if who is Who.NOT_PROPOSER:
        return bool(subject.proposer_id != user.id)
    if who is Who.SELF:
        return bool(subject.id == user.id)
    if who is Who.ACCOUNT_HOLDER:
        owner = getattr(subject, "user_id", None) or subject.id
        return bool(owner == user.id) or is_admin(user)
    return any(link.user_id == user.id for link in subject.supporter_links)


@dataclass(frozen=True)
class Rule:
    """May ``user`` take this action on ``subject`` (a statement, an amendment or nothing)
    now? ``who`` and ``forbidden`` are the 403 part (``refusal`` names another error where
    the contract says so); ``phases`` and ``closed`` the 409 part, judged on the statement's
    status; ``undecided`` adds that the amendment must still be open."""

    action: str
    who: Who
    forbidden: str
    phases: frozenset[StatementStatus] = ALL_PHASES
    closed: str = _l("The statement is {status}: this is not possible now.")
    undecided: bool = False
    refusal: type[DomainError] = NotAllowed
    confirmed: bool = False  # the role part also needs a confirmed e-mail address

    @property
    def whos(self) -> tuple[Who, ...]:
        """Every part of the role check, in the order it is asked."""
        return (self.who, Who.CONFIRMED) if self.confirmed else (self.who,)

    def permits(self, user: User | None, subject: Any = None) -> bool:
        """The role part alone."""
        return user is not None and all(_who_allows(w, user, subject) for w in self.whos)

    def _out_of_phase(self, subject: Any) -> Statement | None:
        """The subject's statement, when its status is not one of the rule's phases."""
        statement = _statement_of(subject)
        return statement if statement is not None and statement.status not in self.phases \
            else None

    def _decided(self, subject: Any) -> bool:
        return self.undecided and subject.status in DECIDED

    def refusal_now(self, subject: Any = None) -> str | None:
        """The phase part alone: None when the subject's state allows the action, else why
        not, in words."""
        if (statement := self._out_of_phase(subject)) is not None:
            return self.closed.format(status=status_words(statement.status))
        if self._decided(subject):
            return DECIDED_ALREADY.format(label=subject.label,
                                          status=status_words(subject.status))
        return None

    def is_open(self, subject: Any = None) -> bool:
        """The phase part alone, without the words (which cost a translation)."""
        return self._out_of_phase(subject) is None and not self._decided(subject)

    def allows(self, user: User | None, subject: Any = None) -> bool:
        return self.permits(user, subject) and self.is_open(subject)

    def require_who(self, user: AnActor | None, subject: Any = None) -> AnActor:
        """401 for nobody, then 403 (or the rule's own refusal); the user, for typing."""
        if user is None:
            raise NotSignedIn(SIGN_IN_FIRST)
        if not _who_allows(self.who, user, subject):
            message = UNCONFIRMED if self.who is Who.CONFIRMED else self.forbidden
            raise self.refusal(message.format(label=getattr(subject, "label", "")))
        if self.confirmed and not _who_allows(Who.CONFIRMED, user, subject):
            raise NotAllowed(UNCONFIRMED)
        return user

    def require_open(self, subject: Any = None) -> None:
        """409 when the subject's state forbids the action now."""
        refusal = self.refusal_now(subject)
        if refusal is not None:
            raise InvalidState(refusal)

    def require(self, user: User | None, subject: Any = None) -> User:
        checked = self.require_who(user, subject)  # refuses None
        self.require_open(subject)
        return checked


SIGN_IN_FIRST = _l("Sign in first.")
DECIDED_ALREADY = _l("{label} is {status}: it has been decided.")
UNCONFIRMED = _l("Confirm your e-mail address first: use the link we e-mailed you. To get a "
                 "new link, use “Send the link again” on your account page, or POST "
                 "/api/v1/me/confirmation.")
_DECIDING = _l("The statement is {status}: amendments are decided only while it is amending "
               "or reviewing.")
_DECIDE = _l("Only this statement's moderators and admins decide amendments.")
_DETAILS = _l("Only this statement's moderators and admins change its details.")

_ONLY = {  # who may, said whole (a sentence put together from parts cannot be translated)
    "edit_text": _l("Only this statement's moderators and admins edit its text."),
    "move": _l("Only this statement's moderators and admins move its workflow."),
    "read_record": _l("Only this statement's moderators and admins read its full record."),
    "verify": _l("Only this statement's moderators and admins verify who may speak for an "
                 "organisation or government."),
    "project": _l("Only this statement's moderators and admins choose what the room's screen "
                  "shows."),
    "list_all": _l("Only this statement's moderators and admins see every endorsement."),
}

RULES: dict[str, Rule] = {rule.action: rule for rule in (
    Rule("create_statement", Who.CREATOR, _l("Only moderators and admins create statements.")),
    Rule("edit_text", Who.MODERATOR, _ONLY["edit_text"], TEXT_EDITABLE,
         _l("The statement is {status}: its text is frozen for good.")),
    Rule("edit_details", Who.MODERATOR, _DETAILS),
    Rule("edit_title", Who.MODERATOR, _DETAILS, TEXT_EDITABLE,
         _l("The statement is {status}: its title and occasion are frozen.")),
    Rule("set_amending_deadline", Who.MODERATOR, _DETAILS, frozenset({S.DRAFT, S.AMENDING}),
         _l("Amending is over: its deadline can no longer be moved.")),
    Rule("set_endorsing_deadline", Who.MODERATOR, _DETAILS, ALL_PHASES - {S.CLOSED},
         _l("Endorsing is over: its deadline can no longer be moved.")),
    Rule("move", Who.MODERATOR, _ONLY["move"], frozenset(s for s, to in MOVES.items() if to),
         _l("A {status} statement cannot move any more.")),
    Rule("add_moderator", Who.ADMIN, _l("Only admins assign moderators.")),
    Rule("propose", Who.CONFIRMED, _l("Sign in to propose amendments."),
         frozenset({S.AMENDING}),
         _l("The statement is {status}: amendments are taken only while it is open for "
            "amendments.")),
    Rule("support", Who.NOT_PROPOSER,
         _l("You proposed this amendment: support comes from others."),
         DECIDING, _DECIDING, undecided=True, confirmed=True),
    Rule("unsupport", Who.SUPPORTER, _l("You do not support {label}."), DECIDING, _DECIDING,
         undecided=True, refusal=NotFound),
    Rule("comment", Who.CONFIRMED, _l("Sign in to comment."), ALL_PHASES - {S.CLOSED},
         _l("The statement is closed: its record is complete.")),
    Rule("withdraw", Who.PROPOSER, _l("Only the proposer can withdraw an amendment."),
         DECIDING, _DECIDING, undecided=True),
    Rule("rebase", Who.PROPOSER, _l("Only the proposer can bring an amendment up to date."),
         DECIDING, _DECIDING, undecided=True),
    Rule("accept", Who.MODERATOR, _DECIDE, DECIDING, _DECIDING, undecided=True),
    Rule("accept_with_changes", Who.MODERATOR, _DECIDE, DECIDING, _DECIDING, undecided=True),
    Rule("reject", Who.MODERATOR, _DECIDE, DECIDING, _DECIDING, undecided=True),
    Rule("merge_all_clean", Who.MODERATOR, _DECIDE, DECIDING, _DECIDING),
    Rule("endorse", Who.CONFIRMED, _l("Sign in to endorse."), frozenset({S.ENDORSING}),
         _l("The statement is {status}: endorsements are taken only while it is open for "
            "endorsement.")),
    Rule("withdraw_endorsement", Who.SIGNED_IN, _l("Sign in to withdraw your endorsement."),
         frozenset({S.ENDORSING}),
         _l("The statement is {status}: endorsements can no longer be withdrawn.")),
    # Drafts, amendments and comments are for confirmed accounts: anyone may register, so
    # an address nobody has proven reads only what the public reads. (To the public a
    # draft is a 404; to an unconfirmed account, a 403 saying how to confirm.)
    Rule("read_drafts", Who.CONFIRMED, _l("Confirm your e-mail address to read drafts."),
         ALL_PHASES - PUBLISHED),
    Rule("read_amendments", Who.CONFIRMED,
         _l("Confirm your e-mail address to read amendments.")),
    Rule("follow", Who.SIGNED_IN, _l("Sign in to follow a statement.")),
    Rule("read_record", Who.MODERATOR, _ONLY["read_record"]),
    Rule("verify_endorsement", Who.MODERATOR, _ONLY["verify"], PUBLISHED,
         _l("The statement is {status}: there are no endorsements to verify yet.")),
    Rule("project", Who.MODERATOR, _ONLY["project"]),
    Rule("list_all_endorsements", Who.MODERATOR, _ONLY["list_all"]),
    Rule("manage_users", Who.ADMIN,
         _l("Only admins create accounts for others and change roles.")),
    Rule("edit_account", Who.ACCOUNT_HOLDER, _l("You can only change your own account.")),
    Rule("change_password", Who.SELF, _l("You can only change your own password.")),
)}


def rule(action: str) -> Rule:
    return RULES[action]


def move_refusal(statement: Statement, to: StatementStatus, undecided: int) -> str | None:
    """Why ``statement`` cannot move to ``to`` now, or None. ``undecided`` is how many of its
    amendments are still open (a statement with any cannot become final)."""
    status = S(statement.status)
    if to not in MOVES[status]:
        words = {"status": status_words(status), "to": status_words(to)}
        if not MOVES[status]:
            return _("Cannot move from %(status)s to %(to)s: a %(status)s statement cannot "
                     "move any more.", **words)
        return _("Cannot move from %(status)s to %(to)s. From %(status)s it can move to: "
                 "%(moves)s.", moves=", ".join(status_words(m) for m in MOVES[status]), **words)
    if to == S.FINAL and undecided:
        return _n("%(num)d amendment is still undecided: accept, reject or have it withdrawn "
                  "before the text becomes final.",
                  "%(num)d amendments are still undecided: accept, reject or have them "
                  "withdrawn before the text becomes final.", undecided)
    return None


# Moves that can never be undone, and what a moderator must confirm before making one.
IRREVERSIBLE = {
    S.FINAL: (_l("Making the text final is irreversible: no version can ever be added."),
              _l("I understand the text is frozen for good")),
    S.CLOSED: (_l("Closing endorsement is irreversible: nobody can endorse or withdraw after "
                  "it."), _l("I understand endorsement ends for good")),
}


def moves(statement: Statement) -> list[tuple[str, str, tuple[str, str] | None]]:
    """The moves a statement can make now: the status, the words on its button, and for an
    irreversible one the warning and what the moderator confirms."""
    status = S(statement.status)
    return [(str(to), str(_lp("workflow button", "Reopen for amendments"))
             if to == S.AMENDING and status != S.DRAFT
             else str(MOVE_LABELS[to]), IRREVERSIBLE.get(to)) for to in MOVES[status]]


def template_helpers(current: Callable[[], User | None]) -> dict[str, object]:
    """What templates may ask, for the signed-in user ``current()``."""
    def may(action: str, subject: Any = None) -> bool:
        return RULES[action].allows(current(), subject)

    def open_for(action: str, subject: Any = None) -> bool:
        return RULES[action].is_open(subject)

    return {"may": may, "open_for": open_for, "moves": moves, "published": is_published,
            "status_words": status_words}
