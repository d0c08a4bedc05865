"""Storage at scale: a million applications, and how long citizens and officials wait on them.

    .venv/bin/python bench/storage.py                  # PostgreSQL, 1,000,000 rows, database bench_storage
    .venv/bin/python bench/storage.py --db sqlite      # SQLite, 200,000 rows (executemany is slower than COPY)
    .venv/bin/python bench/storage.py --reuse          # keep the previous run's rows if --db/--rows/--seed match

Not run in CI. It owns its database: on PostgreSQL the `public` schema of `bench_storage` (created if
missing) is dropped and rebuilt, on SQLite a file in the temporary directory. The schema comes from the
project's migrations (storage.db.migrate). The rows are synthetic and loaded with COPY (asyncpg's
copy_records_to_table on the raw connection) or, on SQLite, executemany in large transactions.

Timed, each after warm-up runs, as the median and p95 in ms:
- a citizen's status look-up by code (storage.applications.by_code), random existing codes;
- officials' lists, through handlers.officials.list_applications itself: the largest and a median commune's
  and the largest district's 'submitted' list (first page), and the province's 'overdue' list (which loads
  every candidate), each with the RSS it adds;
- the daily report (storage.reports.area_report) for those communes, the district, the province and admin;
- the export (bot.exchange.export_applications) of the area holding closest to 100,000 rows, once as XLSX
  and once as CSV for comparison: seconds, rows/s, MiB/s and peak RSS.
Then what-ifs measured in the same run, against those figures: query shapes the code could use instead, and
candidate indexes (created in the benchmark database only, named bench_ix_*, dropped before the run ends),
and EXPLAIN (ANALYZE, BUFFERS) summaries of the slowest operations' queries. No migration is written: the
indexes are suggestions. The default PostgreSQL run takes about 8-10 minutes on 2 cores; the XLSX export
alone takes 3-4 of them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import gc
import itertools
import json
import os
import platform
import random
import re
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file shares its name with the project's `storage` package: keep bench/ off the path, the project first.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() not in (HERE, ROOT))]

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker  # noqa: E402

import handlers.review.chat as official_handlers  # noqa: E402
from bench.common import ensure_pg_database  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.exchange import export_applications  # noqa: E402
from handlers import admin_units, app_code  # noqa: E402
from handlers.turn import Incoming, Services, Turn  # noqa: E402
from storage.applications import by_code  # noqa: E402
from storage.crypto import DataProtector, fold_name  # noqa: E402
from storage.db import make_engine, migrate, session_factory  # noqa: E402
from storage.models import Application, Base, ChannelUser, KeyValue, Official  # noqa: E402
from storage.officials import scope  # noqa: E402
from storage.report_figures import area_report, payment_overdue, review_overdue  # noqa: E402

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_storage"
SQLITE_PATH = Path(tempfile.gettempdir()) / "hotro-bench" / "storage.db"
DEFAULT_ROWS = {"postgres": 1_000_000, "sqlite": 200_000}
DATA_KEY = "bench-storage-key-" + "k" * 32
MARKER = "bench.storage"  # kv_store key describing the loaded rows, for --reuse

# The benchmark's clock: the daily report's time (14:30 in Vietnam) on the last day of the data.
NOW = datetime(2021, 12, 31, 7, 30, tzinfo=UTC)
TODAY = date(2021, 12, 31)
VN = timedelta(hours=7)  # Vietnam has no daylight saving time: local = UTC + 7
NINE_MINUTES = timedelta(minutes=9)  # from a citizen's first message to the submitted form
HOME_PROVINCE = 20  # Lạng Sơn, the deployment's province
# Lạng Sơn and five neighbours: 1,001 communes. Within a province, communes get Zipf(0.8) weights
# in random order: a few large towns, a long tail of small communes.
PROVINCE_SHARES = {20: 0.55, 24: 0.12, 19: 0.10, 22: 0.09, 4: 0.08, 6: 0.06}
ZIPF_S = 0.8
MONTH_WEIGHTS = {7: 8, 8: 22, 9: 24, 10: 16, 11: 14, 12: 16}  # submissions peak with the Aug-Sep lockdowns
# Each step after submission: (status, median days, lognormal sigma), scaled by the commune's speed.
STAGES = (("under_review", 2.5, 1.1), ("forwarded", 9.0, 1.0), ("approved", 30.0, 0.8), ("paid", 10.0, 0.9))
TOKEN_POOL = 4096  # distinct ciphertexts reused for ID numbers and bank accounts (same payload size)
CHAT_BASE = 30_000_000


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FAMILY = _words("Nguyễn Hoàng Nông Lương Vi Triệu Hà Lăng Chu Trần Lê Phạm Vũ Đặng Bùi Đỗ Ngô Dương Lý Mã")
FAMILY_W = [20, 12, 8, 6, 5, 5, 5, 3, 3, 8, 7, 5, 4, 3, 3, 3, 2, 2, 2, 2]
MIDDLE = {"male": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công"], "female": ["Thị", "Thu", "Ngọc", "Thanh", "Kim"]}
GIVEN = _words(
    "An Bình Cường Dũng Đạt Giang Hải Hà Hạnh Hiếu Hoa Hùng Hương Khánh Lan Linh Long Mai Minh Nam "
    "Nga Ngọc Nhung Phong Phương Quân Sơn Tâm Thảo Thắng Thủy Trang Tuấn Tú Vân Yến"
)
BUSINESS = ["cơm bình dân", "phở, bún", "tạp hóa", "cắt tóc", "may đo", "sửa xe máy", "cà phê", "bán rau quả"]
OCCUPATIONS = ["Bán hàng rong", "Bốc vác", "Xe ôm", "Phụ hồ", "Thu gom rác", "Giúp việc gia đình", "Bán vé số"]
BANKS = ["Agribank", "Vietcombank", "BIDV", "VietinBank", "LienVietPostBank"]
PHONE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "086", "088", "032", "033", "035", "039", "081"]
HOUSEHOLD_AMOUNT, FREE_WORKER_AMOUNT = 3_000_000, 1_500_000

USER_COLUMNS = _words(
    "id channel user_id chat_id display_name language status area_code created_at last_inbound_at window_replies"
)
APP_COLUMNS = _words(
    "id code kind policy_id status channel chat_id channel_user_id consent_id full_name name_key birth_date "
    "sex phone phone_hash id_kind id_number_enc id_hash province_code district_code commune_code "
    "period_start period_end payment_method bank_name bank_account_enc bank_hash account_holder "
    "fields estimated_amount duplicate_note status_changed_at info_request decision_number "
    "decision_date approved_amount rejection_reason submitted_at updated_at phone_enc birth_date_enc person_hash "
    "assisted_by consent_in_person linked_at"
)
EVENT_COLUMNS = ("id", "application_id", "from_status", "to_status", "actor", "note", "note_enc", "at")
PAYMENT_COLUMNS = (
    "id",
    "application_id",
    "amount",
    "paid_on",
    "method",
    "reference",
    "recorded_by",
    "recorded_at",
    "confirm_asked_at",
    "confirmation",
    "confirmed_at",
)
TABLES = (
    ("channel_users", USER_COLUMNS),
    ("applications", APP_COLUMNS),
    ("status_events", EVENT_COLUMNS),
    ("payments", PAYMENT_COLUMNS),
)


# ---- synthetic data ---------------------------------------------------------------------------
@dataclass
class Chunk:
    users: list[tuple[Any, ...]] = field(default_factory=list)
    applications: list[tuple[Any, ...]] = field(default_factory=list)
    status_events: list[tuple[Any, ...]] = field(default_factory=list)
    payments: list[tuple[Any, ...]] = field(default_factory=list)

    def table(self, name: str) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = getattr(self, "users" if name == "channel_users" else name)
        return rows


_CODE_VALUE = {ch: i for i, ch in enumerate(app_code.ALPHABET)}


def check_char(payload: str) -> str:
    """handlers.app_code's check character (new_code is ~14 µs a code with `secrets`: too slow for 1M)."""
    m = len(payload) + 1
    total = sum((m - i) * _CODE_VALUE[ch] for i, ch in enumerate(payload))
    return app_code.ALPHABET[-total % app_code.MODULUS]


class Synth:
    """Deterministic (seeded) applications with their users, status events and payments."""

    def __init__(self, seed: int, protector: DataProtector) -> None:
        self.rng = random.Random(seed)
        self.protector = protector
        self.communes: list[tuple[int, int, int]] = []
        weights: list[float] = []
        for province, share in PROVINCE_SHARES.items():
            units = [
                (province, d.code, c.code)
                for d in admin_units.districts(province)
                for c in admin_units.communes(d.code)
            ]
            self.rng.shuffle(units)
            zipf = [1 / (rank**ZIPF_S) for rank in range(1, len(units) + 1)]
            self.communes += units
            weights += [share * z / sum(zipf) for z in zipf]
        self.commune_cum = list(itertools.accumulate(weights))
        self.speed = [self.rng.lognormvariate(0, 0.5) for _ in self.communes]  # slow and fast communes
        self.places = [json.dumps({"province": p, "district": d, "commune": c}) for p, d, c in self.communes]
        days = [date(2021, 7, 1) + timedelta(days=n) for n in range((TODAY - date(2021, 7, 1)).days + 1)]
        self.midnights = [datetime(d.year, d.month, d.day, tzinfo=UTC) - VN for d in days]  # local midnight, in UTC
        self.day_cum = list(
            itertools.accumulate(MONTH_WEIGHTS[d.month] * (0.5 if d.weekday() >= 5 else 1) for d in days)
        )
        # Encrypting is ~4 µs a value; a pool keeps the ciphertext size realistic at no cost per row.
        self.id_tokens = [protector.encrypt(self._digits(12), context="id_number") for _ in range(TOKEN_POOL)]
        self.bank_tokens = [protector.encrypt(self._digits(13), context="bank_account") for _ in range(TOKEN_POOL)]
        self.family = [name for name, weight in zip(FAMILY, FAMILY_W, strict=True) for _ in range(weight)]
        self.used_ids: set[str] = set()
        self.used_codes: set[str] = set()
        self.event_id = 0
        self.payment_id = 0

    def _digits(self, n: int) -> str:
        return f"{int(self.rng.random() * 10**n):0{n}d}"

    def _pick(self, items: Sequence[Any]) -> Any:
        return items[int(self.rng.random() * len(items))]  # rng.choice, without its per-call overhead

    def _code(self, prefix: str) -> str:
        while True:
            payload = prefix + "".join(self.rng.choices(app_code.ALPHABET, k=app_code.RANDOM_LEN))
            code = payload + check_char(payload)
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def _id_number(self, sex: str, birth_year: int, province: int) -> str:
        while True:
            if self.rng.random() < 0.1:  # an old 9-digit CMND
                number = self._digits(9)
            else:
                century_sex = (0 if birth_year < 2000 else 2) + (1 if sex == "female" else 0)
                number = f"{province:03d}{century_sex}{birth_year % 100:02d}{self._digits(6)}"
            if number not in self.used_ids:  # id_hash must be unique per policy (uq_applications_policy_id_hash)
                self.used_ids.add(number)
                return number

    def _history(self, submitted: datetime, speed: float) -> list[tuple[str, datetime]]:
        """The status changes up to NOW: older applications have gone further; some stall or end early."""
        rng = self.rng
        events = [("submitted", submitted)]
        status, at = "submitted", submitted
        stalled = rng.random() < 0.15
        for stage, median, sigma in STAGES:
            if stalled and rng.random() < 0.5:
                break
            nxt = at + timedelta(days=median * speed * rng.lognormvariate(0, sigma))
            if nxt > NOW:
                break
            if status in ("under_review", "forwarded") and rng.random() < 0.02:
                events.append(("rejected", nxt))
                return events
            events.append((stage, nxt))
            status, at = stage, nxt
        if status in ("submitted", "under_review") and rng.random() < 0.06:
            events.append(("withdrawn", at + (NOW - at) * rng.random()))
        elif status == "under_review" and rng.random() < 0.15:
            events.append(("needs_info", at + (NOW - at) * rng.random() * 0.5))
        return events

    def chunk(self, first_id: int, count: int) -> Chunk:
        rng, rand, pick, digits, index = self.rng, self.rng.random, self._pick, self._digits, self.protector.blind_index
        out = Chunk()
        where = rng.choices(range(len(self.communes)), cum_weights=self.commune_cum, k=count)
        midnights = rng.choices(self.midnights, cum_weights=self.day_cum, k=count)
        for app_id, commune_index, midnight in zip(range(first_id, first_id + count), where, midnights, strict=True):
            province, district, commune = self.communes[commune_index]
            submitted = midnight + timedelta(seconds=6 * 3600 + rand() * 16 * 3600)
            if submitted > NOW:
                submitted = NOW - timedelta(seconds=60 + rand() * 6 * 3600)
            household = rand() < 0.4
            kind = "household_business" if household else "free_worker"
            sex = "male" if rand() < 0.55 else "female"
            birth_year = 1956 + int(rand() * 48)
            id_number = self._id_number(sex, birth_year, province if rand() < 0.8 else pick((1, 20, 24)))
            name = f"{pick(self.family)} {pick(MIDDLE[sex])} {pick(GIVEN)}"
            phone = pick(PHONE_PREFIXES) + digits(7)
            bank = rand() < 0.45
            account = digits(13) if bank else None
            start = max(date(2021, 5, 1), (submitted + VN).date() - timedelta(days=15 + int(rand() * 60)))
            end = start + timedelta(days=14 + int(rand() * 31))
            # The form's other answers, as JSON written directly: every word comes from the lists above
            # (no quotes or backslashes), and json.dumps would cost ~7 µs a row.
            place, village = self.places[commune_index], f"thôn {pick(GIVEN)} {1 + int(rand() * 12)}"
            if household:
                category = pick(("registered", "tax_directory", "street_vendor", "mobile_seasonal"))
                order = "Chỉ thị 16" if rand() < 0.7 else f"Thông báo số {1 + int(rand() * 300)}/TB-UBND"
                fields = (
                    f'{{"category": "{category}", "business_name": "Quán {name.rsplit(" ", 1)[-1]}", '
                    f'"business_line": "{pick(BUSINESS)}", "place": {place}, "address": "{village}", '
                    f'"order": "{order}"}}'
                )
            else:
                fields = (
                    f'{{"home_place": {place}, "home_address": "{village}", "same_address": "yes", '
                    f'"occupation": "{pick(OCCUPATIONS)}", "workplace": "chợ {pick(GIVEN)}"}}'
                )
            amount = HOUSEHOLD_AMOUNT if household else FREE_WORKER_AMOUNT
            history = self._history(submitted, self.speed[commune_index])
            status, changed = history[-1]
            decided = next((at for s, at in history if s == "approved"), None)
            chat = str(CHAT_BASE + app_id)
            out.users.append(
                (
                    app_id,
                    "telegram",
                    chat,
                    chat,
                    None,
                    "vi",
                    "active",
                    None,
                    submitted - NINE_MINUTES,
                    submitted,
                    0,
                )
            )
            born = date(birth_year, 1 + int(rand() * 12), 1 + int(rand() * 28))
            out.applications.append(
                (
                    app_id,
                    self._code("HK" if household else "TD"),
                    kind,
                    kind,
                    status,
                    "telegram",
                    chat,
                    app_id,
                    None,
                    name,
                    fold_name(name),
                    born,
                    None if household else sex,
                    phone,
                    index("phone", phone),
                    "cccd" if len(id_number) == 12 else "cmnd",
                    self.id_tokens[app_id % TOKEN_POOL],
                    index("id_number", id_number),
                    province,
                    district,
                    commune,
                    start,
                    end,
                    "bank" if bank else "cash",
                    pick(BANKS) if bank else None,
                    self.bank_tokens[app_id % TOKEN_POOL] if bank else None,
                    index("bank_account", account) if account else None,
                    name.upper() if bank else None,
                    fields,
                    amount,
                    "Trùng số điện thoại với hồ sơ khác" if rand() < 0.005 else None,
                    changed if len(history) > 1 else None,
                    "Bổ sung xác nhận của chủ cơ sở" if status == "needs_info" else None,
                    f"{100 + int(rand() * 9900)}/QĐ-UBND" if decided else None,
                    (decided + VN).date() if decided else None,
                    amount if decided else None,
                    "Không thuộc đối tượng hỗ trợ" if status == "rejected" else None,
                    submitted,
                    changed,
                    None,  # phone_enc, birth_date_enc: rows as before 0007 (phone and birth date in clear)
                    None,
                    self.protector.person_index(name, born),
                    None,  # assisted_by, consent_in_person, linked_at: filed by the citizen in the chat (0011)
                    False,
                    None,
                )
            )
            previous = None
            for to_status, at in history:
                self.event_id += 1
                actor = f"citizen:telegram:{chat}" if to_status in ("submitted", "withdrawn") else "official:1"
                out.status_events.append((self.event_id, app_id, previous, to_status, actor, None, None, at))
                previous = to_status
            if status == "paid":
                self.payment_id += 1
                reference = f"UNC-{digits(6)}" if bank else None
                paid_on = (changed + VN).date()
                out.payments.append(
                    (
                        self.payment_id,
                        app_id,
                        amount,
                        paid_on,
                        "bank" if bank else "cash",
                        reference,
                        "official:1",
                        changed,
                        None,  # not yet asked whether it arrived
                        None,
                        None,
                    )
                )
        json.loads(out.applications[0][APP_COLUMNS.index("fields")])  # the hand-written JSON parses
        assert app_code.is_valid(out.applications[0][1]), "check_char differs from handlers.app_code"
        return out


# ---- loading ------------------------------------------------------------------------------------
@dataclass
class LoadStats:
    rows: int = 0
    generate_s: float = 0.0
    insert_s: float = 0.0
    index_s: float = 0.0
    analyze_s: float = 0.0
    wall_s: float = 0.0


def generated(seed: int, rows: int, size: int, stats: LoadStats) -> Iterator[Chunk]:
    """Chunks of rows from one seeded generator. (A worker process generating ahead was slower here: with two
    cores, pickling the chunks cost more than the overlap with the database's work saved.)"""
    synth = Synth(seed, DataProtector(DATA_KEY))
    gc.disable()  # millions of new tuples: the cyclic collector would rescan them over and over
    try:
        for first in range(1, rows + 1, size):
            started = time.perf_counter()
            chunk = synth.chunk(first, min(size, rows - first + 1))
            stats.generate_s += time.perf_counter() - started
            yield chunk
    finally:
        gc.enable()


def _loaded(stats: LoadStats, chunk: Chunk) -> None:
    progress(f"loaded {chunk.applications[-1][0]:,}/{stats.rows:,}")


async def load_postgres(engine: AsyncEngine, seed: int, rows: int, chunk_size: int) -> LoadStats:
    stats = LoadStats(rows=rows)
    names = [name for name, _ in TABLES]
    async with engine.connect() as conn:
        pg = (await conn.get_raw_connection()).driver_connection  # asyncpg.Connection, outside any transaction
        assert pg is not None
        # The generator makes consistent rows: skip the per-row foreign-key triggers, and build the
        # secondary indexes once at the end (a sort) rather than row by row (random B-tree inserts).
        await pg.execute("SET session_replication_role = replica")
        await pg.execute("SET maintenance_work_mem = '1GB'")
        indexes = await pg.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1::text[])"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            names,
        )
        for index in indexes:
            await pg.execute(f'DROP INDEX "{index["indexname"]}"')
        for chunk in generated(seed, rows, chunk_size, stats):
            started = time.perf_counter()
            for name, columns in TABLES:
                await pg.copy_records_to_table(name, records=chunk.table(name), columns=list(columns))
            stats.insert_s += time.perf_counter() - started
            _loaded(stats, chunk)
        started = time.perf_counter()
        for index in indexes:
            await pg.execute(index["indexdef"])
        for name in names:
            await pg.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
        stats.index_s = time.perf_counter() - started
        started = time.perf_counter()
        await pg.execute("RESET ALL")
        for name in names:  # as autovacuum would: statistics, and the visibility map for index-only scans
            await pg.execute(f"VACUUM (ANALYZE) {name}")
        stats.analyze_s = time.perf_counter() - started
    return stats


def _sqlite_value(value: Any) -> Any:
    """Values as SQLAlchemy stores them on SQLite (naive UTC text datetimes, ISO dates)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def load_sqlite(path: Path, seed: int, rows: int, chunk_size: int) -> LoadStats:
    stats = LoadStats(rows=rows)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA foreign_keys=OFF")  # consistent by construction, as on PostgreSQL
        db.execute("PRAGMA cache_size=-1000000")
        names = [name for name, _ in TABLES]
        marks = ",".join("?" * len(names))
        indexes = db.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
            names,
        ).fetchall()
        for name, _sql in indexes:
            db.execute(f'DROP INDEX "{name}"')
        for chunk in generated(seed, rows, chunk_size, stats):
            started = time.perf_counter()
            db.execute("BEGIN")
            for name, columns in TABLES:
                sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                db.executemany(sql, ([_sqlite_value(v) for v in row] for row in chunk.table(name)))
            db.execute("COMMIT")
            stats.insert_s += time.perf_counter() - started
            _loaded(stats, chunk)
        started = time.perf_counter()
        for _name, sql in indexes:
            db.execute(sql)
        stats.index_s = time.perf_counter() - started
        started = time.perf_counter()
        db.execute("ANALYZE")
        stats.analyze_s = time.perf_counter() - started
    finally:
        db.close()
    return stats


# ---- measuring ----------------------------------------------------------------------------------
@dataclass
class Timing:
    name: str
    ms: list[float]
    note: str = ""
    peak_mib: float | None = None  # RSS rise during the first (untimed) run, when asked for

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95(self) -> float:
        if len(self.ms) < 2:
            return self.ms[0]
        return statistics.quantiles(self.ms, n=20, method="inclusive")[18]


@contextlib.contextmanager
def captured(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (with their driver parameters) run on `engine` inside the block."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)


def release_memory() -> None:
    """Collect garbage and hand freed heap back to the OS, so that the next RSS rise is the next call's own."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM) of this process; False where unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_mib(key: str = "VmRSS") -> float:
    """VmRSS (now) or VmHWM (peak) of this process in MiB, from /proc; ru_maxrss where /proc is missing."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


Op = Callable[[int], Awaitable[str | None]]


@dataclass
class Area:
    role: str
    code: int | None
    rows: int  # all applications in the area
    label: str

    @property
    def official(self) -> Official:
        return Official(role=self.role, area_code=self.code)  # transient: only its scope is used

    @property
    def condition(self) -> ColumnElement[bool]:
        return scope(self.official)


class Bench:
    def __init__(self, engine: AsyncEngine, protector: DataProtector, quick: bool) -> None:
        self.engine = engine
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(engine)
        self.protector = protector
        self.quick = quick
        self.settings = Settings(_env_file=None)  # type: ignore[call-arg]
        self.timings: list[Timing] = []
        self.statements: dict[str, list[tuple[str, Any]]] = {}

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def measure(
        self,
        name: str,
        op: Op,
        *,
        warmup: int = 2,
        reps: int = 10,
        budget_s: float = 20.0,
        memory: bool = False,
        into: list[Timing] | None = None,
    ) -> Timing:
        """`warmup` untimed runs (the first one's SQL is kept for EXPLAIN, and its RSS rise measured if
        `memory`), then up to `reps` timed runs, stopping early (after 3) once `budget_s` is spent.
        Recorded in `into` (default: the main timings)."""
        if self.quick:
            reps, budget_s = max(3, reps // 4), budget_s / 4
        peak: float | None = None
        if memory:
            release_memory()
            base = rss_mib()
        with captured(self.engine) as seen:
            exact = memory and reset_peak_rss()
            note = await op(0)
            if exact:
                peak = rss_mib("VmHWM") - base
        self.statements[name] = list(seen)
        for i in range(1, warmup):
            await op(i)
        times: list[float] = []
        deadline = time.perf_counter() + budget_s
        for i in range(reps):
            started = time.perf_counter()
            await op(warmup + i)
            times.append((time.perf_counter() - started) * 1000)
            if len(times) >= 3 and time.perf_counter() > deadline:
                break
        timing = Timing(name, times, note or "", peak)
        (self.timings if into is None else into).append(timing)
        progress(f"{name}: median {timing.median:,.1f} ms over {len(times)} runs")
        return timing

    # ---- the operations
    def turn(self, session: AsyncSession) -> Turn:
        incoming = Incoming(channel="telegram", chat_id="bench", user_id="bench", event_id="bench")
        user = ChannelUser(channel="telegram", user_id="bench", chat_id="bench")
        return Turn(incoming, session, user, self.settings, Services(self.protector), NOW, "of", {})

    def lookup(self, codes: Sequence[str]) -> Op:
        """A session per look-up, as each chat turn has its own."""

        async def op(i: int) -> str | None:
            async with self.sessions() as session:
                application = await by_code(session, codes[i % len(codes)])
                assert application is not None
            return f"{len(codes):,} random existing codes, a session each"

        return op

    def official_list(self, area: Area, which: str) -> Op:
        """handlers.officials.list_applications itself, first page, as an official's button press runs it."""

        async def op(_i: int) -> str | None:
            async with self.sessions() as session:
                turn = self.turn(session)
                await official_handlers.list_applications(turn, area.official, which, 1)
            return turn.replies[-1].text.splitlines()[0]

        return op

    def paged_list(self, area: Area, which: str) -> Op:
        """What-if: the same first page with filter, order and page in SQL (a COUNT and a LIMIT 8)."""
        if which == "overdue":  # storage.report_figures' cutoffs: the same rows as deadlines.overdue()
            # The candidate statuses again, explicitly and as literals: redundant, but it lets the partial index E
            # be used, also by the generic plan PostgreSQL switches to for a prepared statement run 5+ times.
            literal = bindparam("candidates", list(OVERDUE_CANDIDATES), expanding=True, literal_execute=True)
            candidates = Application.status.in_(literal)
            wanted = and_(candidates, or_(review_overdue(TODAY), payment_overdue(TODAY)))
        else:
            wanted = Application.status == which
        where = and_(area.condition, wanted)

        async def op(_i: int) -> str | None:
            async with self.sessions() as session:
                total = await session.scalar(select(func.count()).select_from(Application).where(where))
                page = (
                    await session.execute(
                        select(Application)
                        .where(where)
                        .order_by(Application.submitted_at, Application.id)
                        .limit(official_handlers.PER_PAGE)
                    )
                ).scalars()
                shown = len(list(page))
            return f"{total:,} in the list, {shown} shown"

        return op

    def report(self, condition: ColumnElement[bool]) -> Op:
        async def op(_i: int) -> str | None:
            async with self.sessions() as session:
                data = await area_report(session, condition, TODAY, NOW)
            overdue = data.overdue_review + data.overdue_payment
            return f"{data.total:,} applications, {data.new_today:,} new today, {overdue:,} overdue"

        return op

    async def export(self, area: Area, out: Path, fmt: str) -> dict[str, float]:
        """One export (long enough to time alone), with its peak memory."""
        release_memory()
        base = rss_mib()
        exact = reset_peak_rss()
        started = time.perf_counter()
        with captured(self.engine) as seen:
            count = await export_applications(
                self.sessions,
                self.protector,
                role=area.role,
                area=area.code,
                out=out,
                fmt=fmt,
                actor="bench",
                today=TODAY,
            )
        seconds = time.perf_counter() - started
        peak = rss_mib("VmHWM") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size_mib = out.stat().st_size / 2**20
        name = f"export {fmt.upper()}, {area.label}"
        self.statements[name] = seen
        self.timings.append(Timing(name, [seconds * 1000], f"{count:,} rows, {size_mib:.1f} MiB", peak - base))
        progress(f"{name}: {seconds:.1f} s")
        return {"rows": count, "s": seconds, "mib": size_mib, "peak": peak, "base": base, "exact": exact}

    async def explain(self, statement: str, parameters: Any) -> list[str]:
        async with self.engine.connect() as conn:
            if self.postgres:
                result = await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                return [row[0] for row in result]
            result = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return [row[-1] for row in result]


def plan_summary(lines: Sequence[str], postgres: bool, limit: int = 16) -> list[str]:
    """The plan's nodes with actual rows and times, the conditions that decide them, and the totals."""
    if not postgres:
        return list(lines)[:limit]
    keep = ("->", "Index Cond", "Filter", "Rows Removed", "Sort Method:", "Workers Launched", "Heap Fetches")
    body: list[str] = []
    totals: list[str] = []
    for n, line in enumerate(lines):
        if line.startswith(("Planning Time", "Execution Time")):
            totals.append(line)
        elif n == 0 or (any(k in line for k in keep) and "Worker " not in line):
            line = _strip_cost(line)
            body.append(line if len(line) <= 150 else line[:147] + "...")
    if len(body) > limit:
        body = [*body[: limit - 1], f"  ... {len(body) - limit + 1} more plan lines"]
    return body + totals


def _strip_cost(line: str) -> str:
    start = line.find("(cost=")
    if start < 0:
        return line
    end = line.find(")", start)
    return (line[:start] + line[end + 2 :]).rstrip()


def execution_ms(lines: Sequence[str]) -> float:
    for line in lines:
        if line.startswith("Execution Time:"):
            return float(line.split()[2])
    return 0.0


def short_sql(statement: str, limit: int = 300) -> str:
    flat = " ".join(statement.split())
    for table_name in ("applications", "payments"):
        columns = rf"(?:{table_name}\.\w+, )+{table_name}\.\w+"
        flat = re.sub(rf"SELECT {columns} FROM", f"SELECT {table_name}.* FROM", flat)
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


# ---- the data set -------------------------------------------------------------------------------
async def read_marker(engine: AsyncEngine) -> dict[str, Any] | None:
    try:
        async with session_factory(engine)() as session:
            value = await session.scalar(select(KeyValue.value).where(KeyValue.key == MARKER))
    except Exception:  # no schema yet
        return None
    return json.loads(value) if value else None


async def rebuild(engine: AsyncEngine, args: argparse.Namespace, rows: int) -> LoadStats:
    """An empty schema from the migrations, then the synthetic rows."""
    for name, columns in TABLES:  # every column is given: a model change must show up here, not as a NULL error
        assert set(columns) == set(Base.metadata.tables[name].columns.keys()), f"{name}: columns differ from the model"
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await migrate(engine)
        stats = await load_postgres(engine, args.seed, rows, args.chunk)
    else:
        await engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.sqlite_path}{suffix}").unlink(missing_ok=True)
        await migrate(engine)
        await engine.dispose()
        stats = await asyncio.to_thread(load_sqlite, args.sqlite_path, args.seed, rows, args.chunk)
    stats.wall_s = time.perf_counter() - started
    async with session_factory(engine).begin() as session:
        marker = {"db": engine.dialect.name, "rows": rows, "seed": args.seed}
        session.add(KeyValue(key=MARKER, value=json.dumps(marker), updated_at=datetime.now(UTC)))
    return stats


async def pick_areas(sessions: async_sessionmaker[AsyncSession], export_rows: int) -> dict[str, Area]:
    """The home province's largest and median commune, its largest district, the province, admin,
    and the area whose (non-withdrawn) list is closest to `export_rows`, for the export."""
    levels = (Application.province_code, Application.district_code, Application.commune_code)
    listed = func.count().filter(Application.status != "withdrawn")
    async with sessions() as session:
        per_commune = (await session.execute(select(*levels, func.count(), listed).group_by(*levels))).all()
    totals: dict[tuple[str, int], list[int]] = {}
    for province, district, commune, count, in_list in per_commune:
        for key in (("province", province), ("district", district), ("commune", commune)):
            entry = totals.setdefault(key, [0, 0])
            entry[0] += count
            entry[1] += in_list

    def area(role: str, code: int, what: str = "", rows: int | None = None) -> Area:
        unit = admin_units.get(role, code)  # type: ignore[arg-type]
        rows = totals[(role, code)][0] if rows is None else rows
        return Area(role, code, rows, f"{what}{role} {code} {unit.name if unit else ''} ({rows:,} rows)")

    home = {d.code for d in admin_units.districts(HOME_PROVINCE)}
    communes = sorted((count, commune) for province, _d, commune, count, _l in per_commune if province == HOME_PROVINCE)
    districts = sorted((t[0], code) for (role, code), t in totals.items() if role == "district" and code in home)
    export_key = min(totals, key=lambda key: (abs(totals[key][1] - export_rows), key))
    everything = sum(t[0] for (role, _c), t in totals.items() if role == "province")
    return {
        "commune": area("commune", communes[-1][1], "largest "),
        "commune_median": area("commune", communes[len(communes) // 2][1], "median "),
        "district": area("district", districts[-1][1], "largest "),
        "province": area("province", HOME_PROVINCE),
        "admin": Area("admin", None, everything, f"admin ({everything:,} rows)"),
        "export": area(*export_key, rows=totals[export_key][1]),
    }


async def describe(bench: Bench, rows: int, load: LoadStats | None) -> list[tuple[str, str]]:
    """The setup lines: data, database, machine, load times."""
    import sqlalchemy

    async with bench.sessions() as session:
        by_status = dict((await session.execute(select(Application.status, func.count()).group_by("status"))).all())
        communes = await session.scalar(select(func.count(func.distinct(Application.commune_code))))
        events = await session.scalar(text("SELECT count(*) FROM status_events"))
        payments = await session.scalar(text("SELECT count(*) FROM payments"))
        if bench.postgres:
            version = str(await session.scalar(text("SHOW server_version"))).split()[0]
            knobs = [
                f"{name} {await session.scalar(text(f'SHOW {name}'))}"
                for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit")
            ]
            size = await session.scalar(text("SELECT pg_size_pretty(pg_total_relation_size('applications'))"))
            database = f"PostgreSQL {version} ({', '.join(knobs)}); applications + its indexes {size}"
        else:
            size_mib = Path(str(bench.engine.url.database)).stat().st_size / 2**20
            database = f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL); file {size_mib:,.0f} MiB"
    total = sum(by_status.values())
    mix = ", ".join(f"{s} {100 * n / total:.1f}%" for s, n in sorted(by_status.items(), key=lambda kv: -kv[1]))
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        ("database", database),
        ("rows", f"{total:,} applications in {communes:,} communes, {events:,} status events, {payments:,} payments"),
        ("statuses", mix),
        ("clock", f"now = {NOW + VN:%Y-%m-%d %H:%M} Vietnam time; submissions 01/07–31/12/2021"),
        ("machine", f"{os.cpu_count()} cores, {mem_gib:.1f} GiB RAM, {platform.system()} {platform.machine()}"),
        ("software", f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}"),
    ]
    if load is None:
        lines.append(("load", "reused the rows of an earlier run (--reuse)"))
    else:
        how = "COPY (copy_records_to_table)" if bench.postgres else "executemany, a transaction per chunk"
        vacuum = "VACUUM ANALYZE" if bench.postgres else "ANALYZE"
        lines.append(
            (
                "load",
                f"{load.wall_s:.0f} s ({rows / load.wall_s:,.0f} applications/s): generating {load.generate_s:.0f} s, "
                f"{how} {load.insert_s:.0f} s, secondary indexes {load.index_s:.0f} s, {vacuum} {load.analyze_s:.0f} s",
            )
        )
    lines.append(("ciphertexts", f"{TOKEN_POOL:,} distinct tokens reused for ID and bank numbers; id_hash unique"))
    return lines


# ---- the measurements ---------------------------------------------------------------------------
async def baseline(bench: Bench, areas: dict[str, Area], codes: Sequence[str]) -> None:
    await bench.measure("status look-up by code (by_code)", bench.lookup(codes), warmup=50, reps=1000, budget_s=15)
    for key in ("commune", "commune_median", "district"):
        area = areas[key]
        await bench.measure(
            f"list 'submitted', {area.label}", bench.official_list(area, "submitted"), reps=20, memory=True
        )
    province = areas["province"]
    await bench.measure(
        f"list 'overdue', {province.label}",
        bench.official_list(province, "overdue"),
        warmup=1,
        reps=3,
        budget_s=30,
        memory=True,
    )
    for key in ("commune", "commune_median", "district", "province", "admin"):
        area = areas[key]
        await bench.measure(f"report, {area.label}", bench.report(area.condition), warmup=1, reps=5, budget_s=15)


async def explain_slowest(bench: Bench, names: Sequence[str], per_op: int = 2) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the costliest SELECTs behind the named operations."""
    out: list[str] = []
    done: set[str] = set()
    for name in names:
        plans: list[tuple[float, str, list[str]]] = []
        for statement, parameters in bench.statements.get(name, []):
            if not statement.lstrip().upper().startswith("SELECT") or statement in done:
                continue
            done.add(statement)
            lines = await bench.explain(statement, parameters)
            plans.append((execution_ms(lines), statement, lines))
        plans.sort(key=lambda plan: -plan[0])
        for ms, statement, lines in plans[:per_op]:
            out.append(f"* {name}" + (f" — {ms:,.1f} ms in the server" if bench.postgres else ""))
            out.append(f"  SQL: {short_sql(statement)}")
            out += ["    " + line for line in plan_summary(lines, bench.postgres)]
            out.append("")
    return out


# ---- what-ifs -----------------------------------------------------------------------------------
# Created in the benchmark database only, and dropped before the run ends (also at the start of a run,
# should an earlier one have been interrupted). SQLite has no INCLUDE: its covering index has them as keys.
COVERING = "bench_ix_applications_area_status_cover"
AREA_STATUS = "province_code, district_code, commune_code, status"
COVERED = "submitted_at, decision_date, status_changed_at, approved_amount, id"
COVERING_INDEX = {  # C
    "postgresql": f"{COVERING} ON applications ({AREA_STATUS}) INCLUDE ({COVERED})",
    "sqlite": f"{COVERING} ON applications ({AREA_STATUS}, {COVERED})",
}
OVERDUE_CANDIDATES = ("submitted", "under_review", "approved")  # what handlers.officials.list_applications loads
OPEN_INDEX = {  # E: the overdue candidates only, in submission order
    "postgresql": "bench_ix_applications_overdue_candidates ON applications (province_code, submitted_at) "
    "INCLUDE (status, decision_date, status_changed_at) WHERE status IN ('submitted', 'under_review', 'approved')",
    "sqlite": "bench_ix_applications_overdue_candidates ON applications (province_code, submitted_at, status, "
    "decision_date, status_changed_at) WHERE status IN ('submitted', 'under_review', 'approved')",
}
ORDERED_INDEXES = [  # D
    f"bench_ix_applications_{level}_status_submitted ON applications ({level}_code, status, submitted_at)"
    for level in ("commune", "district", "province")
]


def scope_with_parents(official: Official) -> ColumnElement[bool]:
    """storage.officials.scope plus the parent units' codes. Commune codes are unique nationwide, so the rows are
    the same; but ix_applications_area_status (province, district, commune, status) can then be used in full."""
    unit = admin_units.get(official.role, official.area_code) if official.area_code is not None else None  # type: ignore[arg-type]
    if official.role == "commune" and unit is not None and unit.parent_code is not None:
        district = admin_units.get("district", unit.parent_code)
        if district is not None and district.parent_code is not None:
            return and_(
                Application.province_code == district.parent_code,
                Application.district_code == district.code,
                Application.commune_code == unit.code,
            )
    if official.role == "district" and unit is not None and unit.parent_code is not None:
        return and_(Application.province_code == unit.parent_code, Application.district_code == unit.code)
    return scope(official)


async def create_indexes(bench: Bench, definitions: Sequence[str]) -> float:
    started = time.perf_counter()
    async with bench.engine.begin() as conn:
        for definition in definitions:
            await conn.execute(text(f"CREATE INDEX {definition}"))
    async with bench.engine.connect() as conn:
        await conn.execute(text("ANALYZE applications"))
        await conn.commit()
    if bench.postgres:  # index-only scans need the visibility map, as autovacuum keeps it
        async with bench.engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM applications"))
    return time.perf_counter() - started


async def drop_bench_indexes(bench: Bench) -> None:
    if bench.postgres:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'bench_ix_%'"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'bench_ix_%'"
    async with bench.engine.begin() as conn:
        for (name,) in (await conn.execute(text(query))).all():
            await conn.execute(text(f'DROP INDEX "{name}"'))


@dataclass
class WhatIf:
    label: str  # A, B, ...
    before: Timing
    after: Timing

    @property
    def speedup(self) -> float:
        return self.before.median / self.after.median


async def what_ifs(bench: Bench, areas: dict[str, Area]) -> tuple[list[WhatIf], dict[str, float]]:
    """The same operations with another query shape and/or an extra index, against the baseline timings."""
    base = {t.name: t for t in bench.timings}
    found: list[WhatIf] = []
    builds: dict[str, float] = {}
    dialect = bench.engine.dialect.name

    async def versus(label: str, baseline_name: str, op: Op, **kwargs: Any) -> None:
        after = await bench.measure(f"{label}: {baseline_name}", op, into=[], **kwargs)
        found.append(WhatIf(label, base[baseline_name], after))

    commune, district, province, admin = (areas[k] for k in ("commune", "district", "province", "admin"))
    submitted = [(commune, {"reps": 20}), (district, {"reps": 20})]
    for area, reps in submitted:  # A. the page in SQL
        await versus("A", f"list 'submitted', {area.label}", bench.paged_list(area, "submitted"), **reps)
    overdue = f"list 'overdue', {province.label}"
    await versus("A", overdue, bench.paged_list(province, "overdue"), warmup=1, reps=5)
    for area in (commune, district):  # B. the area condition names its parents
        await versus("B", f"report, {area.label}", bench.report(scope_with_parents(area.official)), reps=5)

    def report(area: Area) -> Op:
        return bench.report(scope_with_parents(area.official) if area.role != "admin" else area.condition)

    try:
        builds["C"] = await create_indexes(bench, [COVERING_INDEX[dialect]])
        for area in (commune, district, province, admin):  # C. a covering area/status index (with B)
            await versus("B+C", f"report, {area.label}", report(area), warmup=1, reps=3)
        builds["E"] = await create_indexes(bench, [OPEN_INDEX[dialect]])
        await versus("A+E", overdue, bench.paged_list(province, "overdue"), warmup=1, reps=10)
        await drop_bench_indexes(bench)
        builds["D"] = await create_indexes(bench, ORDERED_INDEXES)
        for area, reps in submitted:  # D. the page in SQL, in index order
            await versus("A+D", f"list 'submitted', {area.label}", bench.paged_list(area, "submitted"), **reps)
    finally:
        await drop_bench_indexes(bench)
    return found, builds


# ---- the output ---------------------------------------------------------------------------------
def table(rows: Sequence[Sequence[str]], header: Sequence[str], right: Sequence[int]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  " + " | ".join(parts).rstrip()

    return [line(header), "  " + "-+-".join("-" * w for w in widths), *(line(r) for r in rows)]


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 10_000 else f"{value:,.0f}"


def _peak(timing: Timing) -> str:
    return "" if timing.peak_mib is None else f"{timing.peak_mib:+,.0f}"


def timings_table(timings: Sequence[Timing]) -> list[str]:
    rows = [[t.name, str(len(t.ms)), _ms(t.median), _ms(t.p95), _peak(t), t.note] for t in timings]
    return table(rows, ["measurement", "runs", "median ms", "p95 ms", "RSS MiB", "notes"], right=(1, 2, 3, 4))


def what_if_lines(found: Sequence[WhatIf], builds: dict[str, float], postgres: bool) -> list[str]:
    dialect = "postgresql" if postgres else "sqlite"
    out = [
        "",
        "What-ifs, measured in this run (code and migrations unchanged; the bench indexes are dropped afterwards)",
        "  A  list_applications' page in SQL: COUNT(*) + ORDER BY submitted_at, id LIMIT 8; 'overdue' filtered in SQL",
        "     with storage.report_figures cutoffs (the rows deadlines.overdue picks), status IN the candidates.",
        "  B  storage.officials.scope naming the parent units too (province [and district] = ...): the same rows,",
        "     but the existing ix_applications_area_status (province, district, commune, status) is used in full.",
        f"  C  CREATE INDEX {COVERING_INDEX[dialect]}",
        f"     (built in {builds.get('C', 0):.1f} s: a covering variant of ix_applications_area_status, the report's",
        "     GROUP BY and payment join become index-only).",
        f"  D  CREATE INDEX {'; CREATE INDEX '.join(ORDERED_INDEXES)}",
        f"     (built in {builds.get('D', 0):.1f} s together: each level's list in index order).",
        f"  E  CREATE INDEX {OPEN_INDEX[dialect]}",
        f"     (built in {builds.get('E', 0):.1f} s: overdue candidates, oldest first; province level only).",
        "",
    ]
    rows = [
        [
            w.label,
            w.after.name.split(": ", 1)[1],
            _ms(w.before.median),
            _ms(w.after.median),
            _ms(w.after.p95),
            f"{w.speedup:,.1f}x",
            w.after.note,
        ]
        for w in found
    ]
    header = ["what-if", "measurement", "before ms", "after ms", "after p95", "speed-up", "notes"]
    return out + table(rows, header, right=(2, 3, 4, 5))


async def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    rows = args.rows or DEFAULT_ROWS[args.db]
    protector = DataProtector(DATA_KEY)
    if args.db == "postgres":
        await ensure_pg_database(args.url)
        url = args.url
    else:
        args.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite+aiosqlite:///{args.sqlite_path}"
    engine = make_engine(url)
    try:
        load: LoadStats | None = None
        wanted = {"db": engine.dialect.name, "rows": rows, "seed": args.seed}
        if not (args.reuse and await read_marker(engine) == wanted):
            progress(f"building {rows:,} applications on {engine.dialect.name}")
            load = await rebuild(engine, args, rows)
        bench = Bench(engine, protector, args.quick)
        await drop_bench_indexes(bench)  # left over by an interrupted run
        setup = await describe(bench, rows, load)
        async with bench.sessions() as session:
            codes = list(
                (await session.execute(select(Application.code).order_by(func.random()).limit(1000))).scalars()
            )
        areas = await pick_areas(bench.sessions, args.export_rows)

        await baseline(bench, areas, codes)
        exports: list[tuple[str, dict[str, float]]] = []
        with tempfile.TemporaryDirectory(prefix="hotro-bench-") as tmp:
            for fmt in ("xlsx", "csv") if args.export_rows else ():
                exports.append((fmt, await bench.export(areas["export"], Path(tmp) / f"export.{fmt}", fmt)))
        slowest = sorted(bench.timings, key=lambda t: -t.median)[: args.explain]
        explains = await explain_slowest(bench, [t.name for t in slowest])
        found, builds = await what_ifs(bench, areas) if args.what_ifs else ([], {})

        out = [f"HoTro storage benchmark — {engine.dialect.name}, {rows:,} applications", "", "Setup"]
        out += [f"  {key:<12} {value}" for key, value in setup]
        out += ["  areas"] + [f"    {key:<15} {area.label}" for key, area in areas.items()]
        if not bench.postgres and load is not None:
            out.append(
                f"  note         SQLite defaults to {DEFAULT_ROWS['sqlite']:,} rows: executemany is slower than COPY"
            )
        out += ["", "Timings (median and p95 of the timed runs, after warm-up; RSS: rise during one run)", ""]
        out += timings_table(bench.timings)
        for fmt, figures in exports:
            rate, peak, base = figures["rows"] / figures["s"], figures["peak"], figures["base"]
            what = "peak RSS" if figures["exact"] else "peak RSS of the whole process (ru_maxrss)"
            out.append(
                f"  export {fmt.upper()}: {figures['rows']:,.0f} rows in {figures['s']:.1f} s ({rate:,.0f} rows/s), "
                f"{figures['mib']:.1f} MiB written, {figures['mib'] / figures['s']:.2f} MiB/s; {what} "
                f"{peak:,.0f} MiB ({peak - base:+,.0f} MiB over {base:,.0f} before)"
            )
        if found:
            out += what_if_lines(found, builds, bench.postgres)
        out += ["", f"EXPLAIN {'(ANALYZE, BUFFERS)' if bench.postgres else 'QUERY PLAN'}: the slowest operations", ""]
        out += explains
        out += [f"Total run time {time.perf_counter() - started:,.0f} s"]
        print("\n".join(out))
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--rows", type=int, help="applications to generate (default 1,000,000; SQLite 200,000)")
    parser.add_argument("--url", default=PG_URL, help="the PostgreSQL database it owns (default %(default)s)")
    parser.add_argument("--sqlite-path", type=Path, default=SQLITE_PATH)
    parser.add_argument("--seed", type=int, default=68)
    parser.add_argument("--chunk", type=int, default=50_000, help="rows generated and loaded at a time")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded rows if db, rows and seed match")
    parser.add_argument("--export-rows", type=int, default=100_000, help="export the area closest to this; 0: skip")
    parser.add_argument("--explain", type=int, default=5, help="EXPLAIN the N slowest operations")
    parser.add_argument("--no-what-ifs", dest="what_ifs", action="store_false", help="skip the what-ifs")
    parser.add_argument("--quick", action="store_true", help="a quarter of the repetitions (a smoke run)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
