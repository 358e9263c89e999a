"""The moderators' verification queue: endorsements on behalf of an organisation or a
government, with the domain of the address that confirmed them (never the address)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, select

from ..extensions import db
from ..models import Endorsement, Statement
from ..rules import EndorsementKind, EndorsementStatus, Verification


@dataclass
class ToVerify:
    endorsement: Endorsement
    domain: str  # of the signer's confirmed address
    trusted: bool  # the domain is at or under one of the statement's trusted domains


def address_domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def at_trusted_domain(domain: str, statement: Statement) -> bool:
    return any(domain == trusted or domain.endswith("." + trusted)
               for trusted in statement.trusted_domains)


def verification_queue(statement: Statement) -> list[ToVerify]:
    """Every active endorsement that needs verifying: the pending ones first, oldest first,
    then those decided (a decision may be changed)."""
    pending_first = case((Endorsement.verification == Verification.PENDING, 0), else_=1)
    rows = db.session.scalars(select(Endorsement).where(
        Endorsement.statement_id == statement.id,
        Endorsement.status == EndorsementStatus.ACTIVE,
        Endorsement.kind != EndorsementKind.INDIVIDUAL,
    ).order_by(pending_first, Endorsement.endorsed_at, Endorsement.id))
    queue = []
    for endorsement in rows:
        domain = address_domain(endorsement.address)
        queue.append(ToVerify(endorsement, domain, at_trusted_domain(domain, statement)))
    return queue
