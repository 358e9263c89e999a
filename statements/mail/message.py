"""A queued message as RFC 5322: From, To, Subject, Date, Message-ID, the extra headers, a
UTF-8 text part and, when given, an HTML alternative. Pure: no database, and Flask only for
the language of its one refusal (English outside a request)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from ..errors import Invalid
from ..i18n import _

# RFC 5322 lines may be 998 characters long. At the usual 78, Python's e-mail package
# turns a long URL in List-Unsubscribe into encoded words, which no client reads as a URL.
# Bodies are 7-bit (quoted-printable or base64), so no server has to speak 8BITMIME.
POLICY = policy.SMTP.clone(cte_type="7bit", max_line_length=998)
# An address whose local part is not ASCII needs SMTPUTF8 and headers in raw UTF-8.
UTF8_POLICY = POLICY.clone(utf8=True)

MAX_SUBJECT = 300
MAX_KIND = 40
MAX_ADDRESS = 254
# Headers the service writes itself; the extra headers of a message may not replace them.
OWN_HEADERS = frozenset({
    "from", "to", "cc", "bcc", "sender", "subject", "date", "message-id", "mime-version",
    "content-type", "content-transfer-encoding", "auto-submitted",
})
_HEADER_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 field name: printable ASCII but ":"
_LOCAL_SPECIALS = re.compile(r'[\s()<>\[\]:;@\\,"\x00-\x1f\x7f]')


def recipient(to: str) -> str:
    """``to`` as it is sent: trimmed, its domain in IDNA (``xn--``) form. Raises
    :class:`Invalid` (for the field ``email``) if no mail can be addressed to it."""
    value = to.strip()
    local, at, domain = value.rpartition("@")
    refusal = Invalid(errors={"email": _("No e-mail can be sent to %(address)s.",
                                         address=repr(value[:MAX_ADDRESS]))})
    if not at or not local or not domain or len(value) > MAX_ADDRESS:
        raise refusal
    try:
        ascii_domain = domain if domain.isascii() else domain.encode("idna").decode("ascii")
        if local.isascii():
            return Address(addr_spec=f"{local}@{ascii_domain}").addr_spec
        Address(addr_spec=f"x@{ascii_domain}")
    except (ValueError, HeaderParseError) as exc:  # UnicodeError and e-mail defects too
        raise refusal from exc
    if _LOCAL_SPECIALS.search(local):
        raise refusal
    return f"{local}@{ascii_domain}"


def one_line(value: str, limit: int) -> str:
    """A header value on one line (line breaks would start new headers), cut at ``limit``."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def check_kind(kind: str) -> str:
    if not kind or len(kind) > MAX_KIND:
        raise ValueError(f"a message's kind is 1 to {MAX_KIND} characters, not {kind!r}")
    return kind


def check_headers(headers: dict[str, str]) -> dict[str, str]:
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name) or name.lower() in OWN_HEADERS:
            raise ValueError(f"{name!r} is not an extra header a message may carry")
        if "\r" in value or "\n" in value:
            raise ValueError(f"the header {name} holds a line break")
    return dict(headers)


def message_id(sender: str) -> str:
    """A new, globally unique Message-ID in the domain of the sender's address."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    return f"<{secrets.token_hex(16)}@{domain}>"


def envelope_sender(sender: str) -> str:
    """The bare address of MAIL_FROM (which may carry a name) for SMTP's MAIL FROM."""
    return parseaddr(sender)[1]


def compose(*, sender: str, to: str, subject: str, text: str, html: str | None,
            headers: dict[str, str], message_id: str, date: datetime) -> EmailMessage:
    """The message as it goes out. ``date`` is when it was queued, so that, like the
    Message-ID, it is the same on every attempt."""
    address = recipient(to)
    message = EmailMessage(policy=POLICY if address.isascii() else UTF8_POLICY)
    message["From"] = sender
    message["To"] = address
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    # RFC 3834: sent by a program, so that vacation responders do not answer it.
    message["Auto-Submitted"] = "auto-generated"
    for name, value in headers.items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message
