"""Deployment settings from environment variables (prefix HOTRO_) and an optional .env.

Nothing is required: the defaults run the console channel on a local SQLite file.
Everything locality-specific (province, free-worker scheme, hotline, deadlines)
lives here, not in code.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.config import HandlerConfig, HandlerFields
from messages.vocabulary import SmtpSecurity

DEFAULT_DATA_DIR = Path("data")

TELEGRAM_CONNECTIONS = 8  # see Settings.telegram_connection_pool


class Settings(BaseSettings, HandlerFields):
    """Every setting; the handler-facing ones (province, hotline, free-worker scheme, …) are declared in
    handlers.config.HandlerFields and inherited."""

    model_config = SettingsConfigDict(env_prefix="HOTRO_", env_file=".env", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None  # default: sqlite+aiosqlite:///<data_dir>/hotro.db

    telegram_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_webhook_url: str | None = None  # public URL Telegram should call
    telegram_base_url: str = "https://api.telegram.org/bot"  # tests point this at a loopback fake
    # Where getFile's file_path is downloaded from (the console's attachments): <this><token>/<file_path>.
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    # `hotro serve`: first wait before calling an unreachable or failing Bot API again (doubled up to 60 s).
    telegram_retry_seconds: float = 1.0
    # Connections to the Bot API per process; calls beyond them wait on a semaphore. Not PTB's default
    # of 256: httpcore checks every idle connection's socket on each request, so a pool much larger than
    # the calls actually in flight costs CPU on every call. 8 carry ~80 calls/s at a 100 ms round trip.
    telegram_connection_pool: int = TELEGRAM_CONNECTIONS

    # Zalo Official Account (see README: connecting a Zalo OA).
    zalo_app_id: str | None = None
    zalo_app_secret: str | None = None  # used to refresh the access token
    zalo_oa_secret_key: str | None = None  # signs webhook events (X-ZEvent-Signature)
    zalo_access_token: str | None = None  # initial tokens; refreshed ones are kept in the database
    zalo_refresh_token: str | None = None
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"

    # Announcements: 1 message/s per chat (the rate per bot is handlers.config's broadcast_rate_per_second).
    broadcast_chat_interval_seconds: float = 1.0
    broadcast_lease_seconds: float = 60.0

    # How long a web console session lasts after logging in.
    web_session_hours: float = Field(default=8.0, gt=0, le=24 * 7)
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    # A client must send a request's headers, and then its body, within this many seconds (slow clients).
    web_read_timeout_seconds: float = 15.0
    # /metrics: on its own listener when metrics_port is set; on the webhook port only with the token
    # (Authorization: Bearer <token>). Neither set: no one can read it over the network.
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = None
    metrics_token: str | None = None

    # Officials' daily progress report, local time (the seeds ask for it before 15:00).
    daily_report_time: str = Field(default="14:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")

    # Payment confirmation: this many days after a payment is recorded, the citizen is asked whether the money
    # arrived (bot/payment_confirm.py); payments recorded longer ago than the window are not asked any more.
    payment_confirm_days: int = Field(default=3, ge=0)
    payment_confirm_window_days: int = Field(default=30, ge=1)

    # The daily report by e-mail (bot/email_report.py): an XLSX upward report to each official with an
    # address and to each address of report_email_to: comma-separated "ADDRESS" (the report of province_code),
    # "ADDRESS=district:186" (commune:N, district:N, province:N) or "ADDRESS=all".
    smtp_host: str | None = None  # unset: no e-mail is sent
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    # starttls | tls (implicit TLS, SMTPS) | none; unset: tls on port 465, else smtp_starttls decides (the older
    # setting: true is starttls, false none). bot.email_report.security() reads them.
    smtp_security: SmtpSecurity | None = None
    smtp_starttls: bool = True
    # A CA certificate file (PEM) to check the server's certificate with, e.g. a ministry's own mail relay's CA;
    # default: the system's trusted CAs.
    smtp_ca_file: Path | None = None
    smtp_timeout_seconds: float = 30.0
    report_email_from: str | None = None
    report_email_to: str = ""
    # A refused or failed send is tried again after 1, 2, 4... times this delay, this many times in all.
    report_email_attempts: int = Field(default=4, ge=1)
    report_email_retry_seconds: float = Field(default=60.0, ge=0)
    # The public page /cong-khai/<commune code> (the posted lists, ID numbers masked, no login): off unless set.
    public_posting_page: bool = False
    # A TrueType font with Vietnamese glyphs for the PDF posting list; default: DejaVu Sans (Debian's
    # fonts-dejavu-core, see README).
    pdf_font: Path | None = None

    # JSON log lines (for servers and log collectors); plain text otherwise.
    log_json: bool = False

    # A reply claimed by a process that died is sent again after this lease (at most one repeat).
    outbox_lease_seconds: float = 60.0
    # Turns processed at once per process; more wait their turn instead of exhausting the DB pool.
    max_concurrent_turns: int = 16
    # `serve` and `telegram` load the indexes and train the question classifier before the first update
    # (bot.app.settle_heap, ~2.5 s of CPU): no citizen's turn pays for it. Off, they start at once and the
    # first questions pay instead (tests of the process itself, development).
    warm_start: bool = True

    # Conversation behaviour.
    conversation_timeout_minutes: int = 30

    # Personal-data protection: the secret (>= 32 random characters) from which the AES-GCM key and the
    # blind-index key are derived (storage/crypto.py), given directly or as a file holding it. Only an
    # SQLite database may go without: its key is then created next to it (hotro.key). See bot/datakey.py.
    data_key: str | None = None
    data_key_file: Path | None = None

    # Retention (README, "Personal data"): a form left unfinished this long is erased, and a sent (or failed)
    # message's row is deleted this long after it was sent. Run daily by the scheduler and by `hotro purge`.
    abandoned_form_days: int = Field(default=30, ge=1)
    delivered_message_days: int = Field(default=7, ge=1)

    def handler_config(self) -> HandlerConfig:
        """What the handlers may read (no tokens, no keys)."""
        return HandlerConfig.of(self)

    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'hotro.db'}"
