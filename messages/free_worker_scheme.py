"""The province's free-worker scheme (NQ 68 khoản 12) as deployment settings carry it.

A pure settings type: bot.config.Settings holds one (HOTRO_FREE_WORKER__*), and the policy pages,
the eligibility rules and the question answers read it, so it lives in the bottom layer.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

# The typical occupation list of provincial free-worker decisions (mirrors QĐ 15/2020's list,
# used again by many provinces in 2021; see policy-facts §6).
DEFAULT_OCCUPATIONS: list[str] = [
    "Bán hàng rong, buôn bán nhỏ lẻ không có địa điểm cố định",
    "Thu gom rác, phế liệu",
    "Bốc vác, vận chuyển hàng hóa",
    "Lái xe mô tô 2 bánh chở khách (xe ôm), xích lô",
    "Bán lẻ vé số lưu động",
    "Tự làm hoặc làm việc tại hộ kinh doanh ăn uống, lưu trú, du lịch, chăm sóc sức khỏe",
]


class FreeWorkerScheme(BaseModel):
    """Province-specific free-worker support (NQ 68 khoản 12): each province sets it.

    The default states no amount: the bot then says the amount is set by the province
    instead of inventing one. Example (Hà Nội, QĐ 3642): mode="lump", amount_vnd=1500000.
    Example (Long An, QĐ 6652): mode="per_day", amount_vnd=50000.
    """

    mode: str = Field(default="unset", pattern="^(unset|lump|per_day)$")
    amount_vnd: int | None = None
    max_days: int | None = None
    decision: str | None = None  # e.g. "Quyết định số 1517/QĐ-UBND ngày 30/7/2021"
    occupations: list[str] = Field(default_factory=lambda: list(DEFAULT_OCCUPATIONS))
    requires_residence: bool = True
