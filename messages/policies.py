"""The policy knowledge base: the 12 policies of NQ 68 Mục II, one TOML file each.

The files in messages/policies/ are Vietnamese data (not gettext): each has an id, the
clause, a title, a summary, four chat-sized sections (conditions, amount, documents,
where), the legal basis, optional `intake` and matching phrases. Texts may hold
placeholders: `{vnd:3000000}` is rendered with messages.fmt.vnd so every amount looks the
same; the free-worker file is a template filled from the province's FreeWorkerScheme,
because each province sets its own amount, occupations and criteria (NQ 68 khoản 12).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from messages.fmt import render_placeholders, vnd
from messages.free_worker_scheme import FreeWorkerScheme
from messages.normalize import nfc
from messages.vocabulary import ApplicationKind

POLICY_DIR = Path(__file__).parent / "policies"

SECTION_KEYS: tuple[str, ...] = ("conditions", "amount", "documents", "where")
# Button labels for the four sections.
SECTION_TITLES: Mapping[str, str] = MappingProxyType(
    {"conditions": "Điều kiện", "amount": "Mức hỗ trợ", "documents": "Hồ sơ", "where": "Nơi nộp"}
)
INTAKE_KINDS = frozenset({ApplicationKind.HOUSEHOLD_BUSINESS, ApplicationKind.FREE_WORKER})
CLAUSES = frozenset(range(1, 13))

# Length limits. Telegram cuts messages at 4096 characters; a chat answer should be far
# shorter, so authored sections are held to 1200 and rendered ones (a province may
# configure a long occupation list) to a hard 3500, leaving room for a heading.
MAX_ID = 24  # ids go into 64-byte callback payloads next to an action and a section key
MAX_TITLE = 80
MAX_SUMMARY = 400
MAX_SECTION = 1200
MAX_RENDERED = 3500

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class PolicyError(ValueError):
    """A policy file is missing, malformed or breaks a limit."""


@dataclass(frozen=True)
class Policy:
    id: str
    clause: int
    title: str
    summary: str
    # Keys are SECTION_KEYS. Read-only: the objects are cached and shared.
    sections: Mapping[str, str]
    legal_basis: str
    intake: str | None
    keywords: tuple[str, ...]
    examples: tuple[str, ...]


def _render(text: str, context: Mapping[str, str], where: str) -> str:
    return render_placeholders(text, context, where, PolicyError)


def _free_worker_context(templates: Mapping[str, str], scheme: FreeWorkerScheme, where: str) -> dict[str, str]:
    """Placeholder values for the free-worker template, from the province's scheme."""
    ctx: dict[str, str] = {}
    ctx["decision"] = nfc(scheme.decision) if scheme.decision else ""
    ctx["decision_ref"] = _render(templates["decision_ref"], ctx, where) if scheme.decision else ""
    ctx["residence_line"] = templates["residence_line"] if scheme.requires_residence else ""
    ctx["occupations"] = "\n".join(f"  + {nfc(o)}" for o in scheme.occupations if o.strip())
    if not ctx["occupations"]:
        ctx["occupations"] = "  + theo danh sách ngành nghề của UBND tỉnh"
    # A mode without an amount would otherwise print an empty figure: say "set by the province".
    mode = scheme.mode if scheme.amount_vnd else "unset"
    if mode != "unset":
        assert scheme.amount_vnd is not None
        ctx["amount"] = vnd(scheme.amount_vnd)
    ctx["per_day_cap"] = ""
    if mode == "per_day" and scheme.max_days and scheme.amount_vnd:
        ctx["max_days"] = str(scheme.max_days)
        ctx["max_total"] = vnd(scheme.amount_vnd * scheme.max_days)
        ctx["per_day_cap"] = _render(templates["per_day_cap"], ctx, where)
    ctx["amount_text"] = _render(templates[f"amount_{mode}"], ctx, where)
    return ctx


_FREE_WORKER_TEMPLATES = (
    "decision_ref",
    "residence_line",
    "amount_unset",
    "amount_lump",
    "amount_per_day",
    "per_day_cap",
)


def _str_tuple(raw: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise PolicyError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(nfc(x) for x in raw)


def _build(raw: Mapping[str, Any], where: str, scheme: FreeWorkerScheme) -> Policy:
    for key in ("id", "clause", "title", "summary", "legal_basis", "sections"):
        if key not in raw:
            raise PolicyError(f"{where}: missing {key!r}")
    pid = raw["id"]
    if not isinstance(pid, str) or not _ID_RE.match(pid) or len(pid) > MAX_ID:
        raise PolicyError(f"{where}: id must be a lower-case ASCII slug of at most {MAX_ID} chars")
    clause = raw["clause"]
    if not isinstance(clause, int) or clause not in CLAUSES:
        raise PolicyError(f"{where}: clause must be an int 1..12")
    intake = raw.get("intake")
    if intake is not None and intake not in INTAKE_KINDS:
        raise PolicyError(f"{where}: intake must be one of {sorted(INTAKE_KINDS)}")

    context: dict[str, str] = {}
    templates = raw.get("templates")
    if templates is not None:
        missing = [k for k in _FREE_WORKER_TEMPLATES if not isinstance(templates.get(k), str)]
        if missing:
            raise PolicyError(f"{where}: [templates] lacks {missing}")
        context = _free_worker_context(templates, scheme, where)

    sections_raw = raw["sections"]
    if not isinstance(sections_raw, dict) or set(sections_raw) != set(SECTION_KEYS):
        raise PolicyError(f"{where}: [sections] must have exactly {list(SECTION_KEYS)}")
    sections: dict[str, str] = {}
    for key in SECTION_KEYS:
        authored = sections_raw[key]
        if not isinstance(authored, str) or not authored.strip():
            raise PolicyError(f"{where}: section {key!r} is empty")
        if len(authored) > MAX_SECTION:
            raise PolicyError(f"{where}: section {key!r} has {len(authored)} chars (max {MAX_SECTION})")
        text = _render(_nfc_lines(authored), context, f"{where} [{key}]")
        if len(text) > MAX_RENDERED:
            raise PolicyError(f"{where}: rendered section {key!r} has {len(text)} chars (max {MAX_RENDERED})")
        sections[key] = text

    title = nfc(raw["title"])
    summary = _render(nfc(raw["summary"]), context, f"{where} [summary]")
    if not title or len(title) > MAX_TITLE:
        raise PolicyError(f"{where}: title must be 1..{MAX_TITLE} chars")
    if not summary or len(summary) > MAX_SUMMARY:
        raise PolicyError(f"{where}: summary must be 1..{MAX_SUMMARY} chars")
    keywords = _str_tuple(raw.get("keywords", []), "keywords", where)
    if templates is not None:
        # The province's own occupation names are the best matching phrases for this policy.
        keywords += tuple(nfc(o) for o in scheme.occupations if o.strip())
    return Policy(
        id=pid,
        clause=clause,
        title=title,
        summary=summary,
        sections=MappingProxyType(sections),
        legal_basis=nfc(raw["legal_basis"]),
        intake=intake,
        keywords=keywords,
        examples=_str_tuple(raw.get("examples", []), "examples", where),
    )


def _nfc_lines(text: str) -> str:
    """NFC per line, keeping line breaks (normalize.nfc collapses all white space)."""
    return "\n".join(nfc(line) if line.strip() else "" for line in text.strip().split("\n"))


@cache
def _read_raw() -> tuple[tuple[str, Mapping[str, Any]], ...]:
    """Parse the TOML files once per process."""
    files = sorted(POLICY_DIR.glob("*.toml"))
    if not files:
        raise PolicyError(f"no policy files in {POLICY_DIR}")
    out = []
    for path in files:
        try:
            with path.open("rb") as fh:
                out.append((path.name, tomllib.load(fh)))
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"{path.name}: {exc}") from exc
    return tuple(out)


@lru_cache(maxsize=8)
def _load(scheme_json: str) -> tuple[Policy, ...]:
    scheme = FreeWorkerScheme.model_validate_json(scheme_json)
    policies = [_build(raw, name, scheme) for name, raw in _read_raw()]
    ids = [p.id for p in policies]
    if len(set(ids)) != len(ids):
        raise PolicyError(f"duplicate policy ids: {sorted(i for i in ids if ids.count(i) > 1)}")
    clauses = sorted(p.clause for p in policies)
    if clauses != sorted(CLAUSES):
        raise PolicyError(f"expected one policy per clause 1..12, got {clauses}")
    intakes = sorted(p.intake for p in policies if p.intake)
    if intakes != sorted(INTAKE_KINDS):
        raise PolicyError(f"expected exactly one policy per intake kind, got {intakes}")
    return tuple(sorted(policies, key=lambda p: p.clause))


def load_policies(scheme: FreeWorkerScheme | None = None) -> tuple[Policy, ...]:
    """All 12 policies sorted by clause; the free-worker texts rendered from `scheme`.

    `scheme=None` uses FreeWorkerScheme() (mode "unset": no amount stated); handlers
    should pass `settings.free_worker`. Cached per scheme (pydantic models are not
    hashable, so the cache key is the scheme's JSON).
    """
    return _load((scheme or FreeWorkerScheme()).model_dump_json())


def get_policy(policy_id: str, scheme: FreeWorkerScheme | None = None) -> Policy | None:
    for policy in load_policies(scheme):
        if policy.id == policy_id:
            return policy
    return None
