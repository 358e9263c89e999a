"""Where a composed message goes: an ``.eml`` file (development) or an SMTP server."""

from __future__ import annotations

import os
import re
import secrets
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol

from ..config import MailServer, mail_server

# Per network operation (connect, each command): a server that hangs costs this, not a
# process.
TIMEOUT_SECONDS = 10.0


class MailServerUnreachable(Exception):
    """The server could not be reached, greeted or signed in to: no other message would get
    through now either."""


class Transport(Protocol):
    def send(self, message: EmailMessage, sender: str, recipient: str) -> None: ...

    def close(self) -> None: ...


def open_transport(config: Mapping[str, Any], instance_path: str) -> Transport:
    """The transport MAIL_URL names; an SMTP one connects at its first message."""
    server = mail_server(config["MAIL_URL"])
    if server is None:
        return FileTransport(Path(instance_path) / "mail")
    return SmtpTransport(server)


class FileTransport:
    """Each message as an RFC 5322 file, ``<date>-<message id>.eml``, in one folder.

    Written to a temporary file and renamed into place, so a reader never sees half a
    message; a retried message replaces its own file, so it is never there twice."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / file_name(message)
        tmp = self.folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            with open(tmp, "xb") as fh:
                fh.write(message.as_bytes())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def close(self) -> None:
        pass


def file_name(message: EmailMessage) -> str:
    stamp = parsedate_to_datetime(str(message["Date"])).strftime("%Y%m%dT%H%M%SZ")
    ident = re.sub(r"[^A-Za-z0-9._@-]", "_", str(message["Message-ID"]).strip("<> "))
    return f"{stamp}-{ident}.eml"


class SmtpTransport:
    """One SMTP connection for a run of messages, opened at the first; after a message
    fails, the next one opens a new connection. TLS certificates are always verified."""

    def __init__(self, server: MailServer, timeout: float = TIMEOUT_SECONDS) -> None:
        self.server = server
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        context = ssl.create_default_context()
        try:
            smtp: smtplib.SMTP
            if server.scheme == "smtps":
                smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout,
                                        context=context)
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
            try:
                if server.scheme == "smtp+starttls":
                    smtp.starttls(context=context)  # refuses, never falls back to plain text
                if server.username is not None:
                    smtp.login(server.username, server.password or "")
            except BaseException:
                smtp.close()
                raise
        except (OSError, smtplib.SMTPException) as exc:
            raise MailServerUnreachable(
                f"{server.scheme}://{server.host}:{server.port}: {type(exc).__name__}: {exc}"
            ) from exc
        return smtp
