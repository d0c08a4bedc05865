"""HandlerConfig: the part of the deployment's settings that handlers read, declared once here.

bot.config.Settings inherits these fields (HOTRO_PROVINCE_CODE, HOTRO_HOTLINE, …, read from the
environment) and hands every turn a HandlerConfig with their values (Settings.handler_config()), as
Turn.config. It holds no tokens, secrets or keys: a handler cannot reach what it has no use for.
A feature that needs a new deployment setting adds one field to HandlerFields.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from messages.free_worker_scheme import FreeWorkerScheme


class HandlerFields(BaseModel):
    # Locality: GSO province code (2021 units), shown as the deployment's home province.
    province_code: int = 20  # Lạng Sơn
    hotline: str | None = None  # the support hotline offered when the bot cannot answer
    office_hours: str | None = None  # when the commune's reception desk is open, as citizens should read it
    free_worker: FreeWorkerScheme = Field(default_factory=FreeWorkerScheme)  # the province's scheme
    # The date eligibility advice treats as today (deadlines such as 31/01/2022); default: the real date.
    as_of_date: date | None = None
    # Announcements: stay under Telegram's ~30 messages/s per bot (also the preview's time estimate).
    broadcast_rate_per_second: float = 25.0
    # The address officials open the web console at (/canbo/): the one-time login links start with it.
    public_url: str = "http://127.0.0.1:8080"
    # Complaints (phản ánh, kiến nghị): acknowledged and answered within these many working days
    # (weekends and public holidays skipped). A deployment's choice, not a figure from the seeds.
    complaint_ack_working_days: int = Field(default=3, ge=1, le=60)
    complaint_answer_working_days: int = Field(default=10, ge=1, le=120)
    # "Due soon": applications whose review or payment deadline falls today or within this many working days
    # (not late yet): the web console's overview and its "sap-han" filter, and the officials' chat list.
    due_soon_working_days: int = Field(default=2, ge=0, le=20)


class HandlerConfig(HandlerFields):
    """What a handler sees of the settings (frozen: a turn cannot change the deployment)."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def of(cls, settings: HandlerFields) -> HandlerConfig:
        """The handler-facing values of `settings` (no validation: Settings validated them)."""
        return cls.model_construct(**{name: getattr(settings, name) for name in HandlerFields.model_fields})
