"""The database models, one module per aggregate; importing this registers them all."""

from .amendment import (
    Amendment,
    AmendmentComment,
    AmendmentRevision,
    AmendmentSupporter,
    VersionAmendment,
)
from .audit import AuditEvent
from .confirmation import ConfirmationToken, TokenPurpose
from .endorsement import Endorsement
from .idempotency import IdempotentAnswer
from .outbox import OutboxMessage
from .record import RecordEvent
from .statement import Statement, StatementModerator, Version
from .subscription import Subscription
from .throttle import SignInFailure, SignInThrottle
from .user import ApiToken, BrowserSession, User, email_key

__all__ = [
    "Amendment", "BrowserSession", "IdempotentAnswer", "OutboxMessage", "RecordEvent",
    "AmendmentComment", "AmendmentRevision", "AmendmentSupporter", "ApiToken", "AuditEvent",
    "ConfirmationToken", "TokenPurpose",
    "Endorsement", "SignInFailure", "SignInThrottle", "Statement", "StatementModerator",
    "Subscription", "User",
    "Version", "VersionAmendment", "email_key",
]
