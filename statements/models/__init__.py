"""The database models, one module per aggregate; importing this registers them all."""

from .audit import AuditEvent
from .statement import SOURCE_KINDS, STATUSES, Statement, StatementModerator, Version
from .throttle import SignInFailure, SignInThrottle
from .user import ROLES, ApiToken, User, email_key

__all__ = ["ROLES", "SOURCE_KINDS", "STATUSES", "ApiToken", "AuditEvent", "SignInFailure",
           "SignInThrottle", "Statement", "StatementModerator", "User", "Version", "email_key"]
