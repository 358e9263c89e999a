"""E-mail as a transactional outbox, against a real SMTP server on 127.0.0.1 (tests/smtp.py):
a failed request sends nothing; a successful one's mail arrives right after it; a server
that refuses, drops the connection or is down fails no request and loses no message; and
no message is ever sent twice, however many senders run at once."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, jsonify, request
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.orm import Session

from statements import create_app
from statements.config import ConfigError
from statements.database import write_transaction
from statements.errors import Invalid, InvalidState
from statements.extensions import csrf, db
from statements.mail import deliver_pending, queue_mail
from statements.mail.delivery import _claim, backoff
from statements.models import OutboxMessage
from statements.models.types import utcnow
from tests.conftest import make_app
from tests.live import ROOT, LiveServer
from tests.smtp import (
    DROP_DATA,
    REFUSE_DATA,
    REFUSE_RCPT,
    SmtpServer,
    certificate,
    wait_until,
)

PLACES = "昆明 São Paulo Кызыл"
TEXT = f"Please confirm your endorsement.\n\n{PLACES}\n"
HTML = f"<p>Please confirm your endorsement.</p><p>{PLACES}</p>"
UNSUBSCRIBE = "<https://statements.example.org/unsubscribe/" + "t" * 90 + ">"


def _mail_views() -> Blueprint:
    """A view that queues mail the way the features do, then fails if asked to."""
    bp = Blueprint("mailtest", __name__)

    @bp.post("/_test/mail")
    def send() -> Any:
        body = request.get_json()
        ids = [queue_mail(body.get("to", "ana@example.org"), body.get("subject", PLACES),
                          TEXT, html=HTML, kind="test",
                          headers={"List-Unsubscribe": UNSUBSCRIBE}).message_id
               for _ in range(body.get("count", 1))]
        if body.get("fail") == "exception":
            raise RuntimeError("the view broke after queueing")
        if body.get("fail") == "refusal":
            raise InvalidState("refused after queueing")
        return jsonify(message_ids=ids), 201

    csrf.exempt(bp)
    return bp


@pytest.fixture
def mail_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """mail_app(MAIL_URL=…, …): the app on this test's database, with the view above."""
    made: list[Flask] = []

    def make(**settings: Any) -> Flask:
        app = make_app(database_url, tmp_path / "instance", **settings)
        app.register_blueprint(_mail_views())
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def outbox(app: Flask) -> list[dict[str, Any]]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        found = [{c.name: getattr(row, c.name) for c in OutboxMessage.__table__.columns}
                 for row in rows]
        db.session.rollback()
    return found


def queue(app: Flask, count: int = 1, *, to: str = "ana@example.org") -> list[str]:
    """Queue ``count`` messages in one committed transaction, as a command would."""
    with app.app_context():
        with write_transaction():
            return [queue_mail(to, PLACES, TEXT, html=HTML, kind="test").message_id
                    for _ in range(count)]


def post(live: LiveServer, body: dict[str, Any]) -> tuple[int, Any]:
    """POST to the view above; the answer's JSON, or None for a page (the 500 page)."""
    req = urllib.request.Request(live.url + "/_test/mail", data=json.dumps(body).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, raw, kind = resp.status, resp.read(), resp.headers.get_content_type()
    except urllib.error.HTTPError as err:
        status, raw, kind = err.code, err.read(), err.headers.get_content_type()
    return status, json.loads(raw) if kind.endswith("json") else None


def deliver(app: Flask, limit: int = 100) -> tuple[int, int]:
    with app.app_context():
        return deliver_pending(limit)


def backoff_passes(app: Flask) -> None:
    """As if the time had come for every unsent message's next attempt."""
    with app.app_context():
        with write_transaction():
            db.session.execute(update(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
                               .values(next_attempt_at=utcnow() - timedelta(seconds=1)))


def send_mail(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def attempted(app: Flask, count: int = 1) -> list[dict[str, Any]]:
    """Wait until delivery after the request has tried ``count`` messages (it runs once
    the answer is out, in the server's thread)."""
    return wait_until(lambda: (rows := outbox(app)) and all(r["attempts"] for r in rows)
                      and len(rows) >= count and rows, what="the attempt after the request")


# --- queueing: in the transaction, or not at all ---------------------------------------


def test_queue_mail_adds_and_flushes_and_never_sends(mail_app, smtp: SmtpServer) -> None:
    app = mail_app(MAIL_URL=smtp.url())
    with app.app_context():
        with write_transaction():
            message = queue_mail("ana@example.org", PLACES, TEXT, kind="confirmation",
                                 headers={"List-Unsubscribe": UNSUBSCRIBE})
            assert message.id is not None  # flushed
            assert message.message_id.startswith("<") and message.message_id.endswith(
                "@localhost>")
        with pytest.raises(RuntimeError):
            with write_transaction():
                queue_mail("bo@example.org", "never", TEXT, kind="confirmation")
                raise RuntimeError("the change failed")
    rows = outbox(app)
    assert [(r["to_address"], r["kind"], r["attempts"], r["sent_at"]) for r in rows] == [
        ("ana@example.org", "confirmation", 0, None)]
    assert rows[0]["headers_json"] == '{"List-Unsubscribe": "' + UNSUBSCRIBE + '"}'
    assert smtp.received == []


@pytest.mark.parametrize("fail", ["exception", "refusal"])
def test_a_request_that_fails_sends_nothing(mail_app, smtp: SmtpServer, fail: str) -> None:
    app = mail_app(MAIL_URL=smtp.url())
    with LiveServer(app) as live:
        status, _ = post(live, {"fail": fail, "count": 3})
    assert status == (500 if fail == "exception" else 409)
    assert outbox(app) == []
    assert deliver(app) == (0, 0)
    assert send_mail(app).startswith("sent 0, failed 0, waiting 0")
    assert smtp.received == []


def test_an_address_no_mail_can_reach_is_refused_with_the_request(mail_app,
                                                                  smtp: SmtpServer) -> None:
    app = mail_app(MAIL_URL=smtp.url())
    with LiveServer(app) as live:
        status, _ = post(live, {"to": "a<b@example.org"})
    assert status == 422
    assert outbox(app) == []


def test_what_could_never_be_sent_is_refused_when_queued(mail_app) -> None:
    app = mail_app()
    with app.app_context():
        with write_transaction():
            with pytest.raises(Invalid) as refused:
                queue_mail("no address", "x", TEXT, kind="test")
            assert "email" in refused.value.errors
            with pytest.raises(ValueError, match="extra header"):
                queue_mail("ana@example.org", "x", TEXT, kind="test", headers={"Bcc": "x@y.z"})
            with pytest.raises(ValueError, match="line break"):
                queue_mail("ana@example.org", "x", TEXT, kind="test",
                           headers={"X-Note": "a\r\nBcc: eve@example.org"})
            with pytest.raises(ValueError, match="kind"):
                queue_mail("ana@example.org", "x", TEXT, kind="")
            one_line = queue_mail("ana@example.org", "Two\nlines\r\nBcc: eve@example.org",
                                  TEXT, kind="test")
            long = queue_mail("ana@example.org", "Ж" * 400, TEXT, kind="test")
            assert one_line.subject == "Two lines Bcc: eve@example.org"
            assert len(long.subject) == 300 and long.subject.endswith("…")


# --- delivery right after the request ---------------------------------------------------


def test_a_successful_requests_mail_arrives_right_after_it(mail_app, smtp: SmtpServer) -> None:
    app = mail_app(MAIL_URL=smtp.url(), MAIL_FROM="Déclarations <noreply@statements.test>")
    with LiveServer(app) as live:
        status, body = post(live, {})
        assert status == 201
        [received] = smtp.wait_for(1)  # no send-mail: the service sent it itself
    [row] = attempted(app)
    assert row["sent_at"] is not None and row["attempts"] == 1 and row["last_error"] is None
    assert received.mail_from == "noreply@statements.test"
    assert received.rcpt_tos == ["ana@example.org"]
    message = received.message
    assert message["Message-ID"] == row["message_id"] == body["message_ids"][0]
    assert row["message_id"].endswith("@statements.test>")
    assert message["Subject"] == PLACES
    assert message["From"] == "Déclarations <noreply@statements.test>"
    assert message["To"] == "ana@example.org"
    assert message["Date"].datetime == row["created_at"].replace(microsecond=0)
    assert message["List-Unsubscribe"] == UNSUBSCRIBE
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == TEXT
    assert message.get_body(("html",)).get_content().strip() == HTML
    assert received.raw.isascii()  # 7-bit: any server takes it
    assert b"List-Unsubscribe: " + UNSUBSCRIBE.encode() in received.raw  # one line, not encoded


def test_the_answer_does_not_wait_for_the_mail_server(mail_app, smtp: SmtpServer) -> None:
    smtp.hold = threading.Event()  # the server sits on the message until released
    app = mail_app(MAIL_URL=smtp.url())
    with LiveServer(app) as live:
        status, _ = post(live, {})
        assert status == 201
        assert smtp.received == []  # answered while delivery had not finished
        assert smtp.data_started.wait(10)  # and delivery was then under way
        smtp.hold.set()
        smtp.wait_for(1)
    attempted(app)


@pytest.mark.parametrize("mode, error", [
    (REFUSE_RCPT, "451"), (REFUSE_DATA, "550"), (DROP_DATA, "SMTPServerDisconnected"),
])
def test_a_refusing_server_fails_no_request_and_loses_nothing(
        mail_app, smtp: SmtpServer, mode: str, error: str) -> None:
    smtp.mode = mode
    app = mail_app(MAIL_URL=smtp.url())
    with LiveServer(app) as live:
        status, body = post(live, {})
    assert status == 201
    [row] = attempted(app)
    assert row["sent_at"] is None and row["attempts"] == 1
    assert error in row["last_error"]
    wait = row["next_attempt_at"] - utcnow()
    assert timedelta(seconds=20) < wait <= timedelta(seconds=33)
    # Not due yet: send-mail leaves it alone.
    assert send_mail(app).startswith("sent 0, failed 0, waiting 1 (next attempt at ")
    assert smtp.received == []

    smtp.mode = "accept"  # the server is fixed, and the back-off has passed
    backoff_passes(app)
    assert send_mail(app) == "sent 1, failed 0, waiting 0"
    assert send_mail(app) == "sent 0, failed 0, waiting 0"
    assert smtp.message_ids() == body["message_ids"]  # exactly once
    [row] = outbox(app)
    assert row["sent_at"] is not None and row["attempts"] == 2


def test_a_burst_while_the_server_is_down_is_delivered_once_it_is_up(
        mail_app, database_url: str) -> None:
    smtp = SmtpServer()  # its port, with nothing listening yet
    app = mail_app(MAIL_URL=smtp.url())
    with LiveServer(app) as live, ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(lambda i: live.request("POST", "/_test/mail",
                                                       {"subject": f"{PLACES} {i}"}),
                                range(50)))
        assert [status for status, _ in answers] == [201] * 50
        # Wait until no delivery after a request is still holding a claim.
        wait_until(lambda: all(r["next_attempt_at"] < utcnow() + timedelta(minutes=1)
                               for r in outbox(app)), what="the attempts to end")
    queued = sorted(body["message_ids"][0] for _, body in answers)
    rows = outbox(app)
    assert len(rows) == 50 and all(r["sent_at"] is None for r in rows)
    assert any(r["attempts"] for r in rows)
    assert all("ConnectionRefusedError" in r["last_error"] for r in rows if r["attempts"])

    with smtp:
        send_mail(app)  # those never tried yet are due now
        backoff_passes(app)
        assert send_mail(app).endswith("waiting 0")
        assert sorted(smtp.message_ids()) == queued
        assert Counter(smtp.message_ids()).most_common(1)[0][1] == 1
    assert all(r["sent_at"] is not None for r in outbox(app))


def test_fifty_endorsements_while_the_server_is_down_all_land_and_all_mail_arrives(
        mail_app) -> None:
    """The issue's burst: 50 people endorse without an account while the mail server is
    down; every request succeeds, and every confirmation link arrives once it is back."""
    from tests.factories import make_statement

    smtp = SmtpServer()  # its port, with nothing listening yet
    app = mail_app(MAIL_URL=smtp.url())
    slug = make_statement(app, status="endorsing")
    addresses = [f"signer{i}@example.org" for i in range(50)]
    with LiveServer(app) as live, ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda a: live.request(
            "POST", f"/api/v1/statements/{slug}/endorsements",
            {"kind": "individual", "name": f"Person {a}", "email": a}), addresses))
        assert [status for status, _ in answers] == [202] * 50
        wait_until(lambda: all(r["next_attempt_at"] < utcnow() + timedelta(minutes=1)
                               for r in outbox(app)), what="the attempts to end")
    assert len(outbox(app)) == 50 and all(r["sent_at"] is None for r in outbox(app))
    with smtp:
        send_mail(app)
        backoff_passes(app)
        assert send_mail(app).endswith("waiting 0")
        received = smtp.received
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(addresses)
    assert all("/confirm/" in r.message.get_body(("plain",)).get_content() for r in received)


def test_the_file_transport_writes_readable_eml_files(mail_app, tmp_path: Path) -> None:
    app = mail_app()  # MAIL_URL defaults to file
    assert app.config["MAIL_URL"] == "file"
    with LiveServer(app) as live:
        status, body = post(live, {})
        assert status == 201
        attempted(app)
    folder = tmp_path / "instance" / "mail"
    [path] = list(folder.iterdir())  # no temporary file left behind
    assert path.suffix == ".eml"
    raw = path.read_bytes()
    assert raw.isascii() and b"\r\nSubject: =?utf-8?" in raw
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message["Subject"] == PLACES
    assert message["Message-ID"] == body["message_ids"][0]
    assert PLACES in message.get_body(("plain",)).get_content()
    assert PLACES in message.get_body(("html",)).get_content()

    # Sent again (as after a lost answer): the same file, not a second one.
    with app.app_context():
        with write_transaction():
            db.session.execute(update(OutboxMessage).values(sent_at=None,
                                                            next_attempt_at=utcnow()))
    assert deliver(app) == (1, 0)
    assert list(folder.iterdir()) == [path]


# --- never twice -------------------------------------------------------------------------


def test_two_senders_at_once_never_send_a_message_twice(mail_app, smtp: SmtpServer) -> None:
    app = mail_app(MAIL_URL=smtp.url())
    queued = queue(app, 60)
    start = threading.Barrier(4)
    results: list[tuple[int, int]] = []

    def sender() -> None:
        with app.app_context():
            start.wait()
            results.append(deliver_pending())

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(sent for sent, _ in results) == 60 and all(f == 0 for _, f in results)
    assert sorted(smtp.message_ids()) == sorted(queued)  # each once
    assert deliver(app) == (0, 0)


def test_a_burst_is_claimed_and_marked_sent_in_batches(mail_app, smtp: SmtpServer) -> None:
    """20 messages: claimed 8 at a time, each batch marked sent in one statement, so the
    burst costs a few write transactions, not two per message."""
    from tests.test_query_budget import counted

    app = mail_app(MAIL_URL=smtp.url())
    queued = queue(app, 20)
    with counted(app) as seen:
        assert deliver(app) == (20, 0)
    claims = [s for s in seen if s.lstrip().upper().startswith("SELECT")
              and "outbox_messages" in s and "ORDER BY" in s.upper()]
    marked = [s for s in seen if s.lstrip().upper().startswith("UPDATE")
              and "sent_at" in s.split("WHERE")[0]]
    assert len(claims) == 4  # 8 + 8 + 4, then one that finds none
    assert len(marked) == 3
    assert sorted(smtp.message_ids()) == sorted(queued)
    assert all(r["sent_at"] is not None and r["attempts"] == 1 for r in outbox(app))


def test_mail_of_requests_in_a_row_is_gathered_into_one_batch(mail_app,
                                                               smtp: SmtpServer) -> None:
    """Five requests in a row, each queueing a message: the sender waits
    MAIL_GATHER_SECONDS after the first, then claims all five in one transaction and marks
    them sent in one, instead of two write transactions for each."""
    from tests.test_query_budget import counted

    app = mail_app(MAIL_URL=smtp.url(), MAIL_GATHER_SECONDS=3)
    with counted(app) as seen, LiveServer(app) as live:
        queued = [post(live, {})[1]["message_ids"][0] for _ in range(5)]
        smtp.wait_for(5)
        wait_until(lambda: all(r["sent_at"] for r in outbox(app)), what="marked sent")
    claims = [s for s in seen if s.lstrip().upper().startswith("SELECT")
              and "outbox_messages.next_attempt_at <=" in s]
    marked = [s for s in seen if s.lstrip().upper().startswith("UPDATE")
              and "sent_at" in s.split("WHERE")[0]]
    assert len(claims) == 2  # the five, then one that finds none
    assert len(marked) == 1
    assert sorted(smtp.message_ids()) == sorted(queued)


def test_a_server_lost_mid_batch_counts_what_went_and_gives_the_rest_back(
        mail_app, monkeypatch: pytest.MonkeyPatch) -> None:
    """The third message of a batch finds the server gone: the two sent are marked sent and
    counted, the third waits for its next attempt, the five never tried are due at once."""
    from statements.mail import delivery
    from statements.mail.transport import MailServerUnreachable

    class GoneAfterTwo:
        def __init__(self) -> None:
            self.sent: list[str] = []

        def send(self, message: Any, sender: str, recipient: str) -> None:
            if len(self.sent) == 2:
                raise MailServerUnreachable("the server went away")
            self.sent.append(message["Message-ID"])

        def close(self) -> None:
            pass

    app = mail_app()
    queued = queue(app, 8)
    transport = GoneAfterTwo()
    monkeypatch.setattr(delivery, "open_transport", lambda *args: transport)
    assert deliver(app) == (2, 1)
    assert transport.sent == queued[:2]
    rows = outbox(app)
    assert [r["sent_at"] is not None for r in rows] == [True, True] + [False] * 6
    assert rows[2]["attempts"] == 1 and "went away" in rows[2]["last_error"]
    assert rows[2]["next_attempt_at"] > utcnow() + timedelta(seconds=20)  # backoff
    assert all(r["attempts"] == 0 and r["next_attempt_at"] <= utcnow() for r in rows[3:])


def test_on_postgresql_a_claimed_message_is_skipped_not_waited_for(
        mail_app, smtp: SmtpServer, database_url: str, on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; on SQLite the write lock "
                    "serialises senders (the test above)")
    app = mail_app(MAIL_URL=smtp.url())
    first, *others = queue(app, 3)
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn, conn.begin():  # another sender, mid-claim
            conn.execute(text("SELECT id FROM outbox_messages WHERE message_id = :m "
                              "FOR UPDATE"), {"m": first})
            results: list[tuple[int, int]] = []
            thread = threading.Thread(target=lambda: results.append(deliver(app)))
            thread.start()
            thread.join(20)
            assert not thread.is_alive() and results == [(2, 0)]
            assert sorted(smtp.message_ids()) == sorted(others)
    finally:
        engine.dispose()
    assert deliver(app) == (1, 0)


def test_a_sender_that_died_mid_attempt_leaves_a_claim_that_runs_out(
        mail_app, smtp: SmtpServer) -> None:
    app = mail_app(MAIL_URL=smtp.url())
    [queued] = queue(app)
    with app.app_context():
        with Session(db.engine) as session:
            assert _claim(session)  # … and the process is killed here
    assert deliver(app) == (0, 0)  # claimed: nobody else sends it meanwhile
    assert send_mail(app).startswith("sent 0, failed 0, waiting 1")
    backoff_passes(app)  # the claim has run out
    assert deliver(app) == (1, 0)
    assert smtp.message_ids() == [queued]


def test_backoff_grows_to_an_hour_with_some_jitter() -> None:
    for attempts, base in [(1, 30), (2, 120), (3, 600), (4, 3600), (9, 3600)]:
        waits = {backoff(attempts) for _ in range(20)}
        assert all(timedelta(seconds=base) <= w <= timedelta(seconds=base * 1.1) for w in waits)
        assert len(waits) > 1


# --- send-mail --loop ---------------------------------------------------------------------


def test_send_mail_loop_delivers_until_interrupted(mail_app, smtp: SmtpServer,
                                                   database_url: str, tmp_path: Path) -> None:
    app = mail_app(MAIL_URL=smtp.url())
    [first] = queue(app)
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "loop-" + "k" * 32,
           "INSTANCE_PATH": str(tmp_path / "instance"), "MAIL_URL": smtp.url()}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "send-mail",
                                "--loop"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        smtp.wait_for(1, timeout=30)
        [second] = queue(app)  # queued while it runs: picked up on its next round
        smtp.wait_for(2, timeout=30)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    # One line per round that did something: the round under way when interrupted finished.
    rounds = re.findall(r"^sent (\d+), failed 0, waiting (\d+)", output, flags=re.M)
    assert sum(int(sent) for sent, _ in rounds) == 2 and rounds[-1][1] == "0", output
    assert output.rstrip().endswith("Stopped.")
    assert smtp.message_ids() == [first, second]
    assert all(r["sent_at"] is not None for r in outbox(app))


# --- SMTP flavours: TLS, passwords, international addresses ---------------------------------


@pytest.fixture
def trusted_cert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that the service's verifying TLS trusts."""
    cert = certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    return cert


@pytest.mark.parametrize("tls", ["starttls", "smtps"])
# aiosmtpd cannot tell that an smtps connection is TLS from its first byte.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_tls_with_a_password(mail_app, trusted_cert, tls: str) -> None:
    with SmtpServer(tls=tls, cert=trusted_cert, password="s3cret/+") as smtp:
        app = mail_app(MAIL_URL=smtp.url("ana", "s3cret%2F%2B"))
        [queued] = queue(app)
        assert deliver(app) == (1, 0)
        [received] = smtp.received
        assert received.message_id == queued and received.login == "ana"

        app = mail_app(MAIL_URL=smtp.url("ana", "wrong"))
        queue(app)
        assert deliver(app) == (0, 1)
        assert "SMTPAuthenticationError" in outbox(app)[-1]["last_error"]
        assert len(smtp.received) == 1


def test_starttls_is_never_skipped_for_a_server_without_it(mail_app, smtp: SmtpServer) -> None:
    app = mail_app(MAIL_URL=f"smtp+starttls://127.0.0.1:{smtp.port}")
    queue(app, 3)
    # The server cannot be used at all: one attempt, the rest wait for the next run.
    assert deliver(app) == (0, 1)
    rows = outbox(app)
    assert "SMTPNotSupportedError" in rows[0]["last_error"]
    assert [r["attempts"] for r in rows] == [1, 0, 0]
    assert smtp.received == []


def test_an_untrusted_certificate_is_refused(mail_app, tmp_path: Path) -> None:
    with SmtpServer(tls="smtps", cert=certificate(tmp_path)) as smtp:
        app = mail_app(MAIL_URL=smtp.url())
        queue(app)
        assert deliver(app) == (0, 1)
        assert "CERTIFICATE_VERIFY_FAILED" in outbox(app)[0]["last_error"]
        assert smtp.received == []


def test_international_addresses(mail_app) -> None:
    with SmtpServer() as smtp:
        app = mail_app(MAIL_URL=smtp.url())
        queue(app, to="josé@exemplo.br")
        queue(app, to="ana@bücher.de")
        assert deliver(app) == (2, 0)
        assert [r.rcpt_tos for r in smtp.received] == [["josé@exemplo.br"],
                                                       ["ana@xn--bcher-kva.de"]]
    with SmtpServer(smtputf8=False) as smtp:  # a server that cannot take a UTF-8 address
        app = mail_app(MAIL_URL=smtp.url())
        queue(app, to="josé@exemplo.br")
        assert deliver(app) == (0, 1)
        row = [r for r in outbox(app) if r["sent_at"] is None][0]
        assert "SMTPNotSupportedError" in row["last_error"]  # kept, retried later


# --- settings -------------------------------------------------------------------------------


def test_mail_settings_are_checked_at_start_up(tmp_path: Path) -> None:
    base = {"SECRET_KEY": "x" * 32, "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    app = create_app(base)
    assert (app.config["MAIL_URL"], app.config["MAIL_FROM"]) == ("file",
                                                                  "statements@localhost")
    for url in ["smtp://", "http://mail.example.org", "smtp://ana:hunter2@mail:99999",
                "smtps://ana:hunter2@mail/path"]:
        with pytest.raises(ConfigError, match="MAIL_URL") as caught:
            create_app({**base, "MAIL_URL": url})
        assert "hunter2" not in str(caught.value)
    with pytest.raises(ConfigError, match="MAIL_FROM"):
        create_app({**base, "MAIL_FROM": "not an address"})
