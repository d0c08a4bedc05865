"""tests/applications.py makes the application the chat's form makes."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import HoTro
from storage import applications as repo
from storage.models import Application, Consent
from tests.applications import submit_household
from tests.chat import Chat
from tests.test_intake import submit_in_chat

# Different for each application of a person, or random (codes, nonces, hashes of the ID and phone).
OWN = {"id", "code", "chat_id", "channel_user_id", "consent_id", "phone", "phone_enc", "phone_hash", "id_number_enc"}
OWN |= {"id_hash", "birth_date_enc", "fields", "submitted_at", "updated_at"}  # fields: sealed, compared opened


async def test_the_setup_application_is_the_one_the_form_makes(app: HoTro) -> None:
    await submit_in_chat(app, Chat(app, "form"), id_number="001 085 012 345", phone="0912.345.678")
    direct = await submit_household(app, Chat(app, "direct"), id_number="001 085 099 999", phone="0987.654.321")
    async with app.sessions() as session:
        by_form, made = (await session.execute(select(Application).order_by(Application.id))).scalars().all()
        consents = (await session.execute(select(Consent).order_by(Consent.id))).scalars().all()
    assert made.id == direct.id
    columns = [c.key for c in Application.__table__.columns if c.key not in OWN]
    assert {c: getattr(made, c) for c in columns} == {c: getattr(by_form, c) for c in columns}
    assert repo.birth_date_of(made, app.protector) == repo.birth_date_of(by_form, app.protector)
    assert repo.fields_of(made, app.protector) == repo.fields_of(by_form, app.protector)
    assert (repo.phone_of(by_form, app.protector), repo.phone_of(made, app.protector)) == ("0912345678", "0987654321")
    assert (by_form.phone, made.phone) == ("*******678", "*******321")
    assert [(c.purpose, c.notice_version) for c in consents] == [
        (c.purpose, c.notice_version) for c in consents[:1]
    ] * 2
    assert made.status == "submitted" and made.chat_id == "direct" and made.consent_id == consents[1].id
