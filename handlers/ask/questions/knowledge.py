"""The knowledge base beyond the 12 policy pages, and the provinces' free-worker schemes, for answers.

Thin access to messages.knowledge and messages.free_worker_provinces (data with sources): the
answering code asks for a topic's text, or a province's scheme, and gets None / the "set by the
provincial People's Committee" text when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.admin_units import get as get_unit
from handlers.ask.questions import classify
from messages.free_worker_provinces import render_scheme, render_unknown, scheme_for
from messages.free_worker_scheme import FreeWorkerScheme
from messages.knowledge import KINDS, KnowledgeEntry, entry_by_id, find_entry, load_knowledge
from messages.vocabulary import AreaLevel


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    text: str


# An entry of the topic whose examples are this much closer to the question than the entry its kind chose
# answers instead ("mỗi chính sách được hưởng mấy lần": the principles, not the package's overview), when it
# is at least this close itself (cosine, 0..1; classify.Classifier.closest_entries).
CLOSER_MARGIN = 0.2
CLOSER_MIN = 0.4


def entry(
    topic: str,
    kind: str | None = None,
    policy: str | None = None,
    hotline: str | None = None,
    text: str | None = None,
) -> Entry | None:
    """The best entry for a topic and kind (the policy's own entry first when `policy` is given); with the
    question's `text`, a general topic's entry whose examples are clearly closer to it wins."""
    known_kind = kind if kind in KINDS else None
    found = find_entry(topic, known_kind, policy, hotline=hotline)
    if found is None and known_kind is not None:
        found = find_entry(topic, None, policy, hotline=hotline)
    if found is None:
        return None
    if text is not None and policy is None:
        found = closest(text, topic, known_kind, found.id, hotline) or found
    return Entry(found.id, found.title, found.answer)


def closest(text: str, topic: str, kind: str | None, chosen: str, hotline: str | None = None) -> KnowledgeEntry | None:
    """The topic's entry (without a policy, answering the kind) clearly closer to the question than `chosen`."""
    candidates = [
        e
        for e in load_knowledge(hotline)
        if e.topic == topic and e.policy is None and (kind is None or kind in e.kinds)
    ]
    if len(candidates) < 2:
        return None
    sims = classify.classifier().closest_entries(text, [e.id for e in candidates])
    best = max(candidates, key=lambda e: sims.get(e.id, 0.0))
    score = sims.get(best.id, 0.0)
    if best.id != chosen and score >= CLOSER_MIN and score - sims.get(chosen, 0.0) >= CLOSER_MARGIN:
        return best
    return None


def by_id(entry_id: str, hotline: str | None = None) -> Entry | None:
    found = entry_by_id(entry_id, hotline)
    return Entry(found.id, found.title, found.answer) if found else None


@dataclass(frozen=True)
class ProvinceAnswer:
    text: str  # the province's scheme, labelled as that province's, or "UBND tỉnh quy định"
    scheme: FreeWorkerScheme | None  # for the rules engine, when the province's amount is data
    known: bool


def province_scheme(code: int) -> ProvinceAnswer:
    """A named province's free-worker scheme; an unknown one is set by its People's Committee."""
    scheme = scheme_for(code)
    if scheme is None:
        unit = get_unit(AreaLevel.PROVINCE, code)
        return ProvinceAnswer(render_unknown(unit.name if unit else None), None, False)
    rules = FreeWorkerScheme(**scheme.scheme_fields()) if scheme.mode != "unset" else None
    return ProvinceAnswer(render_scheme(scheme), rules, True)
