"""The data key: recorded by id, checked at start, never silently replaced, rotated in one transaction."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import HoTro, create_app
from bot.config import Settings
from bot.datakey import DataKeyProblem, run_rotate
from handlers import app_code
from storage.applications import birth_date_of, fields_of, note_of, phone_of
from storage.conversations import DATA_CONTEXT
from storage.data_keys import FIELDS_SEALED, NOTES_SEALED
from storage.models import Application, Conversation, DataKey, KeyValue, OutboxMessage, StatusEvent
from tests.applications import submit_household
from tests.chat import Chat
from tests.conftest import PG_URL
from tests.prestarted import run_bot
from tests.test_intake import fill_household, submit_in_chat, up_to_the_id
from tests.test_review import register_official

KEY_A = "key-a-" + "a" * 40
KEY_B = "key-b-" + "b" * 40


def sqlite_settings(tmp_path: Path, **values: object) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'hotro.db'}"
    return Settings(_env_file=None, database_url=url, data_dir=tmp_path / "data", **values)  # type: ignore[call-arg]


def with_key(settings: Settings, key: str | None, **values: object) -> Settings:
    return settings.model_copy(update={"data_key": key, **values})


async def started(settings: Settings) -> HoTro:
    return await create_app(settings)


async def test_the_key_id_is_recorded_and_a_missing_key_file_is_refused_not_replaced(tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path)
    app = await started(settings)
    await submit_household(app, Chat(app, "citizen"))
    async with app.sessions() as session:
        recorded = (await session.execute(select(DataKey.key_id))).scalar_one()
    assert recorded == app.protector.key_id and len(recorded) == 32
    key_file = tmp_path / "data" / "hotro.key"
    assert key_file.read_text().strip() not in recorded  # an id, never the key
    await app.close()

    key_file.unlink()
    with pytest.raises(DataKeyProblem) as refused:
        await started(settings)
    message = str(refused.value)
    assert str(key_file) in message and "HOTRO_DATA_KEY" in message and recorded in message
    assert not key_file.exists()  # nothing was created


async def test_the_created_key_is_announced_in_vietnamese(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The first `hotro chat` prints this line to whoever started it: an official, who must back the key up."""
    app = await started(sqlite_settings(tmp_path))
    await app.close()
    (announced,) = [r.getMessage() for r in caplog.records if r.name == "bot.datakey"]
    assert str(tmp_path / "data" / "hotro.key") in announced
    assert "Đã tạo khóa dữ liệu cá nhân" in announced and "sao lưu" in announced


async def test_another_key_is_refused_and_changes_nothing(settings: Settings) -> None:
    app = await started(with_key(settings, KEY_A))
    await submit_household(app, Chat(app, "citizen"))
    await app.close()
    with pytest.raises(DataKeyProblem) as refused:
        await started(with_key(settings, KEY_B))
    assert "HOTRO_DATA_KEY" in str(refused.value) and "không khớp" in str(refused.value)
    app = await started(with_key(settings, KEY_A))  # the right key still works
    await app.close()


@pytest.mark.parametrize("key", ["", "   ", "short-key"])
async def test_an_empty_or_short_key_gets_a_clear_message(settings: Settings, key: str) -> None:
    with pytest.raises(DataKeyProblem) as refused:
        await started(with_key(settings, key))
    assert "HOTRO_DATA_KEY" in str(refused.value) and "32" in str(refused.value)


async def test_an_empty_key_file_and_a_missing_one_get_clear_messages(tmp_path: Path) -> None:
    empty = tmp_path / "empty.key"
    empty.write_text("\n")
    with pytest.raises(DataKeyProblem, match="quá ngắn"):
        await started(sqlite_settings(tmp_path, data_key_file=empty))
    with pytest.raises(DataKeyProblem, match="HOTRO_DATA_KEY_FILE"):
        await started(sqlite_settings(tmp_path, data_key_file=tmp_path / "missing.key"))
    assert not (tmp_path / "data").exists()  # refused before anything was created


async def test_postgresql_without_a_key_refuses_before_connecting(tmp_path: Path) -> None:
    # Port 9 (discard) on loopback: nothing listens, so reaching the database would be another error.
    url = "postgresql+asyncpg://postgres@127.0.0.1:9/hotro"
    settings = Settings(_env_file=None, database_url=url, data_dir=tmp_path / "data")  # type: ignore[call-arg]
    with pytest.raises(DataKeyProblem) as refused:
        await started(settings)
    assert "HOTRO_DATA_KEY" in str(refused.value) and "PostgreSQL" in str(refused.value)
    assert not (tmp_path / "data").exists()


def test_the_cli_prints_the_message_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "HOTRO_DATA_DIR": str(tmp_path / "data"), "HOTRO_DATA_KEY": "too-short"}
    env.pop("HOTRO_DATABASE_URL", None)
    result = run_bot("chat", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "HOTRO_DATA_KEY" in result.stderr and "quá ngắn" in result.stderr


async def test_rotation_re_encrypts_everything_and_the_old_key_is_refused(settings: Settings, tmp_path: Path) -> None:
    app = await started(with_key(settings, KEY_A))
    citizen = Chat(app, "citizen")
    application = await submit_in_chat(app, citizen, id_number="001085012345")  # the form: its sealed replies too
    await fill_household(Chat(app, "half"), id_number="001085099999")  # a form in progress
    await app.close()

    new_key = tmp_path / "new.key"
    await run_rotate(with_key(settings, KEY_A), argparse.Namespace(new_key_file=str(new_key)))
    assert new_key.stat().st_mode & 0o777 == 0o600

    with pytest.raises(DataKeyProblem):
        await started(with_key(settings, KEY_A))
    app = await started(with_key(settings, None, data_key_file=new_key))
    async with app.sessions() as session:
        assert (await session.execute(select(DataKey.key_id))).scalar_one() == app.protector.key_id
        stored = (await session.execute(select(Application))).scalar_one()
        assert app.protector.decrypt(stored.id_number_enc, context="id_number") == "001085012345"
        assert (await session.execute(select(Conversation.data).where(Conversation.chat_id == "half"))).scalar_one()
    await register_official(app, "xa", "commune", 6418)
    official = Chat(app, "xa")
    await official.tap(f"of:o:{application.id}")
    assert (
        "001085012345" in official.last_text
        and "0912345678" in official.last_text
        and "05/07/1985" in official.last_text
    )
    stranger = Chat(app, "stranger")
    await stranger.tap("lookup")
    await stranger.say(application.code)
    await stranger.say("2345")
    assert "Trạng thái" in stranger.last_text  # look-up by the last digits works under the new key
    half = Chat(app, "half")
    await half.tap("f:c:0")  # cash: the half-filled form goes on where it was
    assert "Bỏ qua" in " ".join(b["label"] for b in half.buttons())
    again = Chat(app, "again")
    await up_to_the_id(again, id_number="001085012345")
    assert app_code.display(application.code) not in again.all_text()
    assert "Đã có hồ sơ" in again.all_text()  # the duplicate is found: the blind indexes were re-keyed
    await app.close()


@pytest.mark.skipif(bool(PG_URL), reason="the default key file is the embedded SQLite database's")
async def test_rotating_the_default_key_file_replaces_it(tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path)
    app = await started(settings)
    await submit_household(app, Chat(app, "citizen"))
    await app.close()
    key_file = tmp_path / "data" / "hotro.key"
    old = key_file.read_text()
    await run_rotate(settings, argparse.Namespace(new_key_file=None))
    assert key_file.read_text() != old and not key_file.with_name("hotro.key.new").exists()
    app = await started(settings)
    async with app.sessions() as session:
        stored = (await session.execute(select(Application))).scalar_one()
    assert app.protector.decrypt(stored.id_number_enc, context="id_number") == "001085012345"
    await app.close()


async def test_a_database_from_before_key_ids_is_sealed_once_on_the_first_start(settings: Settings) -> None:
    app = await started(with_key(settings, KEY_A))
    await submit_in_chat(app, Chat(app, "citizen"), id_number="001085099999")
    await fill_household(Chat(app, "half"), id_number="001085012345")
    async with app.sessions.begin() as session:  # as an older version left it: in clear, no key id
        half = Conversation.chat_id == "half"
        await session.execute(update(Conversation).where(half).values(data={"answers": {"id_number": "001085012345"}}))
        await session.execute(update(OutboxMessage).values(payload={"text": "Số CCCD: 001085012345", "buttons": []}))
        await session.execute(
            update(Application).values(
                phone="0912345678", phone_enc=None, birth_date=date(1985, 7, 5), birth_date_enc=None
            )
        )
        await session.execute(delete(DataKey))
    await app.close()
    app = await started(with_key(settings, KEY_A))
    async with app.sessions() as session:
        data = (await session.execute(select(Conversation.data).where(half))).scalar_one()
        payloads = (await session.execute(select(OutboxMessage.payload))).scalars().all()
        application = (await session.execute(select(Application))).scalar_one()
    await app.close()
    assert "001085012345" not in str(data) and not any("001085012345" in str(p) for p in payloads)
    assert app.protector.open_json(data, context=DATA_CONTEXT)["answers"]["id_number"] == "001085012345"
    assert application.phone == "*******678" and application.birth_date is None
    assert phone_of(application, app.protector) == "0912345678"
    assert birth_date_of(application, app.protector) == date(1985, 7, 5)


async def status_notes(app: HoTro) -> list[tuple[str | None, str | None]]:
    async with app.sessions() as session:
        return [tuple(row) for row in (await session.execute(select(StatusEvent.note, StatusEvent.note_enc))).all()]


async def test_status_notes_from_before_sealing_are_sealed_once_and_rotate_with_the_key(
    settings: Settings, tmp_path: Path
) -> None:
    app = await started(with_key(settings, KEY_A))
    application = await submit_household(app, Chat(app, "citizen"))
    async with app.sessions.begin() as session:  # an answer as a version before 0013 stored it: in clear
        await record_status(session, application, note="Số tài khoản: 190357246801")
        await session.execute(delete(KeyValue).where(KeyValue.key == NOTES_SEALED))
    await app.close()

    app = await started(with_key(settings, KEY_A))  # the first start after the migration seals it
    [(submitted_clear, submitted_sealed), (answer_clear, sealed)] = await status_notes(app)
    assert (submitted_clear, submitted_sealed, answer_clear) == (None, None, None)  # submitting has no note
    assert sealed is not None and "190357246801" not in sealed
    async with app.sessions() as session:
        [_first, event] = (await session.execute(select(StatusEvent).order_by(StatusEvent.id))).scalars().all()
    assert note_of(event, app.protector) == "Số tài khoản: 190357246801"
    await app.close()

    new_key = tmp_path / "new.key"
    await run_rotate(with_key(settings, KEY_A), argparse.Namespace(new_key_file=str(new_key)))
    app = await started(with_key(settings, None, data_key_file=new_key))
    async with app.sessions() as session:
        [_first, event] = (await session.execute(select(StatusEvent).order_by(StatusEvent.id))).scalars().all()
    assert event.note_enc != sealed and note_of(event, app.protector) == "Số tài khoản: 190357246801"
    await app.close()


async def record_status(session: AsyncSession, application: Application, *, note: str) -> None:
    session.add(
        StatusEvent(
            application_id=application.id,
            from_status="needs_info",
            to_status="under_review",
            actor="citizen:test:citizen",
            note=note,
            at=datetime.now(UTC),
        )
    )


async def test_form_answers_from_before_sealing_are_sealed_once_and_rotate_with_the_key(
    settings: Settings, tmp_path: Path
) -> None:
    app = await started(with_key(settings, KEY_A))
    application = await submit_household(app, Chat(app, "citizen"))
    answers = fields_of(application, app.protector)
    assert answers and application.fields.keys() == {"sealed"}  # a new application's answers are sealed
    async with app.sessions.begin() as session:  # as a version before sealing stored them: in clear
        await session.execute(update(Application).values(fields=answers))
        await session.execute(delete(KeyValue).where(KeyValue.key == FIELDS_SEALED))
    await app.close()

    app = await started(with_key(settings, KEY_A))  # the first start after the change seals them
    async with app.sessions() as session:
        stored = (await session.execute(select(Application))).scalar_one()
    assert stored.fields.keys() == {"sealed"} and fields_of(stored, app.protector) == answers
    sealed = stored.fields
    await app.close()

    new_key = tmp_path / "new.key"
    await run_rotate(with_key(settings, KEY_A), argparse.Namespace(new_key_file=str(new_key)))
    app = await started(with_key(settings, None, data_key_file=new_key))
    async with app.sessions() as session:
        stored = (await session.execute(select(Application))).scalar_one()
    assert stored.fields != sealed and fields_of(stored, app.protector) == answers
    await app.close()
