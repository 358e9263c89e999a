"""The database models, one module per aggregate; importing this registers them all."""

from .audit import AuditEvent
from .throttle import SignInFailure, SignInThrottle
from .user import ROLES, ApiToken, User, email_key

__all__ = ["ROLES", "ApiToken", "AuditEvent", "SignInFailure", "SignInThrottle", "User",
           "email_key"]
