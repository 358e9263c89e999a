"""Amendments: proposing, supporting, withdrawing, commenting, bringing up to date, and
the moderators' decisions: accept (the exact three-way merge), accept with changes, reject.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..errors import Invalid, MergeConflict, NotFound, StaleVersion
from ..extensions import db
from ..i18n import _, _l
from ..models import (
    Amendment,
    AmendmentComment,
    AmendmentRevision,
    AmendmentSupporter,
    Statement,
    User,
    Version,
    VersionAmendment,
)
from ..models.types import utcnow
from ..read.lookups import parse_number
from ..read.standing import merge_onto_head, open_amendments
from ..rules import RULES, AmendmentStatus, VersionSource
from ..text.diff import DiffTooComplex, PatchError, apply_patch_exact, diff_texts, patch_text
from ..text.lines import lines_touched
from .audit import record
from .fields import body_text, integer_field, vote_field
from .notifications import tell_conflicts, tell_decided
from .statements import next_version, version_by_number


def _amendment_fields(statement: Statement, base: object, text: object, patch: object,
                      errors: dict[str, str]) -> tuple[Version | None, str]:
    """The base version and the full amended text, from either ``text`` or ``patch``."""
    base_n = integer_field(errors, "base", base, label=_("Base version"))
    if text is not None and patch is not None:
        errors["patch"] = _("Send either text or patch, not both.")
        return None, ""
    if text is None and patch is None:
        errors["text"] = _("Send the amended text (or a patch against the base).")
        return None, ""
    base_version = None if "base" in errors else version_by_number(statement, base_n)
    if base_version is None and "base" not in errors:
        errors["base"] = _("There is no version %(number)s of this statement.", number=base_n)
    if text is not None:
        return base_version, body_text(errors, "text", text, label=_("Amended text"))
    if not isinstance(patch, str):
        errors["patch"] = _("The patch must be diff-match-patch patch text.")
        return base_version, ""
    if base_version is None:
        return None, ""
    try:
        applied = apply_patch_exact(base_version.text, patch)
    except PatchError as exc:
        errors["patch"] = _("The patch does not apply to version %(number)s exactly: "
                            "%(reason)s", number=base_n, reason=exc)
        return base_version, ""
    return base_version, body_text(errors, "patch", applied, label=_("Patched text"))


@dataclass(frozen=True)
class Change:
    """What an amended text does to its base: the stored patch, diff and lines."""

    patch: str
    first_line: int
    last_line: int


TOO_COMPLEX = _l("This change is too large or too scattered to compare exactly with the text "
                 "(no person could review it either): propose it in smaller parts.")
# What a moderator accepting, or a proposer bringing up to date, is told of a conflict.
CONFLICT_ON_ACCEPT = _l("{label} conflicts with changes made since version {base}: accept it "
                        "with changes to resolve the conflict.")
CONFLICT_ON_REBASE = _l("{label} conflicts with changes made since version {base}: edit the "
                        "conflicting part and send it.")


def _change(base: str, text: str, field: str = "text") -> Change | None:
    try:
        diffs = diff_texts(base, text)
    except DiffTooComplex as exc:
        raise Invalid(errors={field: str(TOO_COMPLEX)}) from exc
    lines = lines_touched(base, diffs)
    if lines is None:
        return None
    return Change(patch_text(base, diffs), lines[0], lines[1])


@dataclass(frozen=True)
class Proposal:
    """An amendment worked out and checked, ready to be stored: plain data, so that it can
    be prepared before the write lock is taken and stored under it."""

    base: int
    rationale: str
    text: str
    change: Change


def prepare_proposal(statement: Statement, *, base: object, rationale: object,
                     text: object = None, patch: object = None) -> Proposal:
    """Check the fields (422) and work out the change: the expensive part of proposing
    (a diff of up to a megabyte), which writes nothing and needs no lock."""
    errors: dict[str, str] = {}
    rationale_s = body_text(errors, "rationale", rationale, label=_("Rationale"), limit=20_000)
    base_version, amended = _amendment_fields(statement, base, text, patch, errors)
    if errors:
        raise Invalid(errors=errors)
    assert base_version is not None
    change = _change(base_version.text, amended, "text" if patch is None else "patch")
    if change is None:
        raise Invalid(errors={"text": _("The amended text is the same as version %(number)s: "
                                        "it changes nothing.", number=base_version.number)})
    return Proposal(base_version.number, rationale_s.strip(), amended, change)


def propose(actor: User, statement: Statement, *, base: object = None, rationale: object = None,
            text: object = None, patch: object = None,
            prepared: Proposal | None = None) -> Amendment:
    """Store an amendment: from the fields, or ``prepared`` by :func:`prepare_proposal`
    (before the lock). Versions never change, so a prepared change still holds; the
    statement's phase is checked here, under the lock."""
    RULES["propose"].require_who(actor, statement)
    proposal = prepared or prepare_proposal(statement, base=base, rationale=rationale,
                                            text=text, patch=patch)
    base_version = version_by_number(statement, proposal.base)
    assert base_version is not None  # versions are never deleted
    change = proposal.change
    RULES["propose"].require_open(statement)
    number = (db.session.scalar(select(func.max(Amendment.number))
                                .where(Amendment.statement_id == statement.id)) or 0) + 1
    amendment = Amendment(statement_id=statement.id, statement=statement, number=number,
                          status=AmendmentStatus.PROPOSED, base_version_id=base_version.id,
                          base_version=base_version, proposer_id=actor.id, proposer=actor,
                          rationale=proposal.rationale, text=proposal.text,
                          patch=change.patch,
                          first_line=change.first_line, last_line=change.last_line,
                          created_at=utcnow(), decision_note="")
    db.session.add(amendment)
    db.session.flush()
    record(actor, "amendment.propose", amendment, statement_id=statement.id,
           after=f"A{number}", base=base_version.number,
           lines=[change.first_line, change.last_line])
    return amendment


def amendment_or_404(statement: Statement, number: object) -> Amendment:
    number = parse_number(number)
    found = None
    if number is not None:
        found = db.session.execute(select(Amendment).where(
            Amendment.statement_id == statement.id, Amendment.number == number)
        ).scalar_one_or_none()
    if found is None:
        raise NotFound(_("Statement %(slug)s has no amendment %(number)s.",
                         slug=repr(statement.slug), number=number))
    return found


def support(actor: User, amendment: Amendment) -> Amendment:
    RULES["support"].require(actor, amendment)
    if any(link.user_id == actor.id for link in amendment.supporter_links):
        return amendment
    amendment.supporter_links.append(AmendmentSupporter(user_id=actor.id, user=actor,
                                                        created_at=utcnow()))
    db.session.flush()
    record(actor, "amendment.support", amendment, statement_id=amendment.statement_id)
    return amendment


def unsupport(actor: User, amendment: Amendment) -> Amendment:
    RULES["unsupport"].require(actor, amendment)
    link = next(s for s in amendment.supporter_links if s.user_id == actor.id)
    amendment.supporter_links.remove(link)
    db.session.delete(link)
    db.session.flush()
    record(actor, "amendment.unsupport", amendment, statement_id=amendment.statement_id)
    return amendment


def withdraw(actor: User, amendment: Amendment) -> Amendment:
    RULES["withdraw"].require(actor, amendment)
    amendment.status = AmendmentStatus.WITHDRAWN
    amendment.withdrawn_at = utcnow()
    db.session.flush()
    record(actor, "amendment.withdraw", amendment, statement_id=amendment.statement_id,
           before="proposed", after="withdrawn")
    return amendment


def comment(actor: User, amendment: Amendment, body: object) -> AmendmentComment:
    RULES["comment"].require_who(actor, amendment)
    errors: dict[str, str] = {}
    body_s = body_text(errors, "body", body, label=_("Comment"), limit=20_000)
    if errors:
        raise Invalid(errors=errors)
    RULES["comment"].require_open(amendment)
    note = AmendmentComment(amendment_id=amendment.id, author_id=actor.id, author=actor,
                            body=body_s.strip(), created_at=utcnow())
    db.session.add(note)
    db.session.flush()
    record(actor, "amendment.comment", note, statement_id=amendment.statement_id,
           amendment=amendment.number)
    return note


def _merged_text(amendment: Amendment, head: Version, conflict: str) -> str:
    """The amendment carried onto ``head``, or MergeConflict (409) naming each conflict
    (``conflict`` says what to do about it: CONFLICT_ON_ACCEPT or CONFLICT_ON_REBASE)."""
    result = merge_onto_head(amendment, head)
    if result.text is None:
        raise MergeConflict(
            conflict.format(label=amendment.label, base=amendment.base_version.number),
            conflicts=[c.as_dict() for c in result.conflicts], head_number=head.number)
    return result.text


def _decide(actor: User, amendment: Amendment, status: str, note: str,
            version: Version | None, *, vote: dict[str, int] | None) -> None:
    amendment.status = status
    if vote is not None:
        amendment.vote_for, amendment.vote_against = vote["for"], vote["against"]
        amendment.vote_abstain = vote["abstain"]
    amendment.decided_by_id, amendment.decided_by = actor.id, actor
    amendment.decided_at = utcnow()
    amendment.decision_note = note
    if version is not None:
        amendment.result_version_id, amendment.result_version = version.id, version
    db.session.flush()
    record(actor, f"amendment.{status}", amendment, statement_id=amendment.statement_id,
           before="proposed", after=status,
           vote=vote, **({"version": version.number} if version is not None else {}))
    tell_decided(amendment, actor)


def _merged_version(actor: User, amendment: Amendment, text: str, note: str) -> Version:
    first = amendment.rationale.strip().splitlines()[0] if amendment.rationale.strip() else ""
    message = f"{amendment.label}: {note or first}"[:500]
    version = next_version(amendment.statement, actor, text, kind=VersionSource.AMENDMENT,
                           message=message,
                           amendment=amendment.number)
    db.session.add(VersionAmendment(version_id=version.id, amendment_id=amendment.id,
                                    amendment_number=amendment.number))
    db.session.flush()
    db.session.refresh(version, ["merged_links"])
    return version


def accept(actor: User, amendment: Amendment, *, note: object = "", text: object = None,
           base: object = None, vote: object = None) -> Version:
    """Merge the amendment onto the head; with ``text``, that text (written against head
    ``base``) becomes the new version instead and the amendment is merged_modified. The
    proposers of open amendments it leaves conflicting are told."""
    version = _accept(actor, amendment, note=note, text=text, base=base, vote=vote)
    tell_conflicts(amendment.statement, actor)
    return version


def _accept(actor: User, amendment: Amendment, *, note: object, text: object,
            base: object, vote: object) -> Version:
    statement = amendment.statement
    decision = RULES["accept" if text is None else "accept_with_changes"]
    decision.require_who(actor, amendment)
    errors: dict[str, str] = {}
    note_s = body_text(errors, "note", note or "", label=_("Note"), limit=5_000,
                       required=False)
    text_s = body_text(errors, "text", text, label=_("Text")) if text is not None else None
    base_n = integer_field(errors, "base", base, label=_("Base version")) \
        if text is not None else None
    tally = vote_field(errors, "vote", vote)
    if errors:
        raise Invalid(errors=errors)
    decision.require_open(amendment)
    head = statement.head
    if text_s is not None:
        if base_n != head.number:
            raise StaleVersion(_("Version %(head)s has been saved since version %(base)s: "
                                 "review the newest text and resolve again.",
                                 head=head.number, base=base_n),
                               head_number=head.number)
        if text_s == head.text:
            raise Invalid(errors={"text": _("This text is the same as the newest version: "
                                            "reject the amendment instead, with a note.")})
        version = _merged_version(actor, amendment, text_s, note_s.strip())
        _decide(actor, amendment, AmendmentStatus.MERGED_MODIFIED, note_s.strip(), version,
                vote=tally)
        return version
    merged = _merged_text(amendment, head, CONFLICT_ON_ACCEPT)
    if merged == head.text:
        # The same change is already in the text: it is merged, into the head as it stands.
        _decide(actor, amendment, AmendmentStatus.MERGED, note_s.strip(), head, vote=tally)
        return head
    version = _merged_version(actor, amendment, merged, note_s.strip())
    _decide(actor, amendment, AmendmentStatus.MERGED, note_s.strip(), version, vote=tally)
    return version


def reject(actor: User, amendment: Amendment, *, note: object,
           vote: object = None) -> Amendment:
    RULES["reject"].require_who(actor, amendment)
    errors: dict[str, str] = {}
    note_s = body_text(errors, "note", note, label=_("Note"), limit=5_000)
    tally = vote_field(errors, "vote", vote)
    if errors:
        raise Invalid(errors=errors)
    RULES["reject"].require_open(amendment)
    _decide(actor, amendment, AmendmentStatus.REJECTED, note_s.strip(), None, vote=tally)
    return amendment


def rebase(actor: User, amendment: Amendment, *, text: object = None) -> Amendment:
    """Bring a pending amendment up to the head, keeping its earlier form.

    Without ``text`` the three-way merge does it (409 with the conflicts if it cannot);
    with ``text``, that is the amendment's new text against the head."""
    RULES["rebase"].require_who(actor, amendment)
    errors: dict[str, str] = {}
    text_s = body_text(errors, "text", text, label=_("Text")) if text is not None else None
    if errors:
        raise Invalid(errors=errors)
    RULES["rebase"].require_open(amendment)
    head = amendment.statement.head
    if text_s is None:
        if amendment.base_version_id == head.id:
            return amendment
        text_s = _merged_text(amendment, head, CONFLICT_ON_REBASE)
    change = _change(head.text, text_s)
    if change is None:
        raise Invalid(errors={"text": _("Against version %(number)s this amendment changes "
                                        "nothing: withdraw it instead.", number=head.number)})
    db.session.add(AmendmentRevision(amendment_id=amendment.id,
                                     base_version_id=amendment.base_version_id,
                                     text=amendment.text, patch=amendment.patch,
                                     created_at=amendment.created_at, replaced_at=utcnow()))
    before = amendment.base_version.number
    amendment.base_version_id, amendment.base_version = head.id, head
    amendment.text, amendment.patch = text_s, change.patch
    amendment.first_line, amendment.last_line = change.first_line, change.last_line
    amendment.conflict_told_at = None  # if a later change breaks it again, say so again
    db.session.flush()
    record(actor, "amendment.rebase", amendment, statement_id=amendment.statement_id,
           before=before, after=head.number)
    return amendment


def merge_all_clean(actor: User, statement: Statement) -> list[Version]:
    """Accept, one after the other in text order, every open amendment that applies
    cleanly to the head as it then stands: one version per amendment, so that attribution
    stays exact. Amendments that conflict (perhaps only with one merged just before) stay."""
    RULES["merge_all_clean"].require(actor, statement)
    versions = []
    for amendment in open_amendments(statement):
        if merge_onto_head(amendment).clean:
            versions.append(_accept(actor, amendment, note="Merged with every clean amendment",
                                    text=None, base=None, vote=None))
    tell_conflicts(statement, actor)  # once, for the text as all of them left it
    return versions

