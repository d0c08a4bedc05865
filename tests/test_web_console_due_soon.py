"""The console's "due soon": applications that will be late within the next working days, on the overview and
as the list's filter (/canbo/ho-so?sap-han=1), with the same deadlines as the overdue list (storage.deadlines),
scoped to the official's area and shown read-only to a monitor."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from aiohttp.test_utils import TestClient
from sqlalchemy import true, update

from bot.app import HoTro
from messages import fmt
from messages.vocabulary import ApplicationStatus
from storage import console as queries
from storage.console import ListFilter
from storage.deadlines import REVIEW_WORKING_DAYS, add_working_days, is_working_day
from storage.models import Application
from tests.applications import HUU_LUNG, NHAT_TIEN, submit_household
from tests.chat import Chat
from tests.console_client import Console, make_official, official_by_user
from tests.test_monitor import add_monitor
from tests.test_web_console import OTHER_COMMUNE

DAYS = 2  # Settings.due_soon_working_days' default


def _submitted_for(due: date) -> datetime:
    """A submission instant (local noon) whose review deadline is `due`, a working day."""
    day, counted = due, 0
    while counted < REVIEW_WORKING_DAYS:
        day -= timedelta(days=1)
        counted += is_working_day(day)
    assert add_working_days(day, REVIEW_WORKING_DAYS) == due
    return datetime.combine(day, time(12), fmt.TZ).astimezone(UTC)


def _working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


async def _set(app: HoTro, application: Application, **values: object) -> None:
    async with app.sessions.begin() as session:
        await session.execute(update(Application).where(Application.id == application.id).values(**values))


async def _world(app: HoTro) -> dict[str, Application]:
    """Applications of Nhất Tiến due today (or the next working day), on the last day counted, one working day
    after it, late since yesterday's deadline, a payment due tomorrow; and one due today in another commune."""
    today = fmt.today_local()
    horizon = add_working_days(today, DAYS)
    late_due = today - timedelta(days=1)
    while not is_working_day(late_due):
        late_due -= timedelta(days=1)
    dues = {
        "first": _working_day_on_or_after(today),
        "last": horizon,
        "after": add_working_days(horizon, 1),
        "late": late_due,
        "elsewhere": _working_day_on_or_after(today),
    }
    made = {}
    for n, (name, due) in enumerate([*dues.items(), ("payment", None)]):
        application = await submit_household(app, Chat(app, f"citizen-{name}"), id_number=f"001 085 012 3{n:02d}")
        if due is not None:
            await _set(app, application, submitted_at=_submitted_for(due), status=ApplicationStatus.UNDER_REVIEW)
        made[name] = application
    # Approved six days ago: paid within 7 days, so due tomorrow (deadlines.payment_due).
    await _set(
        app,
        made["payment"],
        status=ApplicationStatus.APPROVED,
        decision_date=today - timedelta(days=6),
        decision_number="12/QĐ-UBND",
        approved_amount=3_000_000,
        submitted_at=datetime.now(UTC) - timedelta(days=10),
    )
    await _set(app, made["elsewhere"], commune_code=OTHER_COMMUNE)
    return made


def _section(page: str) -> str:
    """The overview's "due soon" part (up to the next heading)."""
    assert 'id="due-soon"' in page
    return page.split('id="due-soon"', 1)[1].split("<h2", 1)[0]


async def test_the_overview_and_the_list_show_what_falls_due_within_the_working_days(
    app: HoTro, web: TestClient
) -> None:
    made = await _world(app)
    soon = {made["first"].code, made["last"].code, made["payment"].code}
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    section = _section(await console.get("/canbo/"))
    assert "Sắp đến hạn trong 2 ngày làm việc tới" in section and "3 hồ sơ sẽ quá hạn sau ngày" in section
    assert all(f"/canbo/ho-so/{code}" in section for code in soon)
    assert all(made[name].code not in section for name in ("after", "late", "elsewhere"))
    assert "chi trả" in section and 'href="/canbo/ho-so?sap-han=1"' in section
    listed = await console.get("/canbo/ho-so?sap-han=1")
    assert all(code in listed for code in soon) and "⏳ hạn" in listed
    assert all(made[name].code not in listed for name in ("after", "late", "elsewhere"))
    assert 'name="sap-han" value="1" checked' in listed and "sắp đến hạn (trong 2 ngày làm việc)" in listed
    # The overdue filter next to it: the late one only, with the same deadline computation.
    overdue = await console.get("/canbo/ho-so?qua-han=1")
    assert made["late"].code in overdue and not any(code in overdue for code in soon)


async def test_a_district_sees_its_communes_and_a_monitor_reads_the_list_without_actions(
    app: HoTro, web: TestClient
) -> None:
    made = await _world(app)
    district = Console(web)
    await district.login(app, await make_official(app, "huyen", "district", HUU_LUNG))
    section = _section(await district.get("/canbo/"))
    assert made["elsewhere"].code in section and made["first"].code in section
    web.session.cookie_jar.clear()
    await add_monitor(app, "mttq", NHAT_TIEN)
    monitor = Console(web)
    await monitor.login(app, await official_by_user(app, "mttq"))
    section = _section(await monitor.get("/canbo/"))
    assert made["first"].code in section and made["elsewhere"].code not in section
    listed = await monitor.get("/canbo/ho-so?sap-han=1")
    assert made["payment"].code in listed and made["elsewhere"].code not in listed
    assert 'action="/canbo/ho-so/hang-loat"' not in listed and 'name="ma"' not in listed


async def test_the_number_of_working_days_is_the_settings(app: HoTro) -> None:
    made = await _world(app)
    today = fmt.today_local()

    async def codes(days: int) -> set[str]:
        async with app.sessions() as session:
            page = await queries.list_page(session, true(), ListFilter(due_within=days), today, 1)
        return {a.code for a in page.items}

    first_due = _working_day_on_or_after(today)
    assert made["after"].code in await codes(DAYS + 1) and made["after"].code not in await codes(DAYS)
    if first_due == today:  # due today counts at 0; on a weekend or holiday the first deadline is later
        assert made["first"].code in await codes(0) and made["last"].code not in await codes(0)
