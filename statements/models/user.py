"""People who sign in: delegates, moderators and admins."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..rules import Role, check_in
from .types import UTCDateTime, utcnow


def email_key(email: str) -> str:
    """The form of an e-mail address that uniqueness and throttling are keyed on."""
    return email.strip().casefold()


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(check_in("role", Role), name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # Case-folded e-mail: the database refuses a second account for "A@x.org" and "a@x.org".
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="delegate")
    password_hash: Mapped[str] = mapped_column(String(255))
    # Bumped when the password changes: every session and token issued before stops working.
    auth_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the address was shown to be the user's (a link e-mailed to it was used, or an
    # admin made the account); None until then.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str | None] = mapped_column(String(5))
    notifications: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def session_id(self) -> str | None:
        """The browser session this request was signed in with (set by the session loader
        or at sign-in; not a column): what Flask-Login keeps in the session and remember
        cookies."""
        value = self.__dict__.get("_browser_session")
        return value if isinstance(value, str) else None

    @session_id.setter
    def session_id(self, value: str | None) -> None:
        self.__dict__["_browser_session"] = value

    def get_id(self) -> str:
        if self.session_id is None:
            raise RuntimeError("start a browser session (operations.sessions) before login_user")
        return self.session_id

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class ApiToken(Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The user's auth epoch when issued: a password change ends every earlier token.
    auth_epoch: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(User, lazy="joined")

    @property
    def active(self) -> bool:
        return (self.revoked_at is None and self.auth_epoch == self.user.auth_epoch
                and self.expires_at > utcnow())


class BrowserSession(Model):
    """One signed-in browser. Its secret is in the session (and remember) cookie; only its
    SHA-256 is stored. Signing out ends it for good, so a copied cookie stops working."""

    __tablename__ = "browser_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The user's auth epoch when it began: a password change ends every earlier session.
    auth_epoch: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(User, lazy="joined")

    @property
    def active(self) -> bool:
        return self.ended_at is None and self.auth_epoch == self.user.auth_epoch
