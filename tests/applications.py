"""Applications for a test's setup, without filling in the form through the chat.

The household form is 22 turns (about 110 ms of CPU); the tests of what comes after (review, the web
console, look-ups, payments, complaints) need only the application, and made it that way ~80 times a run.
`submit_household` opens the chat as a citizen does (/start), records the consent the notice asks for, and
stores the application the form makes through the submission service the form's last step calls
(handlers.apply.service.submit), with its possible-duplicate notices, as the chat's last step does.
tests/test_applications.py checks that it is the application the chat makes. The form itself is tested
through the chat: test_intake, test_conversation_robustness, test_duplicates, test_datakey, …
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.app import HoTro
from handlers.apply import duplicates
from handlers.apply import service as submission
from handlers.apply.chat import HOUSEHOLD_AMOUNT, NOTICE_VERSION
from handlers.review.service import OutboxQueue
from messages.vocabulary import ApplicationKind, AreaLevel
from storage import applications as repo
from storage.models import Application, ChannelUser
from tests.chat import Chat

NHAT_TIEN, HUU_LUNG, LANG_SON = 6418, 186, 20  # Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn (GSO codes)


def household(id_number: str = "001 085 012 345", phone: str = "0912.345.678") -> submission.NewApplication:
    """What tests.test_intake.fill_household answers, then cash and no documents, as the form hands it over."""
    place = {AreaLevel.PROVINCE: LANG_SON, AreaLevel.DISTRICT: HUU_LUNG, AreaLevel.COMMUNE: NHAT_TIEN}
    return submission.NewApplication(
        kind=ApplicationKind.HOUSEHOLD_BUSINESS,
        full_name="Nguyễn Văn An",
        id_number=re.sub(r"\D", "", id_number),
        phone=re.sub(r"\D", "", phone),
        province_code=LANG_SON,
        district_code=HUU_LUNG,
        commune_code=NHAT_TIEN,
        payment_method="cash",
        birth_date=date(1985, 7, 5),
        period_start=date(2021, 8, 1),
        period_end=date(2021, 8, 20),
        estimated_amount=HOUSEHOLD_AMOUNT,
        fields={
            "category": "registered",
            "business_name": "Phở Lan",
            "business_line": "bán phở",
            "tax_code": None,
            "place": place,
            "address": "thôn Đồng Lâm",
            "order": "Thông báo số 15/TB-UBND ngày 31/7/2021 của UBND huyện Hữu Lũng",
        },
    )


async def submit_household(
    app: HoTro, chat: Chat, id_number: str = "001 085 012 345", phone: str = "0912.345.678"
) -> Application:
    """The chat's household application, submitted (status 'submitted'), as if its form had been filled in."""
    await chat.say("/start")  # the chat's user and conversation, and the main menu as the last message
    now = datetime.now(UTC)
    async with app.sessions.begin() as session:
        user = (
            await session.execute(
                select(ChannelUser).where(ChannelUser.channel == chat.channel, ChannelUser.user_id == chat.chat_id)
            )
        ).scalar_one()
        consent = await repo.record_consent(session, user, "application", NOTICE_VERSION, now)
        applicant = submission.Applicant(chat.channel, chat.chat_id, chat.chat_id, user.id, consent.id)
        result = await submission.submit(session, app.protector, now, applicant, household(id_number, phone))
        if not isinstance(result, submission.Submitted):
            raise AssertionError(f"not submitted: an application with this ID number exists ({result.existing})")
        application = result.application
        queue = OutboxQueue(session, now, app.protector)
        for notice in await duplicates.notices(session, application, await duplicates.matches(session, application)):
            await queue.put(notice)
    await app.sender.deliver(queue.ids)
    return application
