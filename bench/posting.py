"""How long a commune's public posting list takes: building it (decrypting and masking each ID number)
and writing it as HTML, XLSX and PDF, for a commune with many approved applications; and the count of
decisions overdue for posting that the daily report makes.

    .venv/bin/python bench/posting.py [--rows 2000] [--decisions 20]

Prints milliseconds per step and rows per second; each file format also as a ratio to HTML (the
baseline, the cheapest) measured in the same run. SQLite in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from handlers import app_code  # noqa: E402
from handlers.posting import files as posting_files  # noqa: E402
from handlers.posting import service as posting  # noqa: E402
from messages.vocabulary import ApplicationKind, ApplicationStatus  # noqa: E402
from storage import postings  # noqa: E402
from storage.crypto import fold_name  # noqa: E402
from storage.models import Application, ChannelUser  # noqa: E402

NHAT_TIEN, HUU_LUNG, LANG_SON = 6418, 186, 20
NOW = datetime(2021, 9, 30, 3, 0, tzinfo=UTC)


async def fill(app: object, rows: int, decisions: int) -> None:
    protector = app.protector  # type: ignore[attr-defined]
    async with app.sessions.begin() as session:  # type: ignore[attr-defined]
        user = ChannelUser(channel="console", user_id="bench", chat_id="bench")
        session.add(user)
        await session.flush()
        values = []
        for i in range(rows):
            id_number = f"0200{85 + i % 10:02d}{i + 1:06d}"
            values.append(
                {
                    "code": app_code.new_code("HK"),
                    "kind": ApplicationKind.HOUSEHOLD_BUSINESS,
                    "policy_id": ApplicationKind.HOUSEHOLD_BUSINESS,
                    "status": ApplicationStatus.APPROVED,
                    "channel": "console",
                    "chat_id": "bench",
                    "channel_user_id": user.id,
                    "full_name": f"Nguyễn Văn Thành {i}",
                    "name_key": fold_name(f"Nguyễn Văn Thành {i}"),
                    "phone": "*******678",
                    "phone_hash": protector.blind_index("phone", f"09{i:08d}"),
                    "id_kind": "cccd",
                    "id_number_enc": protector.encrypt(id_number, context="id_number"),
                    "id_hash": protector.blind_index("id_number", id_number),
                    "province_code": LANG_SON,
                    "district_code": HUU_LUNG,
                    "commune_code": NHAT_TIEN,
                    "payment_method": "cash",
                    "fields": {"address": f"Số nhà {i}, thôn Đồng Lâm {i % 7}"},
                    "decision_number": f"{1000 + i % decisions}/QĐ-UBND",
                    "decision_date": date(2021, 9, 1) + timedelta(days=i % decisions),
                    "approved_amount": 3_000_000,
                    "submitted_at": NOW - timedelta(days=60),
                    "updated_at": NOW,
                }
            )
        await session.execute(insert(Application), values)


async def main(rows: int, decisions: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = Settings(_env_file=None, data_dir=folder, database_url=f"sqlite+aiosqlite:///{folder}/b.db")  # type: ignore[call-arg]
        app = await create_app(settings)
        try:
            await fill(app, rows, decisions)
            started = time.perf_counter()
            async with app.sessions() as session:
                listed = await posting.build(session, app.protector, NHAT_TIEN, today=NOW.date())
            build_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            async with app.sessions() as session:
                late = await postings.overdue_count(session, Application.commune_code == NHAT_TIEN, NOW.date())
            count_ms = (time.perf_counter() - started) * 1000
            print(f"rows {len(listed.rows)}, decisions {len(listed.decisions)} ({late} overdue for posting)")
            print(f"build (query, decrypt, mask)  {build_ms:8.1f} ms  {len(listed.rows) / build_ms * 1000:9.0f} rows/s")
            print(f"overdue posting count         {count_ms:8.1f} ms")
            times = {}
            for suffix in ("html", "xlsx", "pdf"):
                path = folder / f"list.{suffix}"
                started = time.perf_counter()
                posting_files.write(listed, path)
                times[suffix] = (time.perf_counter() - started) * 1000
                size = path.stat().st_size // 1024
                print(
                    f"write {suffix:4}                    {times[suffix]:8.1f} ms  "
                    f"{len(listed.rows) / times[suffix] * 1000:9.0f} rows/s  {size:6d} KiB  "
                    f"x{times[suffix] / times['html']:.1f} of HTML"
                )
        finally:
            await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=20)
    options = parser.parse_args()
    asyncio.run(main(options.rows, options.decisions))
