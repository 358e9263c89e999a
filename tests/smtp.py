"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd, in a thread of its own), that
records what it accepts and can be told to refuse, to drop the connection, to hold a
message, to speak TLS and to ask for a password."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
# How the server answers: accept; 451 to RCPT; 550 to DATA; or drop the connection once
# the message's data has arrived, before answering it (the sender cannot know whether it
# was taken).
ACCEPT, REFUSE_RCPT, REFUSE_DATA, DROP_DATA = "accept", "refuse-rcpt", "refuse-data", "drop-data"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    login: str | None

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.raw)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if self.server.mode == REFUSE_RCPT:
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.server.data_started.set()
        if self.server.hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.server.hold.wait, 10)
        mode = self.server.mode
        if mode == REFUSE_DATA:
            return "550 5.7.1 Message refused"
        if mode == DROP_DATA:
            server.transport.abort()
            return "421 gone"  # never reaches the client
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        self.server.record(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                    bytes(envelope.original_content or envelope.content),
                                    login))
        return "250 OK: queued"


class SmtpServer:
    """``with SmtpServer() as smtp:`` … ``smtp.url`` is its MAIL_URL. ``tls`` is
    ``"starttls"`` or ``"smtps"`` (with a certificate from :func:`certificate`);
    ``password`` makes it ask for AUTH (login ``ana``)."""

    def __init__(self, port: int | None = None, *, tls: str | None = None,
                 cert: tuple[Path, Path] | None = None, password: str | None = None,
                 smtputf8: bool = True) -> None:
        self.port = port or free_port()
        self.tls = tls
        self.password = password
        self.mode = ACCEPT
        self.hold: threading.Event | None = None  # set: DATA waits until it is set
        self.data_started = threading.Event()
        self.received: list[Received] = []
        self._changed = threading.Condition()
        kwargs: dict[str, Any] = {"server_hostname": "smtp.test",
                                  "enable_SMTPUTF8": smtputf8}
        if tls is not None:
            assert cert is not None, "a TLS server needs a certificate"
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*cert)
            if tls == "smtps":  # TLS from the first byte, which aiosmtpd cannot see
                kwargs.update(ssl_context=context, auth_require_tls=False)
            else:
                kwargs.update(tls_context=context, require_starttls=True)
        if password is not None:
            kwargs.update(authenticator=self._authenticate, auth_required=True)
        self.controller = Controller(_Handler(self), hostname=HOST, port=self.port, **kwargs)
        self.running = False

    def url(self, user: str | None = None, password: str | None = None) -> str:
        scheme = {None: "smtp", "starttls": "smtp+starttls", "smtps": "smtps"}[self.tls]
        auth = f"{user}:{password}@" if user is not None else ""
        return f"{scheme}://{auth}{HOST}:{self.port}"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b"ana"
              and auth_data.password == (self.password or "").encode())
        # A refusal is left to aiosmtpd, which answers 535.
        return AuthResult(success=ok, handled=ok, auth_data=auth_data)

    def record(self, received: Received) -> None:
        with self._changed:
            self.received.append(received)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 15) -> list[Received]:
        """Wait until ``count`` messages have arrived; fail the test if they don't."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"{len(self.received)} of {count} messages arrived")
            return list(self.received)

    def message_ids(self) -> list[str]:
        with self._changed:
            return [r.message_id for r in self.received]

    def start(self) -> SmtpServer:
        self.controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        if self.running:
            if self.hold is not None:
                self.hold.set()
            self.controller.stop()
            self.running = False

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (cert.pem, key.pem). Point SSL_CERT_FILE at
    cert.pem and the service's ordinary, verifying TLS trusts it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def wait_until(check: Any, timeout: float = 15, what: str = "the condition") -> Any:
    """Poll ``check()`` until it returns something true (delivery after a request runs
    once the answer is out, in the server's thread)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
