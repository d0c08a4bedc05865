"""Status checks, the officials' review in the chat, notifications and access control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import HoTro
from handlers import app_code
from handlers.review import service as review
from handlers.review.lifecycle import PaymentInfo, TransitionError
from handlers.review.service import OutboxQueue
from messages import fmt
from storage.models import Application, Attachment, AuditLog, Payment, StatusEvent
from storage.officials import add_official
from tests.applications import HUU_LUNG, NHAT_TIEN, submit_household
from tests.chat import Chat, joined


async def register_official(app: HoTro, user: str, role: str, area: int | None) -> None:
    async with app.sessions.begin() as session:
        await add_official(session, "test", user, role, area, None)


async def reload(app: HoTro, application: Application) -> Application:
    async with app.sessions() as session:
        return await session.get(Application, application.id)


async def test_full_review_journey_with_notifications(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    assert application.commune_code == NHAT_TIEN and application.district_code == HUU_LUNG
    await register_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    await official.say("/canbo")
    assert "Số hồ sơ trên địa bàn: 1" in official.last_text
    await official.press("Đã nộp (1)")
    await official.press(app_code.display(application.code))
    details = official.last_text
    assert "001085012345" in details and "Xã Nhật Tiến" in details  # officials see the full ID to verify it

    await official.press("Bắt đầu xem xét")
    await official.press("Xác nhận")
    assert "đang được UBND xã xem xét" in citizen.last_text

    await official.tap(f"of:o:{application.id}")
    await official.press("Yêu cầu bổ sung")
    await official.say("Vui lòng gửi ảnh thông báo tạm ngừng kinh doanh")
    await official.press("Xác nhận")
    assert "Vui lòng gửi ảnh thông báo" in citizen.last_text
    await citizen.press("Trả lời")
    await citizen.attach("photo-of-notice")
    assert "đã được bổ sung" in citizen.last_text
    assert "đã trả lời" in official.last_text  # the official is told

    await official.tap(f"of:o:{application.id}")
    await official.press("Chuyển UBND huyện")
    await official.press("Xác nhận")
    assert "chuyển lên UBND huyện" in citizen.last_text

    await official.tap(f"of:o:{application.id}")
    await official.press("Ghi nhận phê duyệt")
    await official.say("1234/QĐ-UBND")
    await official.say("hôm nay")  # not before the application was filed
    assert "3.000.000" in official.last_text  # the requested amount is prefilled
    await official.press("Xác nhận")
    assert "1234/QĐ-UBND" in citizen.last_text and "3.000.000\xa0₫" in citizen.last_text

    await official.tap(f"of:o:{application.id}")
    await official.press("Ghi nhận đã chi trả")
    await official.press("Bỏ qua")  # no receipt number
    await official.press("Xác nhận")
    assert "đã được chi trả: 3.000.000\xa0₫" in citizen.last_text

    replies = await citizen.press("Hồ sơ của tôi")
    text = joined(replies)
    assert "Trạng thái: Đã chi trả" in text and "Đã chi trả 3.000.000\xa0₫" in text
    async with app.sessions() as session:
        events = (await session.execute(select(StatusEvent.to_status).order_by(StatusEvent.id))).scalars().all()
        payments = (await session.execute(select(Payment))).scalars().all()
        views = (await session.execute(select(AuditLog).where(AuditLog.action == "view"))).scalars().all()
    assert events == ["submitted", "under_review", "needs_info", "under_review", "forwarded", "approved", "paid"]
    assert [p.amount for p in payments] == [3_000_000]
    assert len(views) >= 5


async def test_officials_cannot_see_or_change_another_area(app: HoTro) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    await register_official(app, "other", "commune", 6382)  # Xã Nhất Tiến: a different commune
    await register_official(app, "district", "district", HUU_LUNG)
    other = Chat(app, "other")
    await other.say("/canbo")
    assert "Số hồ sơ trên địa bàn: 0" in other.last_text
    await other.tap(f"of:o:{application.id}")
    assert "không thuộc địa bàn" in other.last_text and "001085012345" not in other.all_text()
    await other.tap(f"of:t:{application.id}:rejected")
    assert "không thuộc địa bàn" in other.last_text
    assert (await reload(app, application)).status == "submitted"
    district = Chat(app, "district")
    await district.tap(f"of:o:{application.id}")
    assert "001085012345" in district.last_text  # the district covers the commune
    citizen_probe = Chat(app, "nobody")
    await citizen_probe.tap(f"of:o:{application.id}")
    assert "chỉ dành cho cán bộ" in citizen_probe.last_text


async def test_a_change_that_is_no_longer_allowed_is_refused(app: HoTro) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    await register_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    await official.tap(f"of:t:{application.id}:paid")  # not approved yet: no such button, nothing happens
    assert (await reload(app, application)).status == "submitted"
    await official.tap(f"of:t:{application.id}:rejected")
    await official.say("Không thuộc diện tạm ngừng theo yêu cầu của cơ quan nhà nước")
    other = Chat(app, "xa2")
    await register_official(app, "xa2", "commune", NHAT_TIEN)
    await other.tap(f"of:t:{application.id}:under_review")
    await other.press("Xác nhận")
    await official.press("Xác nhận")  # the application moved meanwhile: still allowed (under_review -> rejected)
    assert (await reload(app, application)).status == "rejected"
    assert "không được duyệt" in Chat(app, "citizen").last_text


async def changed_by_official(app: HoTro, target: str, note: str) -> tuple[Application, Chat, Chat]:
    """A submitted application moved by the commune's official to `target` with `note` (a reason, a question):
    (the application, the official's chat, the citizen's chat)."""
    application = await submit_household(app, Chat(app, "citizen"))
    await register_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    await official.tap(f"of:t:{application.id}:{target}")
    await official.say(note)
    await official.press("Xác nhận")
    return application, official, Chat(app, "citizen")


async def test_a_rejected_citizen_is_offered_the_way_to_disagree(app: HoTro) -> None:
    """The rejection notice says why and how to disagree: a complaint in the bot, or the commune."""
    _application, _official, citizen = await changed_by_official(
        app, "rejected", "Không thuộc diện tạm ngừng theo yêu cầu của cơ quan nhà nước."
    )
    assert "nhà nước.." not in citizen.last_text and "Phản ánh, kiến nghị" in citizen.last_text, citizen.last_text
    assert "pa" in {b["action"] for b in citizen.buttons()}


async def test_the_photo_an_official_asked_for_is_taken_when_sent_without_pressing_reply(app: HoTro) -> None:
    """Asked for a photo, a citizen sends it straight away: it is the answer, not "nothing was saved"."""
    application, official, citizen = await changed_by_official(
        app, "needs_info", "Vui lòng gửi ảnh giấy chứng nhận đăng ký kinh doanh"
    )
    await citizen.attach("photo-of-the-licence")
    assert "đã được bổ sung" in citizen.last_text and "chưa được lưu" not in citizen.all_text(), citizen.last_text
    assert "đã trả lời" in official.last_text
    async with app.sessions() as session:
        kept = await session.execute(select(Attachment.file_id).where(Attachment.application_id == application.id))
        assert "photo-of-the-licence" in kept.scalars().all()


async def test_an_answer_typed_without_pressing_reply_gets_no_policy_page(app: HoTro) -> None:
    """Waiting for information, "tôi không có thông báo đó, phường chỉ nói miệng" got the free workers' page
    above the offer to send it as the answer."""
    _application, _official, citizen = await changed_by_official(
        app, "needs_info", "Vui lòng gửi ảnh thông báo tạm ngừng kinh doanh của phường"
    )
    reply = await citizen.say("tôi không có thông báo đó, phường chỉ nói miệng")
    assert len(reply) == 1 and "đang chờ bạn bổ sung" in reply[0]["text"], joined(reply)
    # anything else still goes its way: a withdrawal, a complaint, a question
    assert "Rút hồ sơ" in joined(await citizen.say("tôi muốn rút hồ sơ của tôi")) or "rút" in citizen.last_text


async def test_an_answer_typed_without_pressing_reply_is_kept_and_sent_with_one_press(app: HoTro) -> None:
    """Typed in the menu, the answer used to get a policy page and be lost; now a button sends it."""
    application, official, citizen = await changed_by_official(
        app, "needs_info", "Anh cho biết quán tạm ngừng từ ngày nào"
    )
    await citizen.say("tạm ngừng từ 19/7 theo thông báo của phường")
    assert "đang chờ bạn bổ sung" in citizen.last_text
    await citizen.press("Gửi tin nhắn đó")
    assert "đã được bổ sung" in citizen.last_text
    assert "đã trả lời" in official.last_text
    async with app.sessions() as session:
        assert (await session.get(Application, application.id)).status == "under_review"  # type: ignore[union-attr]
    # a question is answered as one, with no offer
    await official.tap(f"of:t:{application.id}:needs_info")
    await official.say("Anh gửi ảnh thông báo")
    await official.press("Xác nhận")
    assert "đang chờ bạn bổ sung" not in joined(await citizen.say("gửi ảnh ở đâu vậy"))
    assert "đang chờ bạn bổ sung" not in joined(await citizen.say("cảm ơn bạn nhiều nhé"))


async def test_a_photo_with_no_request_waiting_is_not_taken(app: HoTro) -> None:
    """With no request waiting, a photo outside a step is still not kept."""
    citizen = Chat(app, "citizen")
    await citizen.say("/start")
    await citizen.attach("a-photo")
    assert "chưa được lưu" in citizen.last_text


async def test_status_by_code_and_last_digits_is_rate_limited(app: HoTro) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    stranger = Chat(app, "stranger")
    await stranger.say("/start")
    await stranger.press("Hồ sơ của tôi")
    assert "chưa có hồ sơ" in stranger.last_text
    await stranger.press("Tra cứu bằng mã")
    await stranger.say("HK-AAAA-AAAA")
    assert "không phải là mã hồ sơ hợp lệ" in stranger.last_text
    await stranger.say(app_code.display(application.code).lower())
    await stranger.say("2345")
    assert "Trạng thái: Đã nộp" in stranger.last_text
    for _attempt in range(5):
        await stranger.tap("lookup")
        await stranger.say(application.code)
        await stranger.say("9999")
    assert "Số lần thử còn lại: 0" in stranger.last_text
    await stranger.tap("lookup")
    await stranger.say(application.code)
    assert "sai quá nhiều lần" in stranger.last_text
    await stranger.say("2345")  # even the right digits are refused now
    assert "Trạng thái" not in stranger.last_text


async def test_citizen_withdraws_and_can_apply_again(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    await citizen.press("Hồ sơ của tôi")
    await citizen.press("Rút hồ sơ")
    await citizen.press("Có, rút hồ sơ")
    assert "Đã rút hồ sơ" in citizen.last_text
    assert (await reload(app, application)).status == "withdrawn"
    again = await submit_household(app, citizen)  # a withdrawn application does not block a new one
    assert again.id != application.id and again.status == "submitted"


async def test_overdue_list_is_paged_in_the_database(app: HoTro) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    late = await submit_household(app, Chat(app, "citizen-1"))
    fresh = await submit_household(app, Chat(app, "citizen-2"), id_number="001085099999")
    async with app.sessions.begin() as session:  # submitted three weeks ago: past 3 working days
        await session.execute(
            update(Application)
            .where(Application.id == late.id)
            .values(submitted_at=late.submitted_at - timedelta(days=21))
        )
    await register_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    await official.tap("of:l:overdue")
    assert "Quá hạn: 1 hồ sơ, trang 1/1" in official.last_text
    labels = [b["label"] for b in official.buttons()]
    assert any(app_code.display(late.code) in label and label.startswith("⚠️") for label in labels)
    assert not any(app_code.display(fresh.code) in label for label in labels)
    await official.tap("of:l:submitted")
    assert "Đã nộp: 2 hồ sơ" in official.last_text


async def test_an_approval_dated_before_the_application_was_filed_is_refused(app: HoTro) -> None:
    """Defect: the chat accepted a decision dated before the citizen submitted (the import refused it)."""
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    await register_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    filed = fmt.today_local(application.submitted_at)
    await official.tap(f"of:o:{application.id}")
    await official.press("Bắt đầu xem xét")
    await official.press("Xác nhận")
    await official.tap(f"of:o:{application.id}")
    await official.press("Ghi nhận phê duyệt")
    await official.say("1234/QĐ-UBND")
    refused = joined(await official.say((filed - timedelta(days=1)).strftime("%d/%m/%Y")))
    assert "trước ngày nộp hồ sơ" in refused and fmt.day(filed) in refused
    await official.say(filed.strftime("%d/%m/%Y"))  # the same question again; a valid date moves on
    await official.press("Xác nhận")
    assert (await reload(app, application)).decision_date == filed

    await official.tap(f"of:o:{application.id}")
    await official.press("Ghi nhận đã chi trả")
    await official.press("Bỏ qua")  # no receipt number
    await official.press("Sửa nội dung")
    await official.press("Ngày chi trả")
    refused = joined(await official.say((filed - timedelta(days=1)).strftime("%d/%m/%Y")))
    assert "trước ngày quyết định" in refused


async def test_the_service_refuses_dates_out_of_order_whoever_calls_it(app: HoTro) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    filed = fmt.today_local(application.submitted_at)
    async with app.sessions() as session:
        application = await session.get(Application, application.id)
        now = datetime.now(UTC)
        notices = OutboxQueue(session, now, app.protector)
        protector = app.protector
        await review.start_review(session, application, notices, actor="t", now=now, protector=protector)
        with pytest.raises(TransitionError):
            await review.approve(
                session,
                application,
                notices,
                decision_number="1/QĐ",
                decision_date=filed - timedelta(days=1),
                amount=None,
                actor="test",
                now=now,
                protector=protector,
            )
        with pytest.raises(TransitionError):  # nor a decision dated in the future
            await review.approve(
                session,
                application,
                notices,
                decision_number="1/QĐ",
                decision_date=filed + timedelta(days=30),
                amount=None,
                actor="test",
                now=now,
                protector=protector,
            )
        await review.approve(
            session,
            application,
            notices,
            decision_number="1/QĐ",
            decision_date=filed,
            amount=None,
            actor="t",
            now=now,
            protector=protector,
        )
        with pytest.raises(TransitionError):
            await review.record_payment(
                session,
                application,
                notices,
                actor="t",
                now=now,
                protector=protector,
                payment=PaymentInfo(3_000_000, filed - timedelta(days=1), "cash"),
            )


async def test_a_typed_yes_confirms_the_withdrawal_and_a_typed_no_keeps_the_application(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    await citizen.press("Hồ sơ của tôi")
    await citizen.press("Rút hồ sơ")
    await citizen.say("không")  # "Không, giữ lại"
    assert (await reload(app, application)).status == "submitted"
    await citizen.press("Rút hồ sơ")
    await citizen.say("có ạ")
    assert "Đã rút hồ sơ" in citizen.last_text
    assert (await reload(app, application)).status == "withdrawn"


@pytest.mark.parametrize("typed", ["tôi muốn rút hồ sơ", "cho em xin rút hồ sơ ạ", "hủy hồ sơ giúp tôi"])
async def test_withdrawing_asked_in_words_asks_to_confirm_the_one_application(app: HoTro, typed: str) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    reply = joined(await citizen.say(typed))
    assert "Bạn có chắc muốn rút hồ sơ" in reply and app_code.display(application.code) in reply, reply
    await citizen.say("không")  # "Không, giữ lại hồ sơ"
    assert (await reload(app, application)).status == "submitted"
    await citizen.say(typed)
    await citizen.say("có")
    assert (await reload(app, application)).status == "withdrawn"


async def test_withdrawing_asked_in_words_without_an_application_says_there_is_none(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    await citizen.say("/start")
    assert "chưa có hồ sơ nào" in joined(await citizen.say("tôi muốn rút hồ sơ"))


async def test_a_rejection_offers_the_policys_reasons_and_asks_a_bare_word_again(app: HoTro) -> None:
    """ "không đủ" was sent to the citizen as the whole reason; a refusal must give its reasons (QĐ 23)."""
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    await register_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    await official.tap(f"of:t:{application.id}:rejected")
    labels = [b["label"] for b in official.buttons()]
    assert "Tạm ngừng dưới 15 ngày" in labels and "Không thuộc nghề được hỗ trợ" not in labels, labels
    replies = await official.say("không đủ")
    assert "ghi rõ" in joined(replies) and "Xác nhận thay đổi" not in joined(replies), joined(replies)
    await official.press("Tạm ngừng dưới 15 ngày")
    await official.press("Xác nhận")
    reloaded = await reload(app, application)
    assert reloaded.status == "rejected"
    assert reloaded.rejection_reason == (
        "Thời gian tạm ngừng kinh doanh chưa đủ 15 ngày liên tục trong thời gian từ 01/5/2021 đến 31/12/2021."
    )
    assert "chưa đủ 15 ngày liên tục" in citizen.last_text


@pytest.mark.parametrize(
    ("typed", "refused"),
    [
        ("thiếu giấy tờ", True),
        ("hồ sơ chưa đủ giấy tờ chứng minh", True),
        ("cần bổ sung ảnh thông báo tạm ngừng kinh doanh", True),
        ("đã yêu cầu bổ sung giấy tờ nhưng quá hạn người dân không bổ sung", False),
        ("hộ không có đăng ký kinh doanh và không thuộc nhóm bán hàng rong", False),
    ],
)
async def test_missing_papers_typed_as_a_refusal_are_sent_to_a_request_for_information(
    app: HoTro, typed: str, refused: bool
) -> None:
    """ "thiếu giấy tờ" refused an application the citizen could have completed: missing papers are asked for."""
    application = await submit_household(app, Chat(app, "citizen"))
    await register_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    await official.tap(f"of:t:{application.id}:rejected")
    reply = joined(await official.say(typed))
    assert ("Yêu cầu bổ sung thông tin" in reply) is refused, reply
    assert ("Xác nhận thay đổi" in reply) is not refused, reply
