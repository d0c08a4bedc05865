"""The daily report by e-mail: an XLSX upward report to each official with an address and to HOTRO_REPORT_EMAIL_TO.

At the configured report time (settings.daily_report_time, as for the chat report) every process checks;
each recipient's e-mail of the day is claimed in kv_store (storage/claims.py), so one process sends it.
The message goes through SMTP with aiosmtplib (STARTTLS or implicit TLS, and login when configured). A refused or failed
send is tried again with a growing delay; after the last try the officials are told in the chat.
`hotro report --official-id N --email ADDRESS` sends one at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import HoTro
from bot.config import Settings
from handlers import admin_units
from handlers.report import sheet as report_sheet
from handlers.report.chat import REPORT_ACTION
from handlers.report.service import area_name, render_report
from handlers.turn import Button, Reply
from messages import fmt
from messages.i18n import _
from messages.vocabulary import AreaLevel, Role, SmtpSecurity
from storage import actors, claims, outbox
from storage.conversations import show_keyboard
from storage.crypto import DataProtector, DecryptionError
from storage.models import Official
from storage.officials import active_admins, chats_of, email_of, scope, with_email
from storage.report_figures import area_report, commune_rows
from storage.retention import REPORT_EMAIL_CLAIMS

log = logging.getLogger(__name__)

CHECK_INTERVAL = 30.0  # seconds between clock checks, as the chat report's scheduler
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass(frozen=True)
class Recipient:
    address: str
    official: Official  # whose area the report covers (a transient one for HOTRO_REPORT_EMAIL_TO)
    key: str  # names the day's claim; never the address itself (kv_store is not encrypted)


@dataclass(frozen=True)
class Report:
    subject: str
    body: str
    attachment: bytes
    filename: str


class NotConfigured(ValueError):
    """No SMTP server or no sender address: the e-mail report is off."""


def configured(settings: Settings) -> bool:
    return bool(settings.smtp_host and (settings.report_email_from or settings.smtp_user))


def extra_addresses(settings: Settings) -> list[tuple[str, Official]]:
    """HOTRO_REPORT_EMAIL_TO: "ADDRESS" (the deployment's province), "ADDRESS=district:186" (that area) or
    "ADDRESS=all" (every area), comma-separated. A malformed entry is logged (without the address) and skipped."""
    found = []
    for number, part in enumerate(settings.report_email_to.split(","), start=1):
        address, _sep, area = part.strip().partition("=")
        if not address:
            continue
        level, _colon, code = area.strip().partition(":")
        if not area:
            found.append((address.strip(), Official(role=Role.PROVINCE, area_code=settings.province_code)))
        elif level == "all" and not code:
            found.append((address.strip(), Official(role=Role.ADMIN, area_code=None)))
        elif level in (Role.COMMUNE, Role.DISTRICT, Role.PROVINCE) and code.isdigit():
            if admin_units.get(AreaLevel(level), int(code)) is None:
                log.error("HOTRO_REPORT_EMAIL_TO entry %d: %s %s is not a GSO code of 2021", number, level, code)
                continue
            found.append((address.strip(), Official(role=Role(level), area_code=int(code))))
        else:
            log.error(
                "HOTRO_REPORT_EMAIL_TO entry %d: the area must be commune:N, district:N, province:N or all", number
            )
    return found


async def recipients(session: AsyncSession, settings: Settings, protector: DataProtector) -> list[Recipient]:
    found = []
    for official in await with_email(session):
        try:
            address = email_of(official, protector)
        except DecryptionError:
            log.error("the e-mail address of official %s does not decrypt with this key", official.id)
            continue
        if address:
            found.append(Recipient(address, official, actors.official(official.id)))
    for address, area in extra_addresses(settings):
        digest = hashlib.sha256(f"{address.casefold()}={area.role}:{area.area_code}".encode()).hexdigest()[:24]
        found.append(Recipient(address, area, f"to:{digest}"))
    return found


async def build_report(session: AsyncSession, official: Official, today: date, now: datetime) -> Report:
    area = area_name(official)
    data = await area_report(session, scope(official), today, now)
    rows = await commune_rows(session, scope(official))
    body = "\n\n".join(
        [
            _("Dear colleagues,"),
            render_report(data, area, today),
            _("The attached spreadsheet has a row per commune, with the applications by status and the amounts."),
            _("This e-mail was sent automatically by HoTro; please do not reply to it."),
        ]
    )
    return Report(
        subject=_("Daily report on support under Resolution 68 – {area} – {date}").format(
            area=area, date=fmt.day(today)
        ),
        body=body,
        attachment=report_sheet.build(official, rows, area, today, now),
        filename=f"bao-cao-nq68-{today.isoformat()}.xlsx",
    )


def compose(settings: Settings, to: str, report: Report) -> EmailMessage:
    sender = settings.report_email_from or settings.smtp_user
    if not (settings.smtp_host and sender):
        raise NotConfigured("HOTRO_SMTP_HOST and HOTRO_REPORT_EMAIL_FROM (or HOTRO_SMTP_USER) are needed")
    message = EmailMessage()
    message["Subject"] = report.subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(report.body)
    message.add_attachment(report.attachment, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=report.filename)
    return message


class SendFailure(Exception):
    """One try that did not go through; `unreachable` when the server could not be reached at all."""

    def __init__(self, error: str, unreachable: bool) -> None:
        super().__init__(error)
        self.error, self.unreachable = error, unreachable


SMTPS_PORT = 465


def security(settings: Settings) -> SmtpSecurity:
    """HOTRO_SMTP_SECURITY when set; else implicit TLS on port 465 (nothing else is spoken there), else the
    older HOTRO_SMTP_STARTTLS (true: starttls, false: none)."""
    if settings.smtp_security is not None:
        return settings.smtp_security
    if settings.smtp_port == SMTPS_PORT:
        return SmtpSecurity.TLS
    return SmtpSecurity.STARTTLS if settings.smtp_starttls else SmtpSecurity.NONE


def _connection_problem(settings: Settings, mode: SmtpSecurity, exc: Exception) -> str | None:
    """The official's (and the CLI's) Vietnamese reason a connection failed before any SMTP reply, with the
    setting to check; None for a server's own refusal, which is passed on as the server wrote it."""
    import aiosmtplib  # loaded by send_once already

    server = f"{settings.smtp_host}:{settings.smtp_port}"
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    if isinstance(cause, ssl.SSLCertVerificationError):
        return _(
            "The certificate of the mail server {server} is not trusted ({detail}): set HOTRO_SMTP_CA_FILE to the "
            "CA certificate of the server."
        ).format(server=server, detail=cause.verify_message or cause.reason)
    if isinstance(cause, ssl.SSLError) or isinstance(exc, aiosmtplib.SMTPConnectTimeoutError):
        # TLS against a plain server fails the handshake; plain SMTP (STARTTLS) against an SMTPS server
        # waits for a greeting the server only sends after a handshake.
        return _(
            "Could not connect to the mail server {server} with security {mode}: the server does not answer "
            "that way. Check HOTRO_SMTP_SECURITY (usually tls on port 465, starttls on port 587)."
        ).format(server=server, mode=mode)
    if isinstance(exc, aiosmtplib.SMTPConnectError | OSError):
        return _("Could not connect to the mail server {server} ({detail}).").format(
            server=server, detail=str(cause) or type(cause).__name__
        )
    return None


async def send_once(settings: Settings, message: EmailMessage) -> None:
    # Here, not at the top: only sending needs it, not every command's start (bot.app.settle_heap loads it).
    import aiosmtplib

    mode = security(settings)
    try:
        # aiosmtplib's use_tls is implicit TLS (the handshake on connect, SMTPS, port 465); start_tls is the
        # STARTTLS upgrade of a plain connection (port 587). The two are mutually exclusive, and start_tls=False
        # is given so that "none" never upgrades on its own (aiosmtplib's default start_tls=None upgrades when the
        # server offers it): https://aiosmtplib.readthedocs.io/en/stable/encryption.html
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_user,
            password=settings.smtp_password,
            use_tls=mode == SmtpSecurity.TLS,
            start_tls=mode == SmtpSecurity.STARTTLS,
            cert_bundle=str(settings.smtp_ca_file) if settings.smtp_ca_file else None,
            timeout=settings.smtp_timeout_seconds,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        raw = str(exc) or type(exc).__name__
        # Never the address in the log (a server's "550 <address>: …" quotes it): an official's work address.
        logged = raw.replace(str(message["To"]), "<recipient>")
        log.warning("the e-mail report was not sent (%s): %s", mode, logged)
        unreachable = isinstance(exc, aiosmtplib.SMTPConnectError | aiosmtplib.SMTPServerDisconnected | OSError)
        raise SendFailure(_connection_problem(settings, mode, exc) or raw, unreachable) from exc


def retry_delay(settings: Settings, attempt: int) -> timedelta:
    """The wait after failed attempt `attempt` (0 for the first): 1, 2, 4... times the configured delay."""
    return timedelta(seconds=settings.report_email_retry_seconds * 2**attempt)


async def send(settings: Settings, message: EmailMessage) -> str | None:
    """Send now, trying again after each delay (`hotro report --email`: someone waits); None when sent, else
    the last error."""
    error = ""
    for attempt in range(settings.report_email_attempts):
        if attempt:
            await asyncio.sleep(retry_delay(settings, attempt - 1).total_seconds())
        try:
            await send_once(settings, message)
            return None
        except SendFailure as failure:
            error = failure.error
    return error


def lease(settings: Settings) -> timedelta:
    """Long enough for one attempt (connect, TLS, login, data): a claim older than this belongs to a
    process that died."""
    return timedelta(seconds=settings.smtp_timeout_seconds * 4 + 60)


async def _tell_officials(app: HoTro, recipient: Recipient, today: date, error: str) -> None:
    """A report that could not be sent: its official (or, for a HOTRO_REPORT_EMAIL_TO address, the
    administrators) are told in the chat, and pointed to the report in the bot."""
    now = datetime.now(UTC)
    text = "⚠️ " + _(
        "The daily report of {date} could not be sent by e-mail to {address} ({error}). The report is in the bot: "
        "press the button below."
    ).format(date=fmt.day(today), address=recipient.address, error=error[:300])
    reply = Reply(text, [[Button(_("📊 Progress report"), REPORT_ACTION)]])
    async with app.sessions.begin() as session:
        # A registered official is told in their chat; an address of HOTRO_REPORT_EMAIL_TO, the admins.
        told = [recipient.official] if recipient.official.id is not None else list(await active_admins(session))
        payload = reply.to_payload()
        for channel, chat_id in await chats_of(session, told):
            await outbox.enqueue(session, channel, chat_id, payload, now, app.protector)
            await show_keyboard(session, channel, chat_id, payload["buttons"])
    app.sender.wake()


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    pending: int = 0  # to try again, or in another process's hands (maybe it died): check again later


async def send_daily_emails(app: HoTro, today: date, now: datetime) -> Outcome:
    """One round: today's e-mail to every recipient not claimed by another process and due (not sent yet, or
    its retry's time has come). A refused e-mail is put back for a later round after a doubling delay, so a
    server that is down costs each recipient one try per round, not a sleeping worker; once the server
    cannot be reached at all, the round stops and the rest wait for the next one."""
    settings = app.settings
    outcome = Outcome()
    if not configured(settings):
        return outcome
    async with app.sessions() as session:
        targets = await recipients(session, settings, app.protector)
    for number, recipient in enumerate(targets):
        key = f"{REPORT_EMAIL_CLAIMS}{today.isoformat()}:{recipient.key}"
        async with app.sessions.begin() as session:
            attempt = await claims.claim(session, key, now, lease(settings))
            if attempt is None:
                outcome.pending += await claims.unfinished(session, key)
                continue
        async with app.sessions() as session:
            report = await build_report(session, recipient.official, today, now)
        try:
            await send_once(settings, compose(settings, recipient.address, report))
        except SendFailure as failure:
            last = attempt + 1 >= settings.report_email_attempts
            async with app.sessions.begin() as session:
                if last:
                    await claims.finish(session, key, now, claims.GAVE_UP)
                else:
                    await claims.retry(session, key, now + retry_delay(settings, attempt))
            if last:
                outcome.failed += 1
                await _tell_officials(app, recipient, today, failure.error)
            else:
                outcome.pending += 1
            if failure.unreachable:
                outcome.pending += len(targets) - number - 1  # not tried: the next round will
                break
            continue
        async with app.sessions.begin() as session:
            await claims.finish(session, key, now, claims.DONE)
        outcome.sent += 1
    log.info(
        "daily report e-mails for %s: %d sent, %d failed, %d to try again",
        today,
        outcome.sent,
        outcome.failed,
        outcome.pending,
    )
    return outcome


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def run_email_reports(
    app: HoTro, stop: asyncio.Event, clock: Callable[[], datetime] = _utcnow, interval: float = CHECK_INTERVAL
) -> None:
    """Background task: the day's e-mails once the local time passes settings.daily_report_time."""
    if not configured(app.settings):
        return
    hours, minutes = app.settings.daily_report_time.split(":")  # validated HH:MM
    at = time(int(hours), int(minutes))
    done: date | None = None
    while not stop.is_set():
        now = clock()
        local = fmt.local(now)
        if local.time() >= at and done != local.date():
            try:
                # Done for the day once nothing is left to retry or in another process's hands (if that
                # process died, its claim expires and a later check here sends the e-mail).
                if not (await send_daily_emails(app, local.date(), now)).pending:
                    done = local.date()
            except Exception:  # a database hiccup must not end the loop; the next check retries
                log.exception("daily report e-mails failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
