"""Provincial free-worker schemes (NQ 68 khoản 12): the decisions policy-facts.md §6 documents.

Each province sets its own criteria, occupations and amount for workers without a labour contract
and pays from its own budget, so a citizen who names a province gets that province's decision,
labelled as that province's ("Theo Quyết định 3642/QĐ-UBND của UBND TP Hà Nội: …"). The data is
messages/knowledge/free_worker_provinces.toml (format in its header), keyed by the 2021 GSO
province code of vietnam-provinces==0.6.0; a figure policy-facts marks UNCONFIRMED is absent and
the text says the province sets it.

The deployment's own scheme (Settings.free_worker) stays the default for a citizen who names no
province; `ProvinceScheme.scheme_fields()` gives the fields of messages.free_worker_scheme.FreeWorkerScheme
for a caller that wants the policy page rendered for a named province. Nothing here imports bot/.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from messages.fmt import render_placeholders
from messages.knowledge import KNOWLEDGE_DIR, MAX_ANSWER, PROVINCES_FILE, KnowledgeError
from messages.normalize import nfc

PROVINCES_PATH: Path = KNOWLEDGE_DIR / PROVINCES_FILE

MODES = ("lump", "per_day", "unset")
_PER = {"lump": "lần", "per_day": "ngày"}  # the `per` that goes with each mode that has an amount
_KEYS = frozenset(
    {
        "code",
        "name",
        "label",
        "decision",
        "decision_date",
        "mode",
        "amount_vnd",
        "per",
        "max_days",
        "amount_text",
        "conditions",
        "occupations",
        "notes",
        "sources",
    }
)
_TEXTS: dict[str, tuple[str, ...]] = {
    "heading": ("label",),
    "amount": ("amount_text",),
    "amount_unset": ("name",),
    "conditions": (),
    "occupations": (),
    "footer": ("name",),
    "unknown": ("name",),
    "unknown_no_name": (),
}


class ProvinceSchemeError(KnowledgeError):
    """The provinces file is missing, malformed or inconsistent (a KnowledgeError)."""


@dataclass(frozen=True)
class ProvinceScheme:
    code: int  # GSO 2021 province code
    name: str  # as the answer names it, e.g. "TP Hà Nội", "tỉnh Long An"
    label: str  # "Theo Quyết định … của UBND …": the answer's first line
    decision: str | None  # the decision's number, when confirmed
    decision_date: str | None  # dd/mm/yyyy, when confirmed
    mode: str  # lump | per_day | unset (as messages.free_worker_scheme.FreeWorkerScheme)
    amount_vnd: int | None
    per: str | None  # "lần" | "ngày"
    max_days: int | None
    amount_text: str | None  # rendered; None when the amount is not confirmed
    conditions: tuple[str, ...]
    occupations: tuple[str, ...]
    notes: tuple[str, ...]
    sources: tuple[str, ...]

    def scheme_fields(self) -> dict[str, Any]:
        """Keyword arguments for messages.free_worker_scheme.FreeWorkerScheme (the policy page's template)."""
        fields: dict[str, Any] = {
            "mode": self.mode,
            "amount_vnd": self.amount_vnd,
            "max_days": self.max_days,
            "decision": f"{self.decision} ngày {self.decision_date}"
            if self.decision and self.decision_date
            else self.decision,
        }
        if self.occupations:
            fields["occupations"] = list(self.occupations)
        # The template's residence line only where the province's conditions ask for residence.
        fields["requires_residence"] = any(
            word in c.lower() for c in self.conditions for word in ("cư trú", "thường trú", "tạm trú")
        )
        return fields


def _strs(raw: Any, key: str, where: str, required: bool = False) -> tuple[str, ...]:
    if raw is None and not required:
        return ()
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) and x.strip() for x in raw):
        raise ProvinceSchemeError(f"{where}: {key} must be a non-empty list of non-empty strings")
    return tuple(render_placeholders(nfc(x), {}, f"{where} {key}", ProvinceSchemeError) for x in raw)


def _opt_str(raw: Any, key: str, where: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise ProvinceSchemeError(f"{where}: {key} must be a non-empty string")
    return nfc(raw)


def _opt_int(raw: Any, key: str, where: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
        raise ProvinceSchemeError(f"{where}: {key} must be a positive integer")
    return raw


def _build(raw: Any, where: str) -> ProvinceScheme:
    if not isinstance(raw, dict):
        raise ProvinceSchemeError(f"{where}: a province must be a table")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ProvinceSchemeError(f"{where}: unknown keys {unknown}")
    for key in ("code", "name", "label", "mode", "conditions", "sources"):
        if key not in raw:
            raise ProvinceSchemeError(f"{where}: missing {key!r}")
    # Here, not at the top: the module is an Enum of every district (~100 ms of CPU to import), needed only to
    # check the file, at its first use. The defining module: the package's re-export is implicit.
    from vietnam_provinces.enums.districts import ProvinceEnum

    code = raw["code"]
    if isinstance(code, bool) or not isinstance(code, int) or f"P_{code}" not in ProvinceEnum.__members__:
        raise ProvinceSchemeError(f"{where}: code {code!r} is not a 2021 GSO province code")
    where = f"{where} (code {code})"
    name, label = _opt_str(raw["name"], "name", where), _opt_str(raw["label"], "label", where)
    assert name is not None and label is not None
    if not label.startswith("Theo "):
        raise ProvinceSchemeError(f"{where}: label must start with 'Theo ' (it names the province's source)")

    mode = raw["mode"]
    if mode not in MODES:
        raise ProvinceSchemeError(f"{where}: mode must be one of {MODES}")
    amount = _opt_int(raw.get("amount_vnd"), "amount_vnd", where)
    max_days = _opt_int(raw.get("max_days"), "max_days", where)
    per = raw.get("per")
    authored = _opt_str(raw.get("amount_text"), "amount_text", where)
    # The structured fields and the text must tell the same story.
    if mode == "unset":
        if amount is not None or per is not None or max_days is not None or authored is not None:
            raise ProvinceSchemeError(f"{where}: mode 'unset' takes no amount_vnd, per, max_days or amount_text")
    else:
        if amount is None or authored is None:
            raise ProvinceSchemeError(f"{where}: mode {mode!r} needs amount_vnd and amount_text")
        if per != _PER[mode]:
            raise ProvinceSchemeError(f"{where}: mode {mode!r} needs per = {_PER[mode]!r}")
        if f"{{vnd:{amount}}}" not in authored:
            raise ProvinceSchemeError(f"{where}: amount_text must state {{vnd:{amount}}}")
        if max_days is not None and (mode != "per_day" or str(max_days) not in authored):
            raise ProvinceSchemeError(f"{where}: max_days is for per_day and must appear in amount_text")
    amount_text = render_placeholders(authored, {}, where, ProvinceSchemeError) if authored else None
    decision_date = _opt_str(raw.get("decision_date"), "decision_date", where)
    decision = _opt_str(raw.get("decision"), "decision", where)
    if decision_date is not None and decision is None:
        raise ProvinceSchemeError(f"{where}: decision_date without decision")
    return ProvinceScheme(
        code=code,
        name=name,
        label=label,
        decision=decision,
        decision_date=decision_date,
        mode=mode,
        amount_vnd=amount,
        per=per,
        max_days=max_days,
        amount_text=amount_text,
        conditions=_strs(raw["conditions"], "conditions", where, required=True),
        occupations=_strs(raw.get("occupations"), "occupations", where),
        notes=_strs(raw.get("notes"), "notes", where),
        sources=_strs(raw["sources"], "sources", where, required=True),
    )


@cache
def _load() -> tuple[Mapping[int, ProvinceScheme], Mapping[str, str]]:
    try:
        with PROVINCES_PATH.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ProvinceSchemeError(f"{PROVINCES_PATH.name} is missing") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProvinceSchemeError(f"{PROVINCES_PATH.name}: {exc}") from exc
    texts_raw = data.get("texts")
    if not isinstance(texts_raw, dict) or set(texts_raw) != set(_TEXTS):
        raise ProvinceSchemeError(f"{PROVINCES_PATH.name}: [texts] must have exactly {sorted(_TEXTS)}")
    texts: dict[str, str] = {}
    for key, needs in _TEXTS.items():
        text = texts_raw[key]
        if not isinstance(text, str) or not text.strip() or any(f"{{{n}}}" not in text for n in needs):
            raise ProvinceSchemeError(f"{PROVINCES_PATH.name}: text {key!r} must be non-empty and hold {needs}")
        texts[key] = nfc(text)
    provinces = data.get("province")  # not vocabulary: a TOML table name
    if not isinstance(provinces, list) or not provinces:
        raise ProvinceSchemeError(f"{PROVINCES_PATH.name}: no [[province]] tables")
    schemes: dict[int, ProvinceScheme] = {}
    for i, raw in enumerate(provinces):
        scheme = _build(raw, f"{PROVINCES_PATH.name} province {i + 1}")
        if scheme.code in schemes:
            raise ProvinceSchemeError(f"{PROVINCES_PATH.name}: province code {scheme.code} appears twice")
        schemes[scheme.code] = scheme
    result = (MappingProxyType(schemes), MappingProxyType(texts))
    for scheme in schemes.values():  # every answer must fit a chat message
        if len(_render(scheme, texts)) > MAX_ANSWER:
            raise ProvinceSchemeError(f"{PROVINCES_PATH.name}: the answer for code {scheme.code} is too long")
    return result


def province_schemes() -> Mapping[int, ProvinceScheme]:
    """The documented provinces' schemes, keyed by GSO province code (read-only, cached)."""
    return _load()[0]


def scheme_for(province_code: int) -> ProvinceScheme | None:
    return province_schemes().get(province_code)


def _fill(template: str, **values: str) -> str:
    # Plain replacement: the values are data and may hold braces.
    for key, value in values.items():
        template = template.replace(f"{{{key}}}", value)
    return template


def _render(scheme: ProvinceScheme, texts: Mapping[str, str]) -> str:
    lines = [_fill(texts["heading"], label=scheme.label)]
    if scheme.amount_text:
        lines.append(_fill(texts["amount"], amount_text=scheme.amount_text))
    else:
        lines.append(_fill(texts["amount_unset"], name=scheme.name))
    lines.append(texts["conditions"])
    lines += [f"  - {c}" for c in scheme.conditions]
    if scheme.occupations:
        lines.append(texts["occupations"])
        lines += [f"  - {o}" for o in scheme.occupations]
    lines += scheme.notes
    lines.append(_fill(texts["footer"], name=scheme.name))
    return "\n".join(lines)


def render_scheme(scheme: ProvinceScheme) -> str:
    """The citizen-facing answer: the province's source first, then amount, conditions, occupations."""
    return _render(scheme, _load()[1])


def render_for_province(province_code: int, name: str | None = None) -> str:
    """The answer for a citizen who named a province: its scheme, or "set by UBND tỉnh".

    A deployment whose own scheme is configured (Settings.free_worker, mode not "unset") should
    answer for its home province from that scheme instead: the operator keeps it current.
    """
    scheme = scheme_for(province_code)
    return render_scheme(scheme) if scheme is not None else render_unknown(name)


def render_unknown(name: str | None = None) -> str:
    """The answer for a province with no documented scheme: set by UBND tỉnh, ask the commune."""
    texts = _load()[1]
    return _fill(texts["unknown"], name=nfc(name)) if name else texts["unknown_no_name"]
