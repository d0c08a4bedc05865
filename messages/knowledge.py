"""The knowledge base beyond the 12 policy pages: deadlines, procedure, payment timing, approvals,
legal documents, the package, ID documents, NQ 116, and using the bot.

The files in messages/knowledge/ are Vietnamese data (not gettext), one per topic group, each a
list of `[[entry]]` tables:

    id        lower-case ASCII slug, unique across all files
    topic     a general topic (TOPICS) or a policy id (a fact about one policy, e.g. its deadline)
    subtopic  required when topic is a policy id: the general topic the fact belongs under
              ("deadline", "procedure", "approval", ...), so find_entry("deadline", policy=...)
              picks the policy's deadline and not its procedure
    kinds     the kinds of question it answers (subset of KINDS)
    policy    optional policy id (implied when topic is one)
    general   true on the one entry per general topic that answers when nothing finer matches
    title, answer (≤ MAX_ANSWER characters), sources (where each fact comes from: a
    policy-facts.md section and the source it names, or a seed file), examples (5–10 ways a
    citizen might ask: training data for the question classifier)

Answers may hold `{vnd:N}` (an amount, rendered with messages.fmt.vnd) and `{contact}` (how to
reach the commune: the deployment's hotline when one is set, from the `[templates]` table).
Everything is checked at load; a malformed file raises KnowledgeError. This module is in the
bottom layer: it imports nothing from bot/, handlers/ or storage/ (the hotline is an argument).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from messages.fmt import render_placeholders
from messages.normalize import nfc, search_key
from messages.vocabulary import GENERAL_TOPICS, QUESTION_KINDS

KNOWLEDGE_DIR = Path(__file__).parent / "knowledge"
POLICY_DIR = Path(__file__).parent / "policies"
# Read by messages/free_worker_provinces.py, not an entry file.
PROVINCES_FILE = "free_worker_provinces.toml"

# The general topics and kinds a knowledge entry can have: greetings, thanks, pasted codes and complaints
# are conversation (a complaint opens the complaints menu), not knowledge.
TOPICS: tuple[str, ...] = tuple(t for t in GENERAL_TOPICS if t not in ("app_code", "greeting", "thanks", "complaint"))
KINDS: tuple[str, ...] = tuple(k for k in QUESTION_KINDS if k != "chat")

MAX_ID = 40
MAX_TITLE = 80
MAX_ANSWER = 1200  # chat-sized; Telegram's hard limit is 4096
MAX_EXAMPLE = 200
EXAMPLES_RANGE = (5, 10)

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ENTRY_KEYS = frozenset(
    {"id", "topic", "subtopic", "kinds", "policy", "general", "title", "answer", "sources", "examples"}
)
_REQUIRED = ("id", "topic", "kinds", "title", "answer", "sources", "examples")
_TEMPLATES = {"contact_hotline": ("hotline",), "contact_no_hotline": ()}


class KnowledgeError(ValueError):
    """A knowledge file is missing, malformed or breaks a limit."""


@dataclass(frozen=True)
class KnowledgeEntry:
    id: str
    topic: str  # a general topic, or a policy id
    subtopic: str  # the general topic: equals topic for general-topic entries
    kinds: tuple[str, ...]
    policy: str | None
    general: bool
    title: str
    answer: str  # rendered: amounts formatted, contact filled in
    sources: tuple[str, ...]
    examples: tuple[str, ...]


@cache
def policy_ids() -> frozenset[str]:
    """The ids of the 12 policy files (read here so this module needs nothing above messages/)."""
    ids = set()
    for path in sorted(POLICY_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            pid = tomllib.load(fh).get("id")
        if isinstance(pid, str):
            ids.add(pid)
    return frozenset(ids)


def _str_list(raw: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) and x.strip() for x in raw):
        raise KnowledgeError(f"{where}: {key} must be a non-empty list of non-empty strings")
    return tuple(nfc(x) for x in raw)


def _text(raw: Any, key: str, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise KnowledgeError(f"{where}: {key} must be a non-empty string")
    return nfc(raw.strip(), keep_lines=True)


def _build(raw: Any, where: str, context: Mapping[str, str]) -> KnowledgeEntry:
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{where}: an entry must be a table")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise KnowledgeError(f"{where}: missing {missing}")
    unknown = sorted(set(raw) - _ENTRY_KEYS)
    if unknown:
        raise KnowledgeError(f"{where}: unknown keys {unknown}")
    eid = raw["id"]
    if not isinstance(eid, str) or not _ID_RE.match(eid) or len(eid) > MAX_ID:
        raise KnowledgeError(f"{where}: id must be a lower-case ASCII slug of at most {MAX_ID} chars")
    where = f"{where} {eid!r}"

    policies = policy_ids()
    topic, policy, subtopic = raw["topic"], raw.get("policy"), raw.get("subtopic")
    if policy is not None and policy not in policies:
        raise KnowledgeError(f"{where}: unknown policy {policy!r}")
    if topic in policies:
        if policy not in (None, topic):
            raise KnowledgeError(f"{where}: topic {topic!r} is a policy, so policy must be the same")
        if subtopic not in TOPICS:
            raise KnowledgeError(f"{where}: a policy-specific entry needs subtopic, one of {list(TOPICS)}")
        policy = topic
    elif topic in TOPICS:
        if subtopic is not None:
            raise KnowledgeError(f"{where}: subtopic is only for policy-specific entries")
        subtopic = topic
    else:
        raise KnowledgeError(f"{where}: unknown topic {topic!r}")

    kinds = raw["kinds"]
    if not isinstance(kinds, list) or not kinds or len(set(kinds)) != len(kinds) or not set(kinds) <= set(KINDS):
        raise KnowledgeError(f"{where}: kinds must be a non-empty list of distinct values from {list(KINDS)}")
    general = raw.get("general", False)
    if not isinstance(general, bool):
        raise KnowledgeError(f"{where}: general must be true or false")
    if general and (topic not in TOPICS or policy is not None):
        raise KnowledgeError(f"{where}: only a general topic's entry without a policy can be general")

    title = _text(raw["title"], "title", where)
    if len(title) > MAX_TITLE:
        raise KnowledgeError(f"{where}: title has {len(title)} chars (max {MAX_TITLE})")
    authored = _text(raw["answer"], "answer", where)
    if len(authored) > MAX_ANSWER:
        raise KnowledgeError(f"{where}: answer has {len(authored)} chars (max {MAX_ANSWER})")
    answer = render_placeholders(authored, context, where, KnowledgeError)
    if len(answer) > MAX_ANSWER:
        raise KnowledgeError(f"{where}: rendered answer has {len(answer)} chars (max {MAX_ANSWER})")

    examples = _str_list(raw["examples"], "examples", where)
    low, high = EXAMPLES_RANGE
    if not low <= len(examples) <= high:
        raise KnowledgeError(f"{where}: {len(examples)} examples (expected {low}–{high})")
    if any(len(x) > MAX_EXAMPLE for x in examples):
        raise KnowledgeError(f"{where}: an example is longer than {MAX_EXAMPLE} chars")
    if len({search_key(x) for x in examples}) != len(examples):
        raise KnowledgeError(f"{where}: duplicate examples")
    return KnowledgeEntry(
        id=eid,
        topic=topic,
        subtopic=subtopic,
        kinds=tuple(kinds),
        policy=policy,
        general=general,
        title=title,
        answer=answer,
        sources=_str_list(raw["sources"], "sources", where),
        examples=examples,
    )


@cache
def _read_raw() -> tuple[tuple[str, Mapping[str, Any]], ...]:
    """Parse the entry files once per process."""
    files = sorted(p for p in KNOWLEDGE_DIR.glob("*.toml") if p.name != PROVINCES_FILE)
    if not files:
        raise KnowledgeError(f"no knowledge files in {KNOWLEDGE_DIR}")
    out = []
    for path in files:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise KnowledgeError(f"{path.name}: {exc}") from exc
        unknown = sorted(set(data) - {"entry", "templates"})
        if unknown:
            raise KnowledgeError(f"{path.name}: unknown top-level keys {unknown}")
        if not isinstance(data.get("entry"), list) or not data["entry"]:
            raise KnowledgeError(f"{path.name}: no [[entry]] tables")
        out.append((path.name, data))
    return tuple(out)


def _templates(files: tuple[tuple[str, Mapping[str, Any]], ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, data in files:
        for key, text in data.get("templates", {}).items():
            if key not in _TEMPLATES:
                raise KnowledgeError(f"{name}: unknown template {key!r}")
            if key in found:
                raise KnowledgeError(f"{name}: template {key!r} is defined twice")
            if not isinstance(text, str) or not text.strip():
                raise KnowledgeError(f"{name}: template {key!r} must be a non-empty string")
            found[key] = nfc(text)
    for key, needs in _TEMPLATES.items():
        if key not in found:
            raise KnowledgeError(f"missing template {key!r}")
        for name in needs:
            if f"{{{name}}}" not in found[key]:
                raise KnowledgeError(f"template {key!r} must contain {{{name}}}")
    return found


@lru_cache(maxsize=4)
def _load(hotline: str) -> tuple[KnowledgeEntry, ...]:
    files = _read_raw()
    templates = _templates(files)
    if hotline:
        contact = render_placeholders(
            templates["contact_hotline"], {"hotline": hotline}, "contact_hotline", KnowledgeError
        )
    else:
        contact = render_placeholders(templates["contact_no_hotline"], {}, "contact_no_hotline", KnowledgeError)
    context = {"contact": contact}
    entries = [
        _build(raw, f"{name} entry {i + 1}", context) for name, data in files for i, raw in enumerate(data["entry"])
    ]
    ids = [e.id for e in entries]
    if len(set(ids)) != len(ids):
        raise KnowledgeError(f"duplicate entry ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    for topic in TOPICS:
        generals = [e.id for e in entries if e.topic == topic and e.general]
        if len(generals) != 1:
            raise KnowledgeError(f"topic {topic!r} needs exactly one general entry, has {generals}")
    return tuple(entries)


def load_knowledge(hotline: str | None = None) -> tuple[KnowledgeEntry, ...]:
    """All entries in file order (files sorted by name), rendered; cached per hotline.

    `hotline` is the deployment's setting (Settings.hotline); without one, the contact text sends
    the citizen to UBND xã/phường.
    """
    return _load(nfc(hotline) if hotline else "")


def entry_by_id(entry_id: str, hotline: str | None = None) -> KnowledgeEntry | None:
    return _by_id(nfc(hotline) if hotline else "").get(entry_id)


@lru_cache(maxsize=4)
def _by_id(hotline: str) -> Mapping[str, KnowledgeEntry]:
    return {e.id: e for e in _load(hotline)}


def find_entry(
    topic: str, kind: str | None = None, policy: str | None = None, *, hotline: str | None = None
) -> KnowledgeEntry | None:
    """The best entry for a question's topic and kind, or None.

    `topic` is a general topic (TOPICS) or a policy id; `policy` narrows a general topic to one
    policy (a policy topic implies it). Order of preference:
      1. the policy's entry under this topic (its subtopic) answering `kind` (any kind if None);
      2. the policy's entry answering `kind`, under another subtopic;
      3. a general-topic entry without a policy answering `kind`;
      4. the topic's general entry.
    A policy topic has no general entry: None then means "answer from the policy page". A topic
    outside the knowledge base (a greeting, say) or an unknown policy gives None; an unknown kind
    is a programming error (ValueError).
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    entries = load_knowledge(hotline)
    policies = policy_ids()
    general_topic: str | None = None
    if topic in policies:
        policy = topic if policy is None else policy
    elif topic in TOPICS:
        general_topic = topic
    else:
        return None
    if policy is not None and policy not in policies:
        policy = None

    def answers(e: KnowledgeEntry) -> bool:
        return kind is None or kind in e.kinds

    if policy is not None:
        own = [e for e in entries if e.policy == policy]
        if general_topic is not None:
            for e in own:
                if e.subtopic == general_topic and answers(e):
                    return e
        if kind is not None:
            for e in own:
                if kind in e.kinds:
                    return e
    if general_topic is None:
        return None
    if kind is not None:
        for e in entries:
            if e.topic == general_topic and e.policy is None and kind in e.kinds:
                return e
    return next(e for e in entries if e.topic == general_topic and e.general)
