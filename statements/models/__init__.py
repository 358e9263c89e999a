"""The database models, one module per aggregate; importing this registers them all."""

from .amendment import (
    AMENDMENT_STATUSES,
    DECIDED,
    Amendment,
    AmendmentComment,
    AmendmentRevision,
    AmendmentSupporter,
    VersionAmendment,
)
from .audit import AuditEvent
from .endorsement import KINDS, Endorsement
from .statement import SOURCE_KINDS, STATUSES, Statement, StatementModerator, Version
from .throttle import SignInFailure, SignInThrottle
from .user import ROLES, ApiToken, User, email_key

__all__ = [
    "AMENDMENT_STATUSES", "DECIDED", "KINDS", "ROLES", "SOURCE_KINDS", "STATUSES", "Amendment",
    "AmendmentComment", "AmendmentRevision", "AmendmentSupporter", "ApiToken", "AuditEvent",
    "Endorsement", "SignInFailure", "SignInThrottle", "Statement", "StatementModerator", "User",
    "Version", "VersionAmendment", "email_key",
]
