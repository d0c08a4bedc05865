"""Duplicates across localities: the same person in another commune or for an exclusive policy is flagged to the
officials of both communes (a notice and the application view), never refused; the blind index behind it."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

from bot.app import HoTro, create_app
from bot.datakey import run_rotate
from handlers import app_code
from handlers.apply.duplicates import mutually_exclusive
from handlers.ask.eligibility_rules import ONE_TIME_REGIMES, PolicyId
from messages.vocabulary import ONE_TIME_CASH_POLICIES, ApplicationStatus
from storage.applications import seal_person
from storage.crypto import DataProtector, fold_name
from storage.models import Application, ChannelUser
from tests.applications import NHAT_TIEN
from tests.chat import Chat, joined
from tests.fakes.telegram_api import FakeTelegram
from tests.test_datakey import KEY_A, with_key
from tests.test_intake import submit_in_chat, up_to_the_id
from tests.test_review import register_official
from tests.tg_driver import household_after_the_phone, household_up_to_the_phone, telegram_user

NHAT_TIEN_OTHER = 6382  # Xã Nhất Tiến, another commune with a similar name
KEY = "k" * 40
ID_NUMBER = "001085012345"  # the ID number submit_in_chat() types
NAME, BORN = "Nguyễn Văn An", date(1985, 7, 5)  # the name and birth date fill_household() types


def test_the_name_is_folded_without_diacritics_case_and_extra_spaces() -> None:
    assert fold_name("Nguyễn Văn  An") == fold_name("NGUYEN VAN AN") == fold_name(" nguyễn văn an ") == "nguyen van an"
    assert fold_name("Đào Thị Ánh") == "dao thi anh"
    protector = DataProtector(KEY)
    index = protector.person_index("Nguyễn Văn An", BORN)
    assert index == protector.person_index("NGUYEN VAN AN", BORN)
    assert index != protector.person_index("Nguyễn Văn An", date(1985, 7, 6))
    assert index != protector.person_index("Nguyễn Văn Ân Hai", BORN)
    assert index != DataProtector("z" * 40).person_index("Nguyễn Văn An", BORN)  # keyed: not guessable without it


def test_exclusivity_follows_the_one_regime_rule() -> None:
    assert ONE_TIME_CASH_POLICIES == ONE_TIME_REGIMES  # one rule: the eligibility rules' set
    assert mutually_exclusive(PolicyId.FREE_WORKER, PolicyId.SUSPENSION)
    assert not mutually_exclusive(PolicyId.FREE_WORKER, PolicyId.FREE_WORKER)
    assert not mutually_exclusive(PolicyId.HOUSEHOLD_BUSINESS, PolicyId.FREE_WORKER)  # per household, not worker


async def existing(
    app: HoTro,
    commune: int,
    policy: str,
    id_number: str = ID_NUMBER,
    name: str = NAME,
    born: date = BORN,
    chat_id: str = "earlier",
) -> Application:
    """An application already in the database (another chat, maybe another commune)."""
    protector = app.protector
    async with app.sessions.begin() as session:
        user = ChannelUser(channel="test", user_id=chat_id, chat_id=chat_id)
        session.add(user)
        await session.flush()
        application = Application(
            code=app_code.new_code("TD"),
            kind=policy,
            policy_id=policy,
            status=ApplicationStatus.SUBMITTED,
            channel="test",
            chat_id=chat_id,
            channel_user_id=user.id,
            full_name=name,
            phone_hash="other-phone",
            id_kind="cccd",
            id_number_enc=protector.encrypt(id_number, context="id_number"),
            id_hash=protector.blind_index("id_number", id_number),
            province_code=20,
            district_code=186 if commune == NHAT_TIEN else 185,
            commune_code=commune,
            payment_method="cash",
            fields={},
        )
        seal_person(application, protector, "0987654321", born)
        session.add(application)
    return application


async def test_the_same_id_number_in_another_commune_is_flagged_to_both_communes_not_refused(app: HoTro) -> None:
    earlier = await existing(app, NHAT_TIEN_OTHER, PolicyId.FREE_WORKER)
    await register_official(app, "xa", "commune", NHAT_TIEN)
    await register_official(app, "xa_khac", "commune", NHAT_TIEN_OTHER)
    citizen = Chat(app, "citizen")
    new = await submit_in_chat(app, citizen)
    assert "Mã hồ sơ" in citizen.all_text() and new.id != earlier.id  # accepted

    here, there = Chat(app, "xa"), Chat(app, "xa_khac")
    new_code, old_code = app_code.display(new.code), app_code.display(earlier.code)
    assert new_code in here.last_text and old_code in here.last_text and "cùng số CCCD/CMND" in here.last_text
    assert [b["action"] for b in here.buttons()] == [f"of:o:{new.id}"]
    assert old_code in there.last_text and new_code in there.last_text
    assert [b["action"] for b in there.buttons()] == [f"of:o:{earlier.id}"]

    view = joined(await here.tap(f"of:o:{new.id}"))
    assert "Có thể cùng một người" in view and old_code in view and "Xã Nhất Tiến" in view
    assert f"of:o:{earlier.id}" not in [b["action"] for b in here.buttons()]  # not their area: no link
    view = joined(await there.tap(f"of:o:{earlier.id}"))
    assert "Có thể cùng một người" in view and new_code in view  # flagged on both sides


async def test_the_same_name_and_birth_date_under_another_id_number_is_flagged(app: HoTro) -> None:
    # A CMND (9 digits) then a CCCD: the name typed without diacritics, the same birth date.
    earlier = await existing(app, NHAT_TIEN_OTHER, PolicyId.HOUSEHOLD_BUSINESS, "085012345", "NGUYEN VAN AN")
    await register_official(app, "xa", "commune", NHAT_TIEN)
    await register_official(app, "district", "district", 186)
    new = await submit_in_chat(app, Chat(app, "citizen"))
    assert new.status == ApplicationStatus.SUBMITTED
    here = Chat(app, "xa")
    assert app_code.display(earlier.code) in here.last_text and "cùng họ tên và ngày sinh" in here.last_text


async def test_an_official_covering_both_gets_a_link_to_the_other(app: HoTro) -> None:
    earlier = await existing(app, NHAT_TIEN_OTHER, PolicyId.FREE_WORKER)
    new = await submit_in_chat(app, Chat(app, "citizen"))
    await register_official(app, "tinh", "province", 20)
    province = Chat(app, "tinh")
    await province.tap(f"of:o:{new.id}")
    assert f"of:o:{earlier.id}" in [b["action"] for b in province.buttons()]


async def test_not_flagged_in_the_same_commune_for_a_policy_that_may_be_combined(app: HoTro) -> None:
    await existing(app, NHAT_TIEN, PolicyId.FREE_WORKER)  # the same person, the same commune
    await register_official(app, "xa", "commune", NHAT_TIEN)
    new = await submit_in_chat(app, Chat(app, "citizen"))
    assert new.status == ApplicationStatus.SUBMITTED
    here = Chat(app, "xa")
    assert here.transport.texts("xa") == []  # no notice
    assert "Có thể cùng một người" not in joined(await here.tap(f"of:o:{new.id}"))


async def test_the_same_id_for_the_same_policy_anywhere_is_still_refused(app: HoTro) -> None:
    await existing(app, NHAT_TIEN_OTHER, PolicyId.HOUSEHOLD_BUSINESS)
    citizen = Chat(app, "citizen")
    await up_to_the_id(citizen)  # refused at the ID step now, before the rest of the form
    assert "Đã có hồ sơ" in citizen.all_text()
    async with app.sessions() as session:
        assert len((await session.execute(select(Application))).scalars().all()) == 1


async def test_rows_from_before_the_index_are_indexed_at_start_and_rotation_re_keys_it(
    settings: object, tmp_path: Path
) -> None:
    app = await create_app(with_key(settings, KEY_A))  # type: ignore[arg-type]
    earlier = await existing(app, NHAT_TIEN_OTHER, PolicyId.HOUSEHOLD_BUSINESS, "085012345")
    async with app.sessions.begin() as session:
        await session.execute(update(Application).values(person_hash=None))  # as migration 0010 leaves them
    await app.close()
    app = await create_app(with_key(settings, KEY_A))  # type: ignore[arg-type]
    async with app.sessions() as session:
        stored = await session.get(Application, earlier.id)
        assert stored is not None and stored.person_hash == app.protector.person_index(NAME, BORN)
    await app.close()

    new_key = tmp_path / "new.key"
    await run_rotate(with_key(settings, KEY_A), argparse.Namespace(new_key_file=str(new_key)))  # type: ignore[arg-type]
    app = await create_app(with_key(settings, None, data_key_file=new_key))  # type: ignore[arg-type]
    await register_official(app, "xa", "commune", NHAT_TIEN)
    await submit_in_chat(app, Chat(app, "citizen"))
    assert app_code.display(earlier.code) in Chat(app, "xa").last_text  # found under the new key
    await app.close()


async def test_the_flag_reaches_the_officials_through_telegram(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    earlier = await existing(app, NHAT_TIEN_OTHER, PolicyId.FREE_WORKER, "001175012345", "Vũ Thị Lan", date(1975, 4, 3))
    async with app.sessions.begin() as session:
        from storage.officials import add_official

        await add_official(session, "telegram", "7201", "commune", NHAT_TIEN, None)
        await add_official(session, "telegram", "7202", "commune", NHAT_TIEN_OTHER, None)
    here, there = telegram_user(client, fake_telegram, app, 7201), telegram_user(client, fake_telegram, app, 7202)
    await here.say("/start")
    await there.say("/start")
    lan = telegram_user(client, fake_telegram, app, 5201)
    await household_up_to_the_phone(lan)
    await lan.say("0912345678")
    await household_after_the_phone(lan)
    await lan.press("Bỏ qua")
    sent = await lan.press("Xác nhận")
    assert "Mã hồ sơ" in sent[0].text
    await fake_telegram.wait_for_messages(7202, 2)
    assert app_code.display(earlier.code) in there.last_text and "hồ sơ mới" in there.last_text
    assert app_code.display(earlier.code) in here.last_text
    await here.press("Mở hồ sơ")
    assert "Có thể cùng một người" in here.last_text


async def test_the_web_consoles_application_page_shows_the_flag_and_the_payment_answer(app: HoTro) -> None:
    from aiohttp.test_utils import TestServer

    from bot.web import build_web_app
    from messages.vocabulary import PaymentConfirmation
    from storage import confirmations
    from tests.console_client import Console, make_official
    from tests.test_payment_confirm import insert_paid

    earlier = await existing(app, NHAT_TIEN_OTHER, PolicyId.FREE_WORKER)
    new = await submit_in_chat(app, Chat(app, "citizen"))
    payment_id = await insert_paid(app, "test", "paid-citizen", datetime.now(UTC) - timedelta(days=4))
    async with app.sessions.begin() as session:
        await confirmations.record_answer(session, payment_id, PaymentConfirmation.DENIED, datetime.now(UTC))
        paid_code = (
            await session.execute(select(Application.code).where(Application.chat_id == "paid-citizen"))
        ).scalar_one()
    web = TestClient(TestServer(build_web_app(app), host="127.0.0.1"))
    await web.start_server()
    try:
        console = Console(web)
        await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
        page = await console.get(f"/canbo/ho-so/{new.code}")
        assert "Có thể cùng một người" in page and app_code.display(earlier.code) in page
        page = await console.get(f"/canbo/ho-so/{paid_code}")
        assert "Người dân báo CHƯA nhận được 3.000.000" in page
    finally:
        await web.close()
