"""The knowledge base beyond the 12 policy pages, and the provinces' free-worker schemes, for answers.

Thin access to messages.knowledge and messages.free_worker_provinces (data with sources):
the answering code asks for a topic's text, or a province's scheme, and gets None when
there is none.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import FreeWorkerScheme
from handlers.admin_units import get as get_unit
from messages.i18n import _

try:
    from messages.free_worker_provinces import render_scheme, scheme_for
    from messages.knowledge import entry_by_id, find_entry
except ImportError:  # TEMPORARY until q12kb is merged: no knowledge base yet

    def find_entry(topic, kind=None, policy=None):  # type: ignore[no-redef]
        return None

    def entry_by_id(entry_id):  # type: ignore[no-redef]
        return None

    def scheme_for(code):  # type: ignore[no-redef]
        return None

    def render_scheme(scheme):  # type: ignore[no-redef]
        return ""


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    text: str


def entry(topic: str, kind: str | None = None, policy: str | None = None) -> Entry | None:
    """The best entry for a topic (a policy's own entry first when `policy` is given)."""
    found = None
    if policy is not None:
        found = find_entry(topic, kind, policy) or find_entry(topic, None, policy)
    found = found or find_entry(topic, kind) or find_entry(topic)
    return Entry(found.id, found.title, found.answer) if found else None


def by_id(entry_id: str) -> Entry | None:
    found = entry_by_id(entry_id)
    return Entry(found.id, found.title, found.answer) if found else None


def province_name(code: int) -> str:
    unit = get_unit("province", code)
    return unit.name if unit else str(code)


@dataclass(frozen=True)
class ProvinceAnswer:
    text: str  # the scheme, labelled as that province's
    scheme: FreeWorkerScheme | None  # for computing an amount, when the data allows


def province_scheme(code: int) -> ProvinceAnswer:
    """A named province's free-worker scheme, labelled; or 'set by the provincial People's Committee'."""
    name = province_name(code)
    scheme = scheme_for(code)
    if scheme is None:
        return ProvinceAnswer(
            _(
                "HoTro has no confirmed decision of {province} on free workers: the amount and the "
                "conditions are set by the provincial People's Committee (do UBND tỉnh quy định)."
            ).format(province=name),
            None,
        )
    label = _("Scheme of {province} (that province's own decision):").format(province=name)
    return ProvinceAnswer(f"{label}\n{render_scheme(scheme)}", _as_rules_scheme(scheme))


def _as_rules_scheme(scheme: object) -> FreeWorkerScheme | None:
    """The rules engine's FreeWorkerScheme for a province's scheme, when its amount is data."""
    mode = getattr(scheme, "mode", None)
    amount = getattr(scheme, "amount_vnd", None)
    if mode not in ("lump", "per_day") or not isinstance(amount, int):
        return None
    return FreeWorkerScheme(
        mode=mode,
        amount_vnd=amount,
        max_days=getattr(scheme, "max_days", None),
        decision=getattr(scheme, "decision", None),
        requires_residence=True,
    )
