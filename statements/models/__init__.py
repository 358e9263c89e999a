"""The database models, one module per aggregate; importing this registers them all."""

from .amendment import (
    Amendment,
    AmendmentComment,
    AmendmentRevision,
    AmendmentSupporter,
    VersionAmendment,
)
from .audit import AuditEvent
from .endorsement import Endorsement
from .statement import Statement, StatementModerator, Version
from .throttle import SignInFailure, SignInThrottle
from .user import ApiToken, User, email_key

__all__ = [
    "Amendment",
    "AmendmentComment", "AmendmentRevision", "AmendmentSupporter", "ApiToken", "AuditEvent",
    "Endorsement", "SignInFailure", "SignInThrottle", "Statement", "StatementModerator", "User",
    "Version", "VersionAmendment", "email_key",
]
