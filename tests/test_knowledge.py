"""The knowledge base beyond the policy pages (messages/knowledge/) and the provincial
free-worker schemes: loading, limits, sources, no unconfirmed figures, look-up fallbacks,
rendering, and the errors a malformed file raises."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

import messages.free_worker_provinces as fwp
import messages.knowledge as kb
from handlers.routes import build_router
from messages.catalog import PO, read
from messages.fmt import vnd
from messages.free_worker_provinces import (
    province_schemes,
    render_for_province,
    render_scheme,
    render_unknown,
    scheme_for,
)
from messages.free_worker_scheme import FreeWorkerScheme
from messages.knowledge import (
    KINDS,
    TOPICS,
    KnowledgeEntry,
    KnowledgeError,
    entry_by_id,
    find_entry,
    load_knowledge,
    policy_ids,
)
from messages.normalize import fold, search_key
from messages.policies import get_policy

ROOT = Path(__file__).parent.parent
QUESTIONS = Path(__file__).parent / "data" / "questions.tsv"

# Figures policy-facts.md marks UNCONFIRMED (§8 and §12 "Not confirmed"): no answer may state them.
# NQ 116's tiers between 1.8 and 3.3 million VND (§8 "Tiers in between", §12).
NQ116_TIERS = ["2.100.000", "2.400.000", "2.650.000", "2.900.000", "2,1 triệu", "2,4 triệu", "2,65 triệu", "2,9 triệu"]
# The central/local budget split (§1, §12); seed 002's 80%/20% is only Lạng Sơn's plan.
BUDGET_SPLIT = ["80%", "20%"]
# The training-support amount, 1.5 million VND/month (§3.3, §12). Hà Nội's 1.500.000 ₫ for free
# workers is confirmed, so this one is checked on the knowledge entries, not on the province schemes.
TRAINING_AMOUNT = ["1.500.000", "1,5 triệu"]
# The "take the highest of central and provincial support" rule (§1, §12).
UNCONFIRMED_PHRASES = ["cao nhất"]
# The +1,000,000 VND for pregnant workers and per child under 6 (§3.7, §12): no sentence that
# mentions them may hold that amount.
SUPPLEMENT_SENTENCE = re.compile(r"[^.\n]*(mang thai|dưới 6 tuổi)[^.\n]*")
# A 12-digit CMND (§9).
CMND_12 = re.compile(r"CMND[^.\n;,]*12 số")
# A per-person amount typed by hand instead of {vnd:N} (aggregates such as "26.000 tỷ đồng" are text).
RAW_AMOUNT = re.compile(r"\d{1,3}(?:\.\d{3})+\s*(?:đ\b|₫|đồng|vnd)", re.IGNORECASE)

DOCUMENTED_PROVINCES = {1, 79, 92, 20, 80, 77, 75, 66, 86, 58, 37, 46}


def _texts(entry: KnowledgeEntry) -> list[str]:
    return [entry.title, entry.answer]


# ---- loading and limits -------------------------------------------------------------------------
def test_every_file_loads_and_every_topic_has_one_general_entry() -> None:
    files = sorted(p.name for p in kb.KNOWLEDGE_DIR.glob("*.toml") if p.name != kb.PROVINCES_FILE)
    assert len(files) >= 8
    entries = load_knowledge()
    assert len({e.id for e in entries}) == len(entries)
    for topic in TOPICS:
        generals = [e for e in entries if e.topic == topic and e.general]
        assert len(generals) == 1, topic
    assert province_schemes()  # the provinces file loads too


def test_entries_have_sources_examples_and_fit_a_chat_message() -> None:
    for e in load_knowledge():
        assert e.sources and all(s.strip() for s in e.sources), e.id
        assert 5 <= len(e.examples) <= 10, e.id
        assert 0 < len(e.answer) <= 1200, e.id
        assert set(e.kinds) <= set(KINDS) and e.kinds, e.id
        assert e.topic in TOPICS or (e.topic in policy_ids() and e.policy == e.topic), e.id
        # sources name policy-facts.md, a seed, or the project's own files (README, handlers, config)
        for source in e.sources:
            assert re.match(r"(policy-facts\.md §|seeds/\d{3}_|README\.md|handlers/|bot/config\.py)", source), (
                e.id,
                source,
            )


def test_texts_are_nfc_rendered_with_babel_and_without_placeholders() -> None:
    for e in load_knowledge():
        for text in [*_texts(e), *e.examples]:
            assert unicodedata.is_normalized("NFC", text), e.id
            assert "{" not in text and "}" not in text, e.id
        assert " ₫" not in e.answer, e.id  # every amount went through messages.fmt.vnd
    raw = "\n".join(p.read_text(encoding="utf-8") for p in kb.KNOWLEDGE_DIR.glob("*.toml"))
    answers_and_texts = re.sub(r"^#.*$", "", raw, flags=re.MULTILINE)
    assert not RAW_AMOUNT.search(answers_and_texts), RAW_AMOUNT.search(answers_and_texts)


def test_examples_are_unique_and_not_benchmark_questions() -> None:
    seen: dict[str, str] = {}
    for e in load_knowledge():
        for example in e.examples:
            key = search_key(example)
            assert key not in seen, (example, e.id, seen.get(key))
            seen[key] = e.id
    # The benchmark must measure, not echo the training data (all parts, held-out included).
    benchmark = {
        search_key(line.split("\t")[0])
        for line in QUESTIONS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert benchmark, "tests/data/questions.tsv has no questions"
    assert not set(seen) & benchmark


# ---- never an unconfirmed figure ----------------------------------------------------------------
def test_no_entry_states_an_unconfirmed_figure() -> None:
    for e in load_knowledge():
        for text in _texts(e):
            for figure in [*NQ116_TIERS, *BUDGET_SPLIT, *TRAINING_AMOUNT, *UNCONFIRMED_PHRASES]:
                assert figure not in text, (e.id, figure)
            for sentence in SUPPLEMENT_SENTENCE.finditer(text):
                assert vnd(1_000_000) not in sentence.group(0), (e.id, sentence.group(0))
            assert not CMND_12.search(text), e.id


def test_no_province_answer_states_an_unconfirmed_figure() -> None:
    for scheme in province_schemes().values():
        text = render_scheme(scheme)
        for figure in [*NQ116_TIERS, *BUDGET_SPLIT, *UNCONFIRMED_PHRASES]:
            assert figure not in text, (scheme.code, figure)
    # Lạng Sơn's QĐ 1517 amount and Hà Nội's QĐ 3642 date are unconfirmed (§6, §12).
    lang_son = scheme_for(20)
    assert lang_son is not None and lang_son.amount_vnd is None and lang_son.mode == "unset"
    assert "₫" not in render_scheme(lang_son) and "do UBND tỉnh Lạng Sơn quy định" in render_scheme(lang_son)
    ha_noi = scheme_for(1)
    assert ha_noi is not None and ha_noi.decision_date is None
    assert not ha_noi.occupations  # the official occupation list is unconfirmed
    assert scheme_for(6) is None  # Bắc Kạn: no source (§6)


def test_nq116_states_only_the_confirmed_range() -> None:
    text = entry_by_id("nq116").answer  # type: ignore[union-attr]
    assert vnd(1_800_000) in text and vnd(3_300_000) in text
    amounts = re.findall(r"\d{1,3}(?:\.\d{3})+\s₫", text)
    assert sorted(amounts) == sorted([vnd(1_800_000), vnd(3_300_000)])


def test_payment_timing_is_hedged_as_local() -> None:
    for entry_id in ("payment_timing", "payment_timing_household_business"):
        text = entry_by_id(entry_id).answer  # type: ignore[union-attr]
        assert "07 ngày" in text
        assert "không phải quy định chung" in text, entry_id


def test_legal_document_dates_match_policy_facts() -> None:
    text = entry_by_id("legal_documents").answer  # type: ignore[union-attr]
    for document, day in [
        ("Nghị quyết 68/NQ-CP", "01/7/2021"),
        ("Quyết định 23/2021/QĐ-TTg", "07/7/2021"),
        ("Nghị quyết 126/NQ-CP", "08/10/2021"),
        ("Quyết định 33/2021/QĐ-TTg", "06/11/2021"),
        ("Nghị quyết 116/NQ-CP", "24/9/2021"),
    ]:
        assert f"{document} ngày {day}" in text, document


# ---- look-up --------------------------------------------------------------------------------------
def test_every_policy_has_a_deadline_entry() -> None:
    assert len(policy_ids()) == 12
    for pid in policy_ids():
        entry = find_entry(pid, "deadline")
        assert entry is not None and entry.policy == pid and entry.subtopic == "deadline", pid
        assert find_entry("deadline", policy=pid) == entry


def test_find_entry_prefers_the_policy_then_the_topic() -> None:
    assert find_entry("deadline", policy="household_business").id == "deadline_household_business"  # type: ignore[union-attr]
    assert find_entry("household_business", "deadline").id == "deadline_household_business"  # type: ignore[union-attr]
    # Two "timing" entries for household businesses: the topic picks which.
    assert find_entry("payment_timing", policy="household_business").id == "payment_timing_household_business"  # type: ignore[union-attr]
    assert find_entry("procedure", "timing", policy="household_business").id == "procedure_household_business"  # type: ignore[union-attr]
    # The policy's entry of another subtopic that answers the kind comes before the general one.
    assert find_entry("approval", "who_decides", policy="f0_f1").id == "procedure_f0_f1"  # type: ignore[union-attr]
    assert find_entry("procedure", "deadline", policy="termination").id == "deadline_termination"  # type: ignore[union-attr]


def test_find_entry_falls_back_to_the_topic() -> None:
    # No approval entry for training: the general approval entry.
    assert find_entry("approval", "who_decides", policy="training").id == "approval"  # type: ignore[union-attr]
    # A kind the topic's general entry does not list: still the general entry.
    assert find_entry("package", "deadline").id == "package"  # type: ignore[union-attr]
    # A kind one of the topic's other entries answers: that entry.
    assert find_entry("package", "eligibility").id == "package_principles"  # type: ignore[union-attr]
    assert find_entry("nq116", "where_how").id == "nq116_apply"  # type: ignore[union-attr]
    # An unknown policy is ignored, not an error.
    assert find_entry("deadline", policy="no_such_policy").id == "deadline"  # type: ignore[union-attr]
    for topic in TOPICS:
        entry = find_entry(topic)
        assert entry is not None and entry.general and entry.topic == topic


def test_find_entry_none_and_errors() -> None:
    assert find_entry("household_business", "amount") is None  # the policy page answers that
    assert find_entry("household_business") is None
    assert find_entry("greeting") is None
    assert entry_by_id("no_such_entry") is None
    with pytest.raises(ValueError, match="unknown kind"):
        find_entry("deadline", "when")


def test_contact_uses_the_hotline_setting() -> None:
    without = entry_by_id("contact").answer  # type: ignore[union-attr]
    assert "UBND xã, phường" in without and "đường dây nóng" not in without
    assert find_entry("contact").answer == without  # type: ignore[union-attr]
    with_hotline = entry_by_id("contact", hotline="0205 3812 345").answer  # type: ignore[union-attr]
    assert "đường dây nóng hỗ trợ: 0205 3812 345" in with_hotline
    assert find_entry("contact", hotline="0205 3812 345").answer == with_hotline  # type: ignore[union-attr]
    # A hotline is data: braces in it are printed, not read as placeholders.
    assert "{x}" in entry_by_id("contact", hotline="{x}").answer  # type: ignore[union-attr]
    # Only the contact text changes.
    plain = {e.id: e.answer for e in load_knowledge()}
    other = {e.id: e.answer for e in load_knowledge("0205 3812 345")}
    assert [i for i in plain if plain[i] != other[i]] == ["contact"]


def test_bot_usage_names_buttons_and_commands_that_exist() -> None:
    labels = {m.string for m in read(PO) if m.id and isinstance(m.string, str)}
    router = build_router()
    for entry in load_knowledge():
        if entry.topic not in ("register", "app_status", "contact"):
            continue
        for quoted in re.findall(r"\"([^\"]+)\"", entry.answer):
            assert quoted in labels, (entry.id, quoted)
        for command in re.findall(r"(?<![\w.])/[a-z]+", entry.answer):
            assert router.command_for(command) is not None, (entry.id, command)


def test_knowledge_modules_import_nothing_above_messages() -> None:
    code = (
        "import sys, messages.knowledge, messages.free_worker_provinces as f\n"
        "messages.knowledge.load_knowledge(); f.province_schemes()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('bot', 'handlers', 'storage')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---- provinces ------------------------------------------------------------------------------------
def test_province_codes_exist_in_vietnam_provinces() -> None:
    with open(NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as fh:
        names = {p["code"]: p["name"] for p in json.load(fh)}
    assert set(province_schemes()) == DOCUMENTED_PROVINCES
    for code, scheme in province_schemes().items():
        assert code in names, code
        # same province: the last word of our name ends the package's name ("Huế", "Tàu", "Nội")
        assert fold(names[code]).endswith(fold(scheme.name).split()[-1]), (code, names[code], scheme.name)


def test_render_scheme_ha_noi() -> None:
    ha_noi = scheme_for(1)
    assert ha_noi is not None
    text = render_scheme(ha_noi)
    assert text.startswith("Theo Quyết định 3642/QĐ-UBND của UBND TP Hà Nội:")
    assert "1.500.000" in text and "3642" in text
    assert (ha_noi.mode, ha_noi.amount_vnd, ha_noi.per) == ("lump", 1_500_000, "lần")


def test_every_province_answer_is_labelled_and_chat_sized() -> None:
    for code, scheme in province_schemes().items():
        text = render_scheme(scheme)
        assert text.startswith(f"{scheme.label}:") and scheme.label.startswith("Theo "), code
        assert f"chính sách riêng của {scheme.name}" in text, code
        assert len(text) <= 1200 and unicodedata.is_normalized("NFC", text), code
        assert "{" not in text and " ₫" not in text, code
        if scheme.amount_vnd is not None:
            assert vnd(scheme.amount_vnd) in text, code
        else:
            assert "quy định" in text, code
        assert scheme.sources and all(s.startswith("policy-facts.md §6") for s in scheme.sources[:1]), code


def test_structured_amounts() -> None:
    per_day = {c: s for c, s in province_schemes().items() if s.mode == "per_day"}
    assert set(per_day) == {79, 92, 80, 66}
    assert all(s.amount_vnd == 50_000 and s.per == "ngày" for s in per_day.values())
    assert per_day[66].max_days == 30
    vinh_long = scheme_for(86)
    assert vinh_long is not None and (vinh_long.mode, vinh_long.amount_vnd) == ("lump", 700_000)
    can_tho = scheme_for(92)
    assert can_tho is not None and can_tho.occupations == ("Bán lẻ vé số lưu động",)


def test_scheme_fields_render_the_policy_page_for_a_province() -> None:
    for code in (1, 66, 20):
        scheme = scheme_for(code)
        assert scheme is not None
        page = get_policy("free_worker", FreeWorkerScheme(**scheme.scheme_fields()))
        assert page is not None
        if scheme.amount_vnd:
            assert vnd(scheme.amount_vnd) in page.sections["amount"], code
        else:
            assert "₫" not in page.sections["amount"], code
        if scheme.decision:
            assert scheme.decision in page.sections["conditions"], code


def test_unknown_province_is_set_by_the_province() -> None:
    text = render_unknown("tỉnh Bắc Kạn")
    assert "tỉnh Bắc Kạn" in text and "do UBND tỉnh quy định" in text and "₫" not in text
    assert "do UBND tỉnh" in render_unknown()
    assert render_for_province(6, "tỉnh Bắc Kạn") == text
    assert render_for_province(1) == render_scheme(scheme_for(1))  # type: ignore[arg-type]


def test_scheme_fields_residence_line_follows_the_conditions() -> None:
    assert scheme_for(1).scheme_fields()["requires_residence"] is True  # type: ignore[union-attr]
    assert scheme_for(92).scheme_fields()["requires_residence"] is False  # type: ignore[union-attr]


# ---- malformed files ------------------------------------------------------------------------------
def _clear_caches() -> None:
    kb._read_raw.cache_clear()
    kb._load.cache_clear()
    kb._by_id.cache_clear()
    fwp._load.cache_clear()


@pytest.fixture
def kb_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of messages/knowledge the loaders read instead of the real one."""
    target = tmp_path / "knowledge"
    shutil.copytree(kb.KNOWLEDGE_DIR, target)
    monkeypatch.setattr(kb, "KNOWLEDGE_DIR", target)
    monkeypatch.setattr(fwp, "PROVINCES_PATH", target / kb.PROVINCES_FILE)
    _clear_caches()
    yield target
    _clear_caches()


VALID_ENTRY = {
    "id": '"test_entry"',
    "topic": '"package"',
    "kinds": '["info"]',
    "title": '"Tiêu đề"',
    "answer": '"Nội dung {vnd:3000000}."',
    "sources": '["policy-facts.md §0"]',
    "examples": '["một", "hai", "ba", "bốn", "năm"]',
}


def _add_entry(directory: Path, **changes: str | None) -> None:
    fields = {**VALID_ENTRY, **changes}
    body = "\n".join(f"{k} = {v}" for k, v in fields.items() if v is not None)
    (directory / "zz_test.toml").write_text(f"[[entry]]\n{body}\n", encoding="utf-8")


def test_a_valid_added_entry_loads(kb_dir: Path) -> None:
    _add_entry(kb_dir)
    entry = entry_by_id("test_entry")
    assert entry is not None and entry.answer == f"Nội dung {vnd(3_000_000)}."


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"topic": '"weather"'}, "unknown topic"),
        ({"kinds": '["when"]'}, "kinds must be"),
        ({"kinds": "[]"}, "kinds must be"),
        ({"sources": None}, "missing"),
        ({"sources": "[]"}, "sources must be"),
        ({"examples": '["một", "hai", "ba", "bốn"]'}, "4 examples"),
        ({"examples": '["một", "hai", "ba", "bốn", "Một"]'}, "duplicate examples"),
        ({"answer": '"' + "x" * 1201 + '"'}, "max 1200"),
        ({"answer": '"Xem {foo}."'}, "unknown placeholder"),
        ({"answer": '"Một dấu { lạc."'}, "stray brace"),
        ({"id": '"Bad-Id"'}, "slug"),
        ({"id": '"deadline"'}, "duplicate entry ids"),
        ({"topic": '"household_business"'}, "needs subtopic"),
        ({"topic": '"household_business"', "subtopic": '"deadline"', "policy": '"f0_f1"'}, "must be the same"),
        ({"policy": '"no_such_policy"'}, "unknown policy"),
        ({"subtopic": '"deadline"'}, "only for policy-specific"),
        ({"general": "true"}, "exactly one general entry"),
        ({"general": '"yes"'}, "true or false"),
        ({"exmaples": '["một"]'}, "unknown keys"),
    ],
)
def test_malformed_entry_is_rejected(kb_dir: Path, changes: dict[str, str | None], message: str) -> None:
    _add_entry(kb_dir, **changes)
    with pytest.raises(KnowledgeError, match=message):
        load_knowledge()


def test_toml_syntax_error_names_the_file(kb_dir: Path) -> None:
    (kb_dir / "zz_test.toml").write_text("[[entry]\nid = ", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"zz_test\.toml"):
        load_knowledge()


def test_missing_general_entry_and_template_are_rejected(kb_dir: Path) -> None:
    path = kb_dir / "nq116.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("general = true\n", "", 1), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="'nq116' needs exactly one general entry"):
        load_knowledge()
    _clear_caches()
    path = kb_dir / "bot_usage.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^contact_hotline = .*$", "", text, flags=re.MULTILINE), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="missing template 'contact_hotline'"):
        load_knowledge()


def _edit_provinces(directory: Path, old: str, new: str) -> None:
    path = directory / kb.PROVINCES_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("code = 1\n", "code = 3\n", "not a 2021 GSO province code"),
        ("code = 79\n", "code = 1\n", "appears twice"),
        ('amount_text = "{vnd:1500000}', 'amount_text = "{vnd:1000000}', r"must state \{vnd:1500000\}"),
        ('per = "lần"', 'per = "ngày"', "needs per = 'lần'"),
        (
            'mode = "unset"\nconditions = ["Lao động tự do bị',
            'mode = "unset"\namount_vnd = 1\nconditions = ["x',
            "takes no",
        ),
        ('label = "Theo Quyết định 3642', 'label = "Quyết định 3642', "must start with 'Theo '"),
        ("max_days = 30", "max_days = 31", "max_days"),
        ('heading = "{label}:"', 'heading = "Tiêu đề:"', "heading"),
        ('notes = ["Theo Sở', 'noets = ["Theo Sở', "unknown keys"),
        ("[[province]]\ncode = 1\n", "[[province]\ncode = 1\n", r"free_worker_provinces\.toml"),
    ],
)
def test_malformed_province_is_rejected(kb_dir: Path, old: str, new: str, message: str) -> None:
    _edit_provinces(kb_dir, old, new)
    with pytest.raises(KnowledgeError, match=message):
        province_schemes()
