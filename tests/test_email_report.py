"""The daily report by e-mail, against a real SMTP server on loopback (aiosmtpd): the message, its XLSX
attachment (opened with openpyxl), once a day across processes, retries, the officials told of a failure."""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import io
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from openpyxl import load_workbook
from sqlalchemy import select, true

from bot import email_report, officials_cli
from bot import report_jobs as daily
from bot.app import HoTro, create_app
from bot.config import Settings
from handlers import admin_units
from handlers.report.sheet import FIRST_DATA_ROW, headers
from messages.vocabulary import STATUSES, SmtpSecurity
from storage.models import Official
from storage.officials import EMAIL_CONTEXT, add_official, scope
from storage.report_figures import area_report
from tests.chat import Chat
from tests.commands import migrated_url
from tests.fakes.telegram_api import FakeTelegram
from tests.net import free_port
from tests.test_reports import HUU_LUNG, NHAT_TIEN, NOW, TODAY, YEN_BINH, seed
from tests.tg_driver import telegram_user

__all__ = ["migrated_url"]  # the fixture, used by name

SENDER = "baocao@hotro.example.vn"
DISTRICT_ADDRESS = "phong.ldtbxh@huulung.example.vn"
PROVINCE_ADDRESS = "so.ldtbxh@langson.example.vn"
USER, PASSWORD = "hotro", "mat-khau-smtp"


@dataclass
class Mailbox:
    """An SMTP server's handler: keeps what it accepts; refuses the first `refuse` messages with a 451."""

    refuse: int = 0
    unknown: set[str] = field(default_factory=set)  # addresses refused at RCPT TO
    attempts: int = 0
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.unknown:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.attempts <= self.refuse:
            return "451 4.3.0 Mailbox busy, try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for _from, rcpts, message in self.messages if address in rcpts]


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=_authenticator, auth_require_tls=False)
    controller.start()
    yield box, port
    controller.stop()


def mail_settings(settings: Settings, port: int, **values: Any) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_user": USER,
            "smtp_password": PASSWORD,
            "smtp_starttls": False,  # aiosmtpd on loopback without a certificate
            "report_email_from": SENDER,
            "report_email_to": PROVINCE_ADDRESS,
            "report_email_retry_seconds": 0.05,
            "smtp_timeout_seconds": 5.0,
            **values,
        }
    )


@pytest.fixture
async def mail_app(settings: Settings, mailbox: tuple[Mailbox, int]) -> AsyncIterator[HoTro]:
    app = await create_app(mail_settings(settings, mailbox[1]))
    yield app
    await app.close()


async def add_district_official(settings: Settings, user_id: str = "huyen", channel: str = "test") -> int:
    """`hotro officials add … --email`, as an administrator types it."""
    await officials_cli.run(
        settings,
        argparse.Namespace(
            action="add",
            channel=channel,
            user_id=user_id,
            role="district",
            area=HUU_LUNG,
            name=None,
            email=DISTRICT_ADDRESS,
            level=None,
        ),
    )
    return 1


async def sent_failed(app: HoTro, now: Any = NOW) -> tuple[int, int]:
    outcome = await email_report.send_daily_emails(app, TODAY, now)
    return outcome.sent, outcome.failed


def sheet_rows(message: EmailMessage) -> list[tuple[Any, ...]]:
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"bao-cao-nq68-{TODAY.isoformat()}.xlsx"
    book = load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]  # type: ignore[union-attr]


async def test_each_recipient_gets_the_upward_report_of_their_area(
    mail_app: HoTro, mailbox: tuple[Mailbox, int]
) -> None:
    box, _port = mailbox
    await seed(mail_app)
    await add_district_official(mail_app.settings)
    assert await sent_failed(mail_app) == (2, 0)

    [district] = box.to(DISTRICT_ADDRESS)
    assert district["From"] == SENDER and district["To"] == DISTRICT_ADDRESS
    assert district["Subject"] == (
        "Báo cáo tiến độ hỗ trợ theo Nghị quyết 68 – Huyện Hữu Lũng, Tỉnh Lạng Sơn – ngày 06/05/2021"
    )
    body = district.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert body.startswith("Kính gửi các đồng chí,") and "BÁO CÁO TIẾN ĐỘ HỖ TRỢ THEO NQ 68" in body

    rows = sheet_rows(district)
    assert rows[0][0] == "BÁO CÁO TIẾN ĐỘ HỖ TRỢ THEO NQ 68 – ngày 06/05/2021"
    header = rows[FIRST_DATA_ROW - 1]
    assert header[:3] == ("STT", "Xã, phường, thị trấn", "Quận, huyện, thị xã, thành phố")
    assert "Đã chi trả" in header and "Kinh phí đã chi trả (₫)" in header
    communes = admin_units.communes(HUU_LUNG)
    data_rows, total = rows[FIRST_DATA_ROW : FIRST_DATA_ROW + len(communes)], rows[FIRST_DATA_ROW + len(communes)]
    assert [row[1] for row in data_rows] == [unit.name for unit in communes]  # every commune, zeros included
    assert total[1] == "Tổng cộng"
    columns = headers()
    async with mail_app.sessions() as session:
        for commune in (NHAT_TIEN, YEN_BINH):
            figures = await area_report(session, scope(Official(role="commune", area_code=commune)), TODAY, NOW)
            [row] = [r for r in data_rows if r[1] == admin_units.get("commune", commune).name]  # type: ignore[union-attr]
            assert [row[3 + i] for i in range(len(STATUSES))] == [figures.counts[s] for s in STATUSES]
            assert row[columns.index("Kinh phí đã chi trả (₫)")] == figures.paid_amount
        whole = await area_report(session, scope(Official(role="district", area_code=HUU_LUNG)), TODAY, NOW)
    assert total[columns.index("Tổng số hồ sơ")] == whole.total
    assert total[columns.index("Kinh phí đã phê duyệt (₫)")] == whole.approved_amount
    assert total[columns.index("Kinh phí đã chi trả (₫)")] == whole.paid_amount

    [province] = box.to(PROVINCE_ADDRESS)  # HOTRO_REPORT_EMAIL_TO: the deployment's province, every commune
    rows = sheet_rows(province)
    assert "– Tỉnh Lạng Sơn –" in province["Subject"]
    async with mail_app.sessions() as session:
        everything = await area_report(session, true(), TODAY, NOW)  # every seeded application is in Lạng Sơn
    assert rows[-1][1] == "Tổng cộng" and rows[-1][columns.index("Tổng số hồ sơ")] == everything.total
    communes_of_province = sum(len(admin_units.communes(d.code)) for d in admin_units.districts(20))
    assert len(rows) == FIRST_DATA_ROW + communes_of_province + 1

    assert await sent_failed(mail_app) == (0, 0)  # once a day
    assert len(box.messages) == 2


async def test_two_processes_send_each_e_mail_once(mail_app: HoTro, mailbox: tuple[Mailbox, int]) -> None:
    box, _port = mailbox
    await seed(mail_app)
    await add_district_official(mail_app.settings)
    second = await create_app(mail_app.settings)
    try:
        results = await asyncio.gather(
            email_report.send_daily_emails(mail_app, TODAY, NOW), email_report.send_daily_emails(second, TODAY, NOW)
        )
    finally:
        await second.close()
    assert sum(result.sent for result in results) == 2
    assert sorted(rcpt for _from, rcpts, _m in box.messages for rcpt in rcpts) == [DISTRICT_ADDRESS, PROVINCE_ADDRESS]


async def test_a_refused_send_is_tried_again_and_then_accepted(mail_app: HoTro, mailbox: tuple[Mailbox, int]) -> None:
    box, _port = mailbox
    box.refuse = 2
    await seed(mail_app)
    first = await email_report.send_daily_emails(mail_app, TODAY, NOW)
    assert (first.sent, first.failed, first.pending) == (0, 0, 1) and box.attempts == 1
    assert await sent_failed(mail_app, NOW) == (0, 0) and box.attempts == 1  # its retry is not due yet
    assert await sent_failed(mail_app, NOW + timedelta(seconds=1)) == (0, 0) and box.attempts == 2
    assert await sent_failed(mail_app, NOW + timedelta(seconds=2)) == (1, 0)
    assert box.attempts == 3 and len(box.to(PROVINCE_ADDRESS)) == 1
    assert await sent_failed(mail_app, NOW + timedelta(hours=1)) == (0, 0)  # and never again that day


async def test_a_send_that_keeps_failing_is_told_to_the_official_in_the_chat(
    settings: Settings, mailbox: tuple[Mailbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    box, port = mailbox
    box.refuse = 100
    app = await create_app(mail_settings(settings, port, report_email_to="", report_email_attempts=2))
    try:
        await seed(app)
        await add_district_official(app.settings)
        official = Chat(app, "huyen")
        assert await sent_failed(app) == (0, 0)  # refused: to be tried again in a later round
        await app.sender.deliver()
        assert official.transport.texts("huyen") == []  # not told yet
        assert await sent_failed(app, NOW + timedelta(minutes=1)) == (0, 1)  # the last of 2 attempts
        await app.sender.deliver()
        notice = official.last_text
        assert "Không gửi được báo cáo ngày 06/05/2021 qua e-mail" in notice and "Mailbox busy" in notice
        assert [b["action"] for b in official.buttons()] == ["report"]
        assert box.attempts == 2 and box.messages == []
        assert "Mailbox busy" in caplog.text and DISTRICT_ADDRESS not in caplog.text  # the address is never logged
    finally:
        await app.close()


async def test_the_failure_notice_reaches_an_official_through_telegram(
    settings: Settings, mailbox: tuple[Mailbox, int], fake_telegram: FakeTelegram
) -> None:

    from bot.web import build_web_app

    box, port = mailbox
    box.refuse = 100
    app = await create_app(mail_settings(settings, port, report_email_to="", report_email_attempts=1))
    bot = fake_telegram.bot()
    await bot.initialize()
    from aiohttp.test_utils import TestServer

    client = TestClient(TestServer(build_web_app(app, bot), host="127.0.0.1"))
    await client.start_server()
    try:
        await seed(app)
        await add_district_official(app.settings, user_id="7301", channel="telegram")
        officer = telegram_user(client, fake_telegram, app, 7301)
        await officer.say("/start")
        assert await sent_failed(app) == (0, 1)
        await app.sender.deliver()
        await fake_telegram.wait_for_messages(7301, 2)
        assert "Không gửi được báo cáo" in officer.last_text
        replies = await officer.press("Báo cáo tiến độ")
        assert "BÁO CÁO TIẾN ĐỘ HỖ TRỢ THEO NQ 68 – Huyện Hữu Lũng" in replies[-1].text
    finally:
        await client.close()
        await bot.shutdown()
        await app.close()


async def test_hotro_report_email_sends_at_once(
    mail_app: HoTro, mailbox: tuple[Mailbox, int], capsys: pytest.CaptureFixture[str]
) -> None:
    box, _port = mailbox
    await seed(mail_app)
    await add_district_official(mail_app.settings)
    async with mail_app.sessions() as session:
        official_id = (await session.execute(select(Official.id))).scalar_one()
    args = argparse.Namespace(
        official_id=official_id, area_role=None, area=None, date=TODAY, out=None, email="truong.phong@example.vn"
    )
    await daily.write_report(mail_app.settings, args)
    [message] = box.to("truong.phong@example.vn")
    assert "Huyện Hữu Lũng" in message["Subject"] and sheet_rows(message)[-1][1] == "Tổng cộng"
    assert "Đã gửi báo cáo ngày 06/05/2021 qua e-mail tới truong.phong@example.vn." in capsys.readouterr().out


async def test_hotro_report_email_without_a_server_says_so(settings: Settings, app: HoTro) -> None:
    args = argparse.Namespace(official_id=None, area_role=None, area=None, date=TODAY, out=None, email="a@example.vn")
    with pytest.raises(SystemExit, match="Chưa cấu hình máy chủ e-mail"):
        await daily.write_report(settings, args)
    args.email = None
    with pytest.raises(SystemExit, match="nơi nhận báo cáo"):
        await daily.write_report(settings, args)


async def test_the_officials_address_is_checked_stored_encrypted_and_not_listed(
    app: HoTro, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = argparse.Namespace(
        action="add",
        channel="test",
        user_id="x",
        role="district",
        area=HUU_LUNG,
        name=None,
        email="not-an-address",
        level=None,
    )
    with pytest.raises(SystemExit, match="không phải là địa chỉ e-mail"):
        await officials_cli.run(app.settings, bad)
    await add_district_official(app.settings)
    async with app.sessions() as session:
        official = (await session.execute(select(Official))).scalar_one()
    assert official.email_enc and DISTRICT_ADDRESS not in official.email_enc
    assert app.protector.decrypt(official.email_enc, context=EMAIL_CONTEXT) == DISTRICT_ADDRESS
    async with app.sessions.begin() as session:  # re-added without --email: the address stays
        await add_official(session, "test", "huyen", "district", HUU_LUNG, None)
    capsys.readouterr()
    await officials_cli.run(app.settings, argparse.Namespace(action="list"))
    listed = capsys.readouterr().out
    assert "nhận báo cáo hằng ngày qua e-mail" in listed and DISTRICT_ADDRESS not in listed


async def test_the_worker_sends_after_the_report_time(mail_app: HoTro, mailbox: tuple[Mailbox, int]) -> None:
    box, _port = mailbox
    await seed(mail_app)
    stop = asyncio.Event()
    clock = iter([NOW.replace(hour=1), NOW])  # 08:xx in Hà Nội: too early; then 14:30
    last = [NOW]

    def now() -> Any:
        last[0] = next(clock, last[0])
        return last[0]

    task = asyncio.create_task(email_report.run_email_reports(mail_app, stop, clock=now, interval=0.01))
    for _ in range(500):
        if box.messages:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # more checks that day send nothing more
    stop.set()
    await task
    assert len(box.messages) == 1


def test_the_commands_as_an_administrator_types_them(
    tmp_path: Any, migrated_url: str, mailbox: tuple[Mailbox, int]
) -> None:
    """`hotro officials add … --email` then `hotro report --official-id N --email ADDRESS`, as processes
    (forked from the prestarted one: what is tested is the commands, not Python's start-up)."""
    import os

    from tests.conftest import PG_URL, TEST_KEY
    from tests.prestarted import run_bot

    box, port = mailbox
    env = {
        **os.environ,
        "HOTRO_DATA_DIR": str(tmp_path / "data"),
        "HOTRO_SMTP_HOST": "127.0.0.1",
        "HOTRO_SMTP_PORT": str(port),
        "HOTRO_SMTP_USER": USER,
        "HOTRO_SMTP_PASSWORD": PASSWORD,
        "HOTRO_SMTP_STARTTLS": "false",
        "HOTRO_REPORT_EMAIL_FROM": SENDER,
    }
    env["HOTRO_DATABASE_URL"] = migrated_url
    if PG_URL:
        env["HOTRO_DATA_KEY"] = TEST_KEY

    def hotro(*args: str) -> str:
        result = run_bot(*args, env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        return result.stdout

    added = hotro(
        "officials", "add", "--channel", "telegram", "--user-id", "7401", "--role", "district",
        "--area", str(HUU_LUNG), "--email", DISTRICT_ADDRESS,
    )  # fmt: skip
    assert "Official" not in added and DISTRICT_ADDRESS not in added
    official_id = added.split(":")[0].split()[-1]
    out = hotro("report", "--official-id", official_id, "--email", DISTRICT_ADDRESS)
    assert f"qua e-mail tới {DISTRICT_ADDRESS}" in out
    [message] = box.to(DISTRICT_ADDRESS)
    assert message["From"] == SENDER and "Huyện Hữu Lũng" in message["Subject"]


async def test_a_claim_left_by_a_dead_process_is_taken_over_after_its_lease(
    mail_app: HoTro, mailbox: tuple[Mailbox, int]
) -> None:
    from storage import claims

    box, _port = mailbox
    await seed(mail_app)
    [recipient] = [r for r in await _recipients(mail_app)]
    key = f"report_email:{TODAY.isoformat()}:{recipient.key}"
    async with mail_app.sessions.begin() as session:
        assert await claims.claim(session, key, NOW, email_report.lease(mail_app.settings)) == 0  # then it "died"
    outcome = await email_report.send_daily_emails(mail_app, TODAY, NOW)
    assert (outcome.sent, outcome.pending) == (0, 1) and box.messages == []  # not done: the worker checks again
    later = NOW + email_report.lease(mail_app.settings) + timedelta(seconds=1)
    outcome = await email_report.send_daily_emails(mail_app, TODAY, later)
    assert (outcome.sent, outcome.pending) == (1, 0) and len(box.to(PROVINCE_ADDRESS)) == 1


async def _recipients(app: HoTro) -> list[email_report.Recipient]:
    async with app.sessions() as session:
        return await email_report.recipients(session, app.settings, app.protector)


def _self_signed(tmp_path: Any) -> tuple[Any, Any]:
    """A certificate for 127.0.0.1 and its key, as PEM files (the server's; the certificate is its own CA)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hotro test relay")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "relay.pem", tmp_path / "relay.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


async def test_starttls_and_login_with_the_relays_own_ca(settings: Settings, tmp_path: Any) -> None:
    """The default, STARTTLS before login, against a server that refuses mail and login without it."""
    import ssl

    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    box, port = Mailbox(), free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator,
        tls_context=context,
        require_starttls=True,
        auth_require_tls=True,
    )
    controller.start()
    try:
        untrusted = await create_app(mail_settings(settings, port, smtp_starttls=True, report_email_attempts=1))
        try:
            await seed(untrusted)
            assert await sent_failed(untrusted) == (0, 1)  # a certificate no trusted CA signed: refused
        finally:
            await untrusted.close()
        trusted = await create_app(
            mail_settings(settings, port, smtp_starttls=True, smtp_ca_file=cert_file, report_email_to="b@example.vn")
        )
        try:
            assert await sent_failed(trusted) == (1, 0)
        finally:
            await trusted.close()
    finally:
        controller.stop()
    assert [rcpts for _from, rcpts, _m in box.messages] == [["b@example.vn"]]


def _tls_server(tmp_path: Any, box: Mailbox, port: int) -> tuple[Controller, Any]:
    """An SMTPS relay (implicit TLS: the handshake comes first, as on port 465) that wants login; its CA file."""
    import ssl

    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)

    def over_tls(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        # aiosmtpd's auth_require_tls only knows STARTTLS (it hides AUTH on an implicit-TLS port), so the
        # login is refused here unless the connection itself is TLS.
        if server.transport.get_extra_info("ssl_object") is None:
            return AuthResult(success=False)
        return _authenticator(server, session, envelope, mechanism, auth_data)

    controller = Controller(
        box, hostname="127.0.0.1", port=port, authenticator=over_tls, ssl_context=context, auth_require_tls=False
    )
    return controller, cert_file


async def _send_error(settings: Settings) -> str | None:
    report = email_report.Report("Báo cáo", "Nội dung", b"x", "bao-cao.xlsx")
    return await email_report.send(settings, email_report.compose(settings, "b@example.vn", report))


async def test_implicit_tls_and_login_with_the_relays_own_ca(settings: Settings, tmp_path: Any) -> None:
    """HOTRO_SMTP_SECURITY=tls (SMTPS, the province's relay on port 465): TLS from the first byte, then login."""
    box, port = Mailbox(), free_port()
    controller, cert_file = _tls_server(tmp_path, box, port)
    controller.start()
    try:
        app = await create_app(
            mail_settings(
                settings, port, smtp_security=SmtpSecurity.TLS, smtp_ca_file=cert_file, report_email_to="b@example.vn"
            )
        )
        try:
            await seed(app)
            assert await sent_failed(app) == (1, 0)
        finally:
            await app.close()
        # Without the relay's CA its certificate is refused, and the message says which setting fixes it.
        untrusted = mail_settings(settings, port, smtp_security=SmtpSecurity.TLS, report_email_attempts=1)
        error = await _send_error(untrusted)
        assert error is not None and "chứng chỉ" in error and "HOTRO_SMTP_CA_FILE" in error
    finally:
        controller.stop()
    assert [rcpts for _from, rcpts, _m in box.messages] == [["b@example.vn"]]


async def test_a_security_that_does_not_match_the_server_is_named_in_the_error(
    settings: Settings, tmp_path: Any, mailbox: tuple[Mailbox, int]
) -> None:
    """STARTTLS (or plain SMTP) against an SMTPS relay waits for a greeting that never comes; TLS against a
    plain server fails its handshake. Either way the official reads, in Vietnamese, what to check."""
    box, port = Mailbox(), free_port()
    controller, cert_file = _tls_server(tmp_path, box, port)
    controller.start()
    try:
        for security in (SmtpSecurity.STARTTLS, SmtpSecurity.NONE):
            mismatched = mail_settings(
                settings,
                port,
                smtp_security=security,
                smtp_ca_file=cert_file,
                smtp_timeout_seconds=0.2,  # the greeting never comes: the timeout always expires
                report_email_attempts=1,
            )
            error = await _send_error(mismatched)
            assert error is not None and "Không kết nối được máy chủ thư 127.0.0.1" in error, error
            assert "HOTRO_SMTP_SECURITY" in error and "465" in error
    finally:
        controller.stop()
    _plain_box, plain_port = mailbox
    error = await _send_error(
        mail_settings(settings, plain_port, smtp_security=SmtpSecurity.TLS, report_email_attempts=1)
    )
    assert error is not None and "Không kết nối được máy chủ thư" in error and "HOTRO_SMTP_SECURITY" in error, error
    assert box.messages == []


def test_the_connection_security_comes_from_the_setting_else_the_port(monkeypatch: pytest.MonkeyPatch) -> None:
    def security(**values: Any) -> SmtpSecurity:
        return email_report.security(Settings(_env_file=None, smtp_host="relay.example.vn", **values))  # type: ignore[call-arg]

    assert security() == SmtpSecurity.STARTTLS  # port 587
    assert security(smtp_port=465) == SmtpSecurity.TLS  # SMTPS
    assert security(smtp_port=465, smtp_security=SmtpSecurity.STARTTLS) == SmtpSecurity.STARTTLS  # the setting wins
    assert security(smtp_port=25, smtp_starttls=False) == SmtpSecurity.NONE  # the older setting still counts
    monkeypatch.setenv("HOTRO_SMTP_SECURITY", "tls")
    assert security(smtp_port=2465) == SmtpSecurity.TLS
    monkeypatch.setenv("HOTRO_SMTP_SECURITY", "ssl")
    with pytest.raises(ValueError, match="smtp_security"):
        security()


async def test_a_server_quoting_the_address_in_its_refusal_does_not_put_it_in_the_log(
    settings: Settings, mailbox: tuple[Mailbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    box, port = mailbox
    box.unknown = {DISTRICT_ADDRESS}
    app = await create_app(mail_settings(settings, port, report_email_to="", report_email_attempts=1))
    try:
        await add_district_official(app.settings)
        official = Chat(app, "huyen")
        assert await sent_failed(app) == (0, 1)
        await app.sender.deliver()
        assert "User unknown" in official.last_text  # the official is told why
        assert "User unknown" in caplog.text and DISTRICT_ADDRESS not in caplog.text
    finally:
        await app.close()


async def test_a_server_that_cannot_be_reached_stops_the_round_and_a_later_one_sends_everything(
    settings: Settings,
) -> None:
    port = free_port()  # nothing listens there yet
    app = await create_app(mail_settings(settings, port, report_email_to=f"{PROVINCE_ADDRESS},b@example.vn"))
    try:
        await seed(app)
        down = await email_report.send_daily_emails(app, TODAY, NOW)
        assert (down.sent, down.failed, down.pending) == (0, 0, 2)  # one refused connection, the other not tried
        box = Mailbox()
        controller = Controller(
            box, hostname="127.0.0.1", port=port, authenticator=_authenticator, auth_require_tls=False
        )
        controller.start()
        try:
            assert await sent_failed(app, NOW + timedelta(minutes=1)) == (2, 0)
        finally:
            controller.stop()
        assert sorted(r for _f, rcpts, _m in box.messages for r in rcpts) == ["b@example.vn", PROVINCE_ADDRESS]
    finally:
        await app.close()


async def test_the_days_claims_are_purged_with_the_sent_messages(mail_app: HoTro) -> None:
    from bot.retention import periods
    from storage.models import KeyValue
    from storage.retention import purge

    await seed(mail_app)
    assert await sent_failed(mail_app) == (1, 0)

    async def claims_left(now: Any) -> int:
        async with mail_app.sessions.begin() as session:
            await purge(session, now, **periods(mail_app.settings))
            keys = (await session.execute(select(KeyValue.key))).scalars().all()
        return sum(key.startswith("report_email:") for key in keys)

    assert await claims_left(NOW + timedelta(days=1)) == 1  # the day's claim is kept while it matters
    assert await claims_left(NOW + timedelta(days=8)) == 0


def test_report_email_to_names_an_area_per_address(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    configured = settings.model_copy(
        update={
            "report_email_to": "a@example.vn, b@example.vn=district:186,c@example.vn=all,"
            "d@example.vn=district:99999, e@example.vn=thon:1"
        }
    )
    areas = [(address, o.role, o.area_code) for address, o in email_report.extra_addresses(configured)]
    assert areas == [
        ("a@example.vn", "province", 20),
        ("b@example.vn", "district", 186),
        ("c@example.vn", "admin", None),
    ]
    assert "entry 4" in caplog.text and "entry 5" in caplog.text  # skipped, and said so
    assert "d@example.vn" not in caplog.text and "e@example.vn" not in caplog.text


async def test_an_address_for_all_areas_gets_the_communes_with_applications(
    settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    app = await create_app(mail_settings(settings, port, report_email_to="bo@example.vn=all"))
    try:
        await seed(app)
        assert await sent_failed(app) == (1, 0)
    finally:
        await app.close()
    [message] = box.to("bo@example.vn")
    assert "Tất cả địa bàn" in message["Subject"]
    assert len(sheet_rows(message)) == FIRST_DATA_ROW + 3 + 1  # the three seeded communes, then the totals
