"""The database models, one module per aggregate; importing this registers them all."""

from .audit import AuditEvent
from .user import ROLES, User

__all__ = ["AuditEvent", "ROLES", "User"]
