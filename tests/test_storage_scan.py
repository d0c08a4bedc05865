"""The consent notice promises that ID and account numbers are stored encrypted: a full journey, then a
scan of everything the database holds for those numbers in clear.

On SQLite the raw bytes of the database file and of its write-ahead log are read while the app is still
open (no checkpoint first: the WAL must still hold the journey's pages). On PostgreSQL every row of every
table is read as text (`SELECT t::text FROM t`), which covers every column.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text

from bot import exchange
from bot.app import HoTro
from handlers import app_code
from handlers.announce import service as announcements
from messages import fmt
from storage import broadcasts
from storage.broadcasts import Audience
from storage.models import Application, Official
from storage.officials import add_official
from tests.chat import Chat
from tests.test_intake import fill_household, up_to_the_id

NHAT_TIEN = 6418
ID_SUBMITTED, ACCOUNT_SUBMITTED = "001085274913", "190357246801"
ID_HALF, ACCOUNT_HALF = "001085631478", "970415263748"
PHONE = "0912345678"  # fill_household types it as 0912.345.678; the birth date is 05/07/1985
ID_DUPLICATE_TRY = ID_SUBMITTED  # a stranger types the submitted application's ID number again
ADDRESS, BUSINESS = "số 27 ngõ 81 phố Đội Cấn", "Tiệm Phở Hạnh Nguyên"  # the form's own answers


def formattings(number: str) -> set[str]:
    """The number as digits, and grouped by 3 and by 4 with spaces, dots and dashes."""
    forms = {number}
    for size in (3, 4):
        groups = [number[i : i + size] for i in range(0, len(number), size)]
        forms |= {sep.join(groups) for sep in (" ", ".", "-")}
    return forms


async def journey(app: HoTro, tmp_path: Path) -> str:
    """Every path the numbers take: forms, submission, the official's views, a question and its answer (which
    repeats the account number), an export and an import with its notices, a look-up and a duplicate attempt.
    Returns the code."""
    citizen = Chat(app, "scan-citizen")
    await fill_household(citizen, id_number=ID_SUBMITTED, address=ADDRESS, business=BUSINESS)
    await citizen.press("Chuyển khoản")
    await citizen.say("Vietcombank")
    await citizen.say(ACCOUNT_SUBMITTED)
    await citizen.say("Nguyễn Văn An")
    await citizen.press("Bỏ qua")  # no documents
    await citizen.press("Xác nhận")
    code = app_code.normalize(citizen.last_text.split("Mã hồ sơ: ")[1].split()[0])

    half = Chat(app, "scan-half")  # stops before the summary: the numbers stay in the conversation
    await fill_household(half, id_number=ID_HALF)
    await half.press("Chuyển khoản")
    await half.say("Agribank")
    await half.say(ACCOUNT_HALF)

    async with app.sessions.begin() as session:
        await add_official(session, "test", "scan-official", "commune", NHAT_TIEN, None)
    official = Chat(app, "scan-official")
    await official.say("/canbo")
    await official.press("Đã nộp (1)")
    await official.press(app_code.display(code))
    assert ID_SUBMITTED in official.last_text and ACCOUNT_SUBMITTED in official.last_text  # officials see them
    assert ADDRESS in official.last_text and BUSINESS in official.last_text
    await official.press("Bắt đầu xem xét")
    await official.press("Xác nhận")
    async with app.sessions() as session:
        application_id = (await session.execute(select(Application.id))).scalar_one()
    await official.tap(f"of:o:{application_id}")
    await official.press("Yêu cầu bổ sung")
    await official.say("Vui lòng gửi ảnh thông báo tạm ngừng kinh doanh")
    await official.press("Xác nhận")
    await citizen.press("Trả lời")
    # An answer in the citizen's words can hold the numbers too (the audit trail keeps it).
    await citizen.say("Tôi sẽ mang thông báo đến UBND xã vào thứ Hai; số tài khoản của tôi là 1903 5724 6801")
    await official.tap(f"of:o:{application_id}")
    await official.press("Chuyển UBND huyện")
    await official.press("Xác nhận")

    exported = tmp_path / "xa.csv"
    assert await exchange.export_applications(
        app.sessions,
        app.protector,
        role="commune",
        area=NHAT_TIEN,
        statuses=["forwarded"],
        kind=None,
        out=exported,
        fmt="csv",
        actor="official:1",
        today=fmt.today_local(),
    )
    records = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    header = next(i for i, r in enumerate(records) if r and r[0] == "STT")
    keys = [c.key for c in exchange.COLUMNS]
    row = records[header + 1]
    assert row[keys.index("id_number")] == ID_SUBMITTED  # the export is the commune's file, in clear
    row[keys.index("result")] = "approved"
    row[keys.index("decision_number")] = "1234/QĐ-UBND"
    row[keys.index("decision_date")] = fmt.today_local().isoformat()  # not before the application was filed
    back = tmp_path / "tra-ve.csv"
    with back.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(records)
    report = await exchange.import_file(
        app.sessions,
        back,
        official=None,
        actor="official:1",
        now=datetime.now(UTC),
        protector=app.protector,
    )
    assert report.errors == [] and report.notices == 1
    await app.sender.deliver()  # the approval notice

    async with app.sessions.begin() as session:  # an announcement to the commune: broadcasts and deliveries
        who = (await session.execute(select(Official))).scalar_one()
        text_ = "UBND xã nhận hồ sơ đến hết ngày 30/9/2021."
        draft = await broadcasts.create(session, who, Audience("area", "commune", NHAT_TIEN), text_, datetime.now(UTC))
        assert await broadcasts.queue(session, draft, who, announcements.render_message(text_, who), datetime.now(UTC))

    stranger = Chat(app, "scan-stranger")
    await stranger.say("/start")
    await stranger.tap("lookup")
    await stranger.say(code)
    await stranger.say(ID_SUBMITTED[-4:])
    assert "Trạng thái" in stranger.last_text
    await up_to_the_id(stranger, id_number=ID_DUPLICATE_TRY)  # refused at the ID step
    assert "Đã có hồ sơ" in stranger.all_text()
    return code


async def stored_text(app: HoTro) -> bytes:
    if app.db.dialect.name == "sqlite":
        database = Path(app.db.url.database or "")
        wal = database.with_name(database.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0, "the journey's pages must still be in the WAL"
        return database.read_bytes() + wal.read_bytes()
    chunks: list[str] = []
    async with app.db.connect() as conn:
        tables = (
            await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"))
        ).scalars()
        for table in list(tables):
            rows = await conn.execute(text(f'SELECT t::text FROM "{table}" AS t'))
            chunks += [f"{table}: {row}" for (row,) in rows]
    assert any(chunk.startswith("applications:") for chunk in chunks)
    return "\n".join(chunks).encode()


async def test_no_id_or_account_number_is_stored_in_clear(app: HoTro, tmp_path: Path) -> None:
    await journey(app, tmp_path)
    stored = await stored_text(app)
    numbers = (ID_SUBMITTED, ACCOUNT_SUBMITTED, ID_HALF, ACCOUNT_HALF, PHONE)
    found = {form for number in numbers for form in formattings(number) if form.encode() in stored}
    # The birth date, as typed and as stored (ISO in JSON, a DATE column's text on SQLite).
    found |= {form for form in ("05/07/1985", "1985-07-05", "5/7/1985") if form.encode() in stored}
    # The address and the business, as typed and as JSON escapes them (\uXXXX), on either database.
    for said in (ADDRESS, BUSINESS, "ngõ 81", "Đội Cấn", "Hạnh Nguyên"):
        found |= {form for form in (said, json.dumps(said)[1:-1]) if form.encode() in stored}
    assert found == set()


def test_formattings_cover_what_citizens_type() -> None:
    assert {"001085274913", "001 085 274 913", "0010 8527 4913", "001.085.274.913"} <= formattings("001085274913")
