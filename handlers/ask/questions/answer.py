"""Answer a citizen's free-text message: understand it, then answer it or route it to its flow.

Order: an application code in the message goes to the look-up; otherwise the classifier
gives the topic and kind. Conversation intents go to the existing handlers (status,
look-up, application menu); a policy question is answered by the rules when the message
holds the deciding facts, else by the policy's section for that kind; a general question
by the knowledge base. When unsure: 2-3 choices and an invitation to rephrase.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from handlers import actions, admin_units
from handlers.apply import chat as intake
from handlers.ask import context
from handlers.ask.eligibility_rules import HOUSEHOLD_VND, PolicyId
from handlers.ask.policies import browse, policy_buttons, policy_page, section_page
from handlers.ask.policy_search import detect_section
from handlers.ask.questions import classify, combination, id_facts, passages, verdict
from handlers.ask.questions.confirm import confirmation
from handlers.ask.questions.facts import Facts, Who, extract, farming_household, street_vendor
from handlers.ask.questions.knowledge import by_id, closest, entry, province_scheme
from handlers.complaints import chat as complaints
from handlers.intents import (
    application_help,
    asks_own_application,
    asks_policy_list,
    bare_number,
    bare_yes_no,
    chat_intent,
    code_in,
    complaint_cue,
    in_english,
    is_ask_preamble,
    is_help_request,
    registers_for_someone,
    registration_request,
    reports_a_fault,
    wants_withdrawal,
)
from handlers.lookup import chat as status
from handlers.menu import back_to_menu_button, help_, menu_buttons, show_menu
from handlers.review import typed as officials_typed
from handlers.turn import Button, CoreState, Turn
from messages import fmt
from messages.i18n import N_, _
from messages.knowledge import entry_by_id
from messages.normalize import search_key
from messages.policies import SECTION_TITLES, Policy, get_policy, load_policies
from messages.vocabulary import POLICY_TOPICS, AreaLevel

# What each kind of question asks of a policy page.
_SECTION_FOR_KIND = {
    "amount": "amount",
    "eligibility": "conditions",
    "conditions": "conditions",
    "documents": "documents",
    "where_how": "where",
    "deadline": "where",
    "timing": "where",
    "who_decides": "where",
}
# A policy question of these kinds is first looked up in the knowledge base's general topic.
_KIND_TOPIC = {"deadline": "deadline", "timing": "procedure", "who_decides": "approval"}
TOPIC_LABELS = {
    "deadline": N_("Deadlines for applications"),
    "procedure": N_("Steps and processing times"),
    "payment_timing": N_("When the money is paid"),
    "approval": N_("Who approves"),
    "legal_documents": N_("The legal documents"),
    "package": N_("The support package as a whole"),
    "id_documents": N_("ID cards (CCCD/CMND)"),
    "nq116": N_("Support from the unemployment insurance fund (NQ 116)"),
    "register": N_("Apply for support"),
    "app_status": N_("My applications"),
    "contact": N_("Contact the commune"),
    "complaint": N_("📣 Complaints and feedback"),
}
# NQ 116 named: support from the unemployment insurance fund, whatever else the message speaks of.
_NQ116 = re.compile(r"\b(?:nghi quyet|nq)\s*(?:so\s*)?116\b")
# A legal document named by its number ("nghị quyết 126", "qđ 23/2021"), as its knowledge entry.
_LEGAL = re.compile(r"\b(?:nghi quyet|nq|quyet dinh|qd)\s*(?:so\s*)?(68|23|126|33)\b")
_LEGAL_ENTRIES = {"68": "legal_nq68", "23": "legal_qd23", "126": "legal_nq126", "33": "legal_qd33"}


# "văn bản hướng dẫn nghị quyết 68", "nghị quyết sửa đổi nq 68": the document asked for is the one that
# implements or amends the one named (QĐ 23 implements NQ 68, NQ 126 amends it, QĐ 33 amends QĐ 23 for NQ 126).
_IMPLEMENTS = r"(?:huong dan(?: thuc hien)?|thuc hien|trien khai|quy dinh chi tiet|cu the hoa)"
_AMENDS = r"(?:sua doi(?:,? bo sung)?|bo sung|dieu chinh|thay the)"
_RELATED = [
    (re.compile(rf"\b{_IMPLEMENTS}\s+(?:nghi quyet|nq)\s*(?:so\s*)?68\b"), "23"),
    (re.compile(rf"\b{_AMENDS}\s+(?:nghi quyet|nq)\s*(?:so\s*)?68\b"), "126"),
    (re.compile(rf"\b{_AMENDS}\s+(?:quyet dinh|qd)\s*(?:so\s*)?23\b"), "33"),
    (re.compile(rf"\b{_IMPLEMENTS}\s+(?:nghi quyet|nq)\s*(?:so\s*)?126\b"), "33"),
]


def _legal_document(text: str) -> str | None:
    key = search_key(text)
    found = {m.group(1) for m in _LEGAL.finditer(key)}
    if len(found) != 1:
        return None  # none named, or two: the list compares them
    for pattern, related in _RELATED:
        if pattern.search(key):
            return _LEGAL_ENTRIES[related]
    return _LEGAL_ENTRIES[found.pop()]


# "xem danh sách chính sách" asks for the list; a longer message naming "các chính sách" asks about them.
POLICY_LIST_WORDS = 8
# "tra cứu hồ sơ": the chat's own applications or a look-up by code; the first answer offers the second.
_LOOKUPS = frozenset({"app_status", "app_code"})
# The F0/F1 meal support and the children's extra: one set of rules, told apart by whose age is said.
_F0_F1_CHILDREN = frozenset({PolicyId.F0_F1, PolicyId.CHILDREN})
# Intents that are never offered as a guess.
_NOT_OFFERED = frozenset({"greeting", "thanks", "acknowledgement", "about", "confused", "app_code"})
# Below this the message is not about anything we know ("qwerty"): say so instead of guessing.
NOTHING_SCORE = -0.6


def _policies(turn: Turn) -> dict[str, Policy]:
    return {p.id: p for p in load_policies(turn.config.free_worker)}


def _today(turn: Turn) -> date:
    return turn.config.as_of_date or fmt.today_local(turn.now)


# The number to call asked for: "số tổng đài", "hotline … số mấy", "cho xin số đường dây nóng" (search_key), in a
# short message ("chào tổng đài" is a greeting to the page).
_HOTLINE = re.compile(r"\b(?:tong dai|hot ?line|duong day nong)\b")
_ASKS_NUMBER = re.compile(r"\b(?:so|sdt|goi|lien he|xin|la gi|bao nhieu|may)\b")
HOTLINE_WORDS = 10
# The money received, not a dossier filed: "nhận tiền ở đâu", "lên xã lấy tiền" (search_key).
_RECEIVING = re.compile(
    r"\b(?:nhan|lanh|linh|lay|phat) tien\b.{0,30}\b(?:o dau|cho nao|(?:len|ra|tai) (?:xa|uy ban)|chuyen khoan"
    r"|tien mat)\b|\b(?:len|ra) (?:xa|uy ban) (?:de )?(?:nhan|lanh|linh|lay) tien\b"
)
# A question of where, when, how much or how, before a yes/no one ("nhận tiền ở đâu, có phải lên xã không").
_WH_FIRST = re.compile(r"\b(?:o dau|cho nao|khi nao|bao gio|bao nhieu|the nao|lam sao|ra sao|nhu the nao)\b")


def _with_verdict(turn: Turn, body: str) -> str:
    """A yes/no question's verdict, read off the answer, before the answer (confirm.py); other bodies as they are.
    An undecided verdict is left out when the yes/no question follows a question of where or how: the answer
    is the text, not a "maybe"."""
    if not verdict.is_yes_no(turn.text):
        return body
    said = confirmation(turn.text, body, _today(turn))
    first = re.split(r"[,;?]", turn.text, maxsplit=1)[0]
    if said == _("Maybe, if the conditions below are met.") and _WH_FIRST.search(search_key(first)):
        return body
    return said + "\n\n" + body


def _policies_row() -> list[Button]:
    return [Button(_("All policies"), "pol"), Button(_("« Main menu"), "menu")]


def _complaints_row() -> list[Button]:
    return [Button(_("📣 Complaints and feedback"), "pa")]


def _lookup_buttons() -> list[list[Button]]:
    """Where a citizen finds an application: this chat's, or any by its code."""
    return [[Button(_("My applications"), "status")], [Button(_("Look up by application code"), "lookup")]]


def _form_of(facts: Facts) -> str | None:
    """The application form a situation names ("quán phở": household business), else None (asked)."""
    return {Who.HOUSEHOLD_BUSINESS: "hkd", Who.FREE_WORKER: "ldtd"}.get(facts.who) if facts.who else None


async def answer(turn: Turn) -> None:
    """Free text in the menu (or as a first message), or a question typed in the middle of a form."""
    text = turn.text
    if await officials_typed.handle(turn):  # "HK-7QX4-M9P7" of the official's area, "hồ sơ chờ duyệt", "báo cáo"
        return
    code = code_in(text)
    if code is not None:
        await status.take_code(turn, code, text)
        return
    if is_help_request(text):
        await help_(turn)
        return
    hotline_words = search_key(text)
    if _HOTLINE.search(hotline_words) and _ASKS_NUMBER.search(hotline_words) and len(text.split()) <= HOTLINE_WORDS:
        contact(turn)  # "số tổng đài hỗ trợ là gì": the words "hỗ trợ" read as the package
        return
    if reports_a_fault(text):
        turn.goto(CoreState.MENU, {})
        turn.say(
            _(
                "Sorry for the trouble. If a button does not work, type its number instead (for example #1), "
                "or the command /menu; what you have answered so far is kept. If it still does not work, tell "
                "your commune People's Committee, or send feedback (📣 Complaints and feedback)."
            ),
            [_complaints_row(), back_to_menu_button()],
        )
        return
    if in_english(text):
        await show_menu(
            turn,
            _(
                "Sorry, HoTro only answers in Vietnamese. Ask someone to read the answers with you, or go to the "
                "People's Committee of your commune or ward for help."
            ),
        )
        return
    if (form := registration_request(text)) is not None:  # "đăng ký hỗ trợ lao động tự do": its application
        await intake.open_application(turn, form or _form_of(extract(text)))
        return
    if bare_number(text) is not None:
        turn.goto(CoreState.MENU, {})
        turn.say(
            _(
                "This looks like an ID card or phone number; there is no need to send it here. To look up an "
                "application you need its code (e.g. HK-7QX4-M9P7) and the last 4 digits of the ID number; the "
                "applications made in this chat are under “My applications”."
            ),
            _lookup_buttons(),
        )
        return
    if complaint_cue(text):  # "cán bộ xã đòi 200 nghìn mới cho vào danh sách": kept as the complaint's content
        await complaints.complaints_menu(turn, complaints.typed_content(text, whole=True))
        return
    if asks_policy_list(text) and len(text.split()) <= POLICY_LIST_WORDS:  # "xem danh sách chính sách"
        await browse(turn)
        return
    if wants_withdrawal(text):  # "tôi muốn rút hồ sơ": the confirmation of the chat's one application
        await status.withdraw_request(turn)
        return
    if asks_own_application(text):  # "hồ sơ của tôi sao rồi": where the chat's applications stand
        await status.my_applications(turn)
        return
    if combination.several_at_once(text) and (principles := by_id("package_principles")) is not None:
        # "một người được nhận nhiều khoản hỗ trợ cùng lúc không": the package's principles answer it.
        turn.goto(CoreState.MENU, {})
        turn.say(principles.text, [_policies_row()])
        return
    if (entry_id := application_help(text)) is not None and (found := by_id(entry_id, turn.config.hotline)):
        turn.goto(CoreState.MENU, {})
        # Fees: whoever asks money for a place on the list is reported; a refusal may be objected to; the rest
        # is about one's applications.
        first = {"fees": [_complaints_row()], "refusal": [*_lookup_buttons(), _complaints_row()]}.get(
            entry_id, _lookup_buttons()
        )
        turn.say(found.text, [*first, back_to_menu_button()])
        return
    if (intent := chat_intent(text)) is not None:
        await answer_topic(turn, intent, "chat", Facts())
        return
    if (combo := combination.asked(text)) is not None and (principles := by_id("package_principles")) is not None:
        # "đã nhận hỗ trợ lao động tự do rồi có được nhận hỗ trợ F0 không": the principles decide.
        turn.goto(CoreState.MENU, {})
        head = combination.verdict(combo) or ""
        if combo.asked is not None and combo.asked != combo.had:
            head += "\n" + _policies(turn)[combo.asked].summary  # the one asked about: its amount and condition
        turn.say(
            (head.strip() + "\n\n" if head.strip() else "") + principles.text,
            [_policies_row()],
        )
        return
    key = search_key(text)
    if _WAITING.search(key) and (mine := await status.money_status(turn)) is not None:
        # "sao lâu vậy", "chờ mãi chưa thấy gì" from one who applied here: where the application stands.
        turn.goto(CoreState.MENU, {})
        turn.say(
            mine,
            [*_lookup_buttons(), _complaints_row(), back_to_menu_button()],
        )
        return
    facts = extract(text)
    current, policies = context.current(turn), _policies(turn)
    if facts.province is not None and current in policies:
        province = admin_units.get(AreaLevel.PROVINCE, facts.province)
        if province is not None and context.names_only_a_place(text, province.short_name):
            # "ở Hà Nội thì được bao nhiêu" after a support's answer: that support there. The free workers' is the
            # province's own (policy_answer reads it); the others are NQ 68's, the same in every province.
            if current != PolicyId.FREE_WORKER:
                turn.say(
                    _("{policy} is set by NQ 68/NQ-CP for the whole country: it is the same in {province}.").format(
                        policy=policies[current].title, province=province.name
                    )
                )
            policy_answer(turn, policies[current], "amount" if _ASKS_AMOUNT.search(key) else None, facts)
            return
    if current in policies and context.names_only_days(text, facts.days):
        # "nghỉ 20 ngày thì được bao nhiêu" after a support's answer: that support, for those days (the words
        # alone would read as an employee's unpaid leave).
        policy_answer(turn, policies[current], "amount" if _ASKS_AMOUNT.search(key) else None, facts)
        return
    general = _general_situation(key, facts) if facts.covid is None and facts.who is None else None
    if general is not None and (found := by_id(general, turn.config.hotline)) is not None:
        # "hộ nghèo có được hỗ trợ thêm không", "nhà có 5 người thì được bao nhiêu": no situation of work,
        # business or COVID to decide by, so what the supports go by.
        turn.goto(CoreState.MENU, {})
        turn.say(found.text, [_policies_row()])
        return
    if (waiting := await status.awaited_answer(turn)) is not None:
        # "tôi không có thông báo đó, phường chỉ nói miệng" while an official waits for information: what no rule
        # above took is offered as that answer, with no policy page guessed for it.
        turn.goto(CoreState.MENU, {})
        status.offer_typed_answer(turn, waiting)
        return
    prediction = classify.predict(text, facts)
    if is_ask_preamble(text) or bare_yes_no(text):  # the question is still to come: offer topics, ask for it
        await unsure(turn, prediction, offer_always=True)
        return
    prediction = _read_with_facts(text, facts, prediction)
    no_topic = context.names_no_topic(text)
    kind = question_kind(text, prediction.kind) if no_topic else None
    section = _SECTION_FOR_KIND[kind] if kind is not None and kind in _ASKS_A_SECTION else None
    # "được bao nhiêu tiền", "nhận được mấy triệu", "cần giấy tờ gì": each support has its own amount and papers,
    # so naming none, the citizen is asked which (the package's overview, the general procedure or the
    # classifier's favourite policy would not say).
    per_policy = kind in ("amount", "documents")
    if section is not None and (prediction.topic in _REFINED or not prediction.confident or per_policy):
        # "cần giấy tờ gì": the support just read about or applied for; with none, the citizen chooses.
        topic, policies = context.current(turn), _policies(turn)
        if topic in policies:
            policy_answer(turn, policies[topic], kind, facts)
            return
        if prediction.topic in POLICY_TOPICS or not prediction.confident or per_policy:
            # A guess among the policies' like sections would be shown as the answer.
            which_policy(turn, section)
            return
    leading = {t for t, _s in prediction.ranked[:2]}
    if facts.business_worker and (PolicyId.HOUSEHOLD_BUSINESS in leading or not prediction.confident):
        # "làm phục vụ nhà hàng, nhà hàng đóng cửa": the support of the one who works there, not the business's.
        turn.say(
            _(
                "The household business support ({amount}) is paid to the household business, that is, to its "
                "owner. Someone who works there is supported as a worker: with a labour contract and compulsory "
                "social insurance, by the employees' supports (contract suspension, unpaid leave, work "
                "stoppage); without a labour contract, by the free workers' support that the province sets."
            ).format(amount=fmt.vnd(HOUSEHOLD_VND))
        )
        worker_topic = PolicyId.SUSPENSION if facts.who is Who.EMPLOYEE_SI else PolicyId.FREE_WORKER
        prediction = replace(prediction, topic=worker_topic, confident=True, close=False)
    residence = facts.residence and PolicyId.FREE_WORKER in leading and not facts.business_worker
    if residence and (found := by_id("free_worker_residence", turn.config.hotline)) is not None:
        # "chưa đăng ký tạm trú có được không", "quê Nghệ An, làm ở Bình Dương thì đăng ký ở đâu": residence.
        turn.goto(CoreState.MENU, {})
        policy = _policies(turn)[PolicyId.FREE_WORKER]
        turn.say(_with_verdict(turn, found.text + "\n\n" + policy.summary), policy_buttons(policy))
        return
    if not prediction.confident and leading == _LOOKUPS:
        await answer_topic(turn, "app_status", prediction.kind, facts)  # its reply offers the look-up by code
        return
    if not prediction.confident:
        await unsure(turn, prediction)
        return
    hint = _policy_named(prediction) or (context.current(turn) if no_topic else None)
    await answer_topic(turn, prediction.topic, prediction.kind, facts, hint)
    if prediction.close and turn.replies and prediction.topic not in _NOT_OFFERED:
        # A near call: the runners-up go under the answer's own buttons (not after a "thank you": the menu's
        # buttons are there already, and a runner-up may be one of them under another action).
        policies = _policies(turn)
        shown = turn.replies[-1].buttons
        offered = {b.action for row in shown for b in row} | {b.label for row in shown for b in row}
        for topic, _score in prediction.ranked[1:3]:
            button = _choice(topic, policies) if topic not in _NOT_OFFERED else None
            if button is not None and not {button.action, button.label} & offered:
                shown.append([button])


_EMPLOYERS_OWN = frozenset({PolicyId.PENSION_PAUSE, PolicyId.TNLD_BNN, PolicyId.WAGE_LOAN})
# An employee speaking of their own work, asking what they get: "tôi làm bảo vệ cho công ty …, tôi được gì",
# "em là công nhân …, em được gì" (search_key).
_AN_EMPLOYEE_ASKS = re.compile(
    r"\b(?:toi|em|minh) (?:lam\b.{0,30}\b(?:cho|o|tai) (?:cong ty|cty|doanh nghiep|xuong|nha may)|la (?:cong nhan"
    r"|nhan vien|nguoi lao dong))\b.*\b(?:duoc|nhan) (?:gi|ho tro gi|bao nhieu|nhung gi)\b"
)


def _read_with_facts(text: str, facts: Facts, prediction: classify.Prediction) -> classify.Prediction:
    """The classifier's topic, corrected where the message's words settle it."""
    # "vợ tôi mang thai, tôi bị tạm hoãn hợp đồng": the pregnancy supplement is the pregnant worker's own, so
    # the husband's situation decides.
    pregnant_other = prediction.topic == PolicyId.CHILDREN and verdict.other_pregnant(text)
    if pregnant_other and (situation := verdict.worker_situation(text)) is not None:
        return replace(prediction, topic=situation, confident=True)  # the words name it: no need to ask
    # "công ty cho nghỉ không lương 2 tháng, nhà có 2 con nhỏ, được hỗ trợ gì": the children are named, the
    # worker's situation is asked about (its answer says what a child under 6 adds), unless the extra is.
    children_named = prediction.topic == PolicyId.CHILDREN and facts.covid is None
    situation = verdict.only_worker_situation(text) if children_named else None
    if situation is not None and not verdict.asks_child_extra(text, facts):
        return replace(prediction, topic=situation, confident=True)
    farming = farming_household(text) and facts.who is not Who.EMPLOYEE_SI and not facts.social_insurance
    if farming and (prediction.topic in verdict.WORKER_SITUATIONS or prediction.topic == PolicyId.FREE_WORKER):
        # "tôi làm nông, bị phong tỏa không bán được": NQ 126's farming households, not an employee's support.
        return replace(prediction, topic=PolicyId.HOUSEHOLD_BUSINESS, confident=True)
    named = verdict.only_worker_situation(text)
    if prediction.topic in _EMPLOYERS_OWN and _AN_EMPLOYEE_ASKS.search(search_key(text)):
        # "tôi làm bảo vệ cho công ty, công ty ngừng hoạt động, tôi có BHXH": the worker's support, not the
        # employer's (the pension-fund pause, the premium cut, the wage loan are the employer's to ask for).
        nearest = next((t for t, _s in prediction.ranked if t in verdict.WORKER_SITUATIONS), None)
        if (employees := named or nearest) is not None:
            prediction = replace(prediction, topic=employees, confident=True)
    if prediction.topic == PolicyId.FREE_WORKER and facts.who is Who.EMPLOYEE_SI and facts.social_insurance:
        # "công nhân cty may, cty cho nghỉ 2 tuần, có bh": an insured employee is no free worker; the situation
        # named, else the classifier's nearest of the employees' supports.
        nearest = next((t for t, _s in prediction.ranked if t in verdict.WORKER_SITUATIONS), None)
        if (employees := named or nearest) is not None:
            prediction = replace(prediction, topic=employees)
    if prediction.topic in verdict.WORKER_SITUATIONS and named not in (None, prediction.topic):
        # "công ty cho nghỉ luôn": the words name the situation where the classifier guessed a neighbour.
        prediction = replace(prediction, topic=named)
    if prediction.topic in verdict.WORKER_SITUATIONS and verdict.asks_child_extra(text, facts):
        # "con mình 3 tuổi, mình ngừng việc 20 ngày, có được thêm cho con không": the child's extra is asked.
        return replace(prediction, topic=PolicyId.CHILDREN, confident=True)
    if _NQ116.search(search_key(text)) and prediction.topic != "nq116":
        # "… có được nhận tiền theo nghị quyết 116 không": the resolution named is what is asked about.
        return replace(prediction, topic="nq116", confident=True, close=False)
    if not prediction.confident and {t for t, _s in prediction.ranked[:2]} == _F0_F1_CHILDREN:
        # "mẹ tôi ngoài 70 tuổi là F0 có được thêm 1 triệu không": the same rules answer both; the facts say whose.
        child = facts.child_under_16 and not facts.elderly
        return replace(prediction, topic=PolicyId.CHILDREN if child else PolicyId.F0_F1, confident=True)
    return prediction


# A policy this close to the top topic is taken as named in a general question.
POLICY_HINT_GAP = 0.8


# ... and only when the message names it: today's matcher scores a policy named in words from about 0.6
# ("hạn nộp hồ sơ hộ kinh doanh": 0.84) and a general question's best policy about 0.3.
NAMED_SCORE = 0.6


def _policy_named(prediction: classify.Prediction) -> str | None:
    if prediction.topic in POLICY_TOPICS:
        return None
    for topic, score in prediction.ranked[1:]:
        if topic in POLICY_TOPICS:
            if prediction.score - score > POLICY_HINT_GAP:
                return None
            named = {policy for policy, matched in prediction.matched[:3] if matched >= NAMED_SCORE}  # its top 3
            return topic if topic in named else None
    return None


def understood_topic(text: str) -> str:
    """The topic `answer` acts on (an application code and a bare greeting are found by rule)."""
    if code_in(text) is not None:
        return "app_code"
    return chat_intent(text) or classify.predict(text, extract(text)).topic


async def answer_topic(turn: Turn, topic: str, kind: str | None, facts: Facts, policy_hint: str | None = None) -> None:
    if topic == "greeting":
        if not turn.replies:  # a first message already got the greeting
            await show_menu(turn, _("Hello! How can I help? Type your question, or choose below."))
        return
    if topic == "thanks":
        await show_menu(turn, _("You are welcome! Type another question whenever you need, or choose below."))
        return
    if topic == "about":
        # "bạn là người hay máy": an automatic assistant, and where the people are.
        turn.say(
            _(
                "I am HoTro, an automatic assistant (a chatbot), not a person: I explain the 2021 COVID-19 "
                "supports, take preliminary applications and show where they stand. Officials of the commune "
                "review the applications."
            )
        )
        contact(turn)
        return
    if topic == "acknowledgement":
        await show_menu(turn, _("All right. Whenever you need, type your question or choose below."))
        return
    if topic == "confused":
        # "hả", "không hiểu": what can be asked, and how, in the citizen's words.
        await show_menu(
            turn,
            _(
                "No problem. Ask me in your own words about the 2021 COVID-19 supports, for example: “bán vé số "
                "mất việc có được hỗ trợ không” or “quán ăn đóng cửa 20 ngày được bao nhiêu tiền”. Or choose below."
            ),
        )
        return
    if topic == "app_status":
        await status.my_applications(turn)
        return
    if topic == "app_code":
        await status.start_lookup(turn)
        return
    if topic == "register":
        # "đăng ký giúp mẹ tôi được không" asks how, not to start: the entry whose examples are that close.
        closer = (
            entry_by_id("register_for_someone", turn.config.hotline)
            if registers_for_someone(turn.text)
            else closest(turn.text, topic, None, "register", turn.config.hotline)
        )
        if closer is None:
            # "đăng ký hỗ trợ cho quán phở của tôi": the situation names the form.
            await intake.open_application(turn, _form_of(facts))
            return
        turn.goto(CoreState.MENU, {})
        turn.say(closer.answer, [[Button(_("Apply for support"), "apply")], back_to_menu_button()])
        return
    if topic == "contact":
        contact(turn)
        return
    if topic == "complaint":
        await complaints.complaints_menu(turn, complaints.typed_content(turn.text))
        return
    policies = _policies(turn)
    if topic in policies:
        policy_answer(turn, policies[topic], kind, facts)
        return
    kind = cued_kind(turn.text, kind)
    if topic == "legal_documents" and (named := _legal_document(turn.text)) is not None:
        # "quyết định 23/2021 ai ký": that document's own entry, not the list of all of them.
        found_named = by_id(named, turn.config.hotline)
        if found_named is not None:
            turn.goto(CoreState.MENU, {})
            turn.say(found_named.text, [_policies_row()])
            return
    if topic == "procedure" and _RECEIVING.search(search_key(turn.text)):
        topic = "payment_timing"  # "nhận tiền ở đâu, có phải lên xã không": how the money is received
    # "hạn nộp hồ sơ hộ kinh doanh": the general topic, narrowed to the policy the message names.
    narrowed = entry(topic, kind, policy_hint, turn.config.hotline) if policy_hint else None
    found = entry(topic, kind, hotline=turn.config.hotline, text=turn.text) or narrowed
    if found is None:
        await unsure(turn, None)
        return
    turn.goto(CoreState.MENU, {})
    # Narrowed, the policy's own entry says it all: the general one listed every policy again, and a paragraph
    # of another policy matched on the question's few words ("hạn chót khi nào": the pension pause's).
    body = narrowed.text if narrowed is not None else found.text
    if topic == "id_documents" and (lines := id_facts.explain(turn.text)):
        body = "\n".join(lines) + "\n\n" + body
    if extra := passages.supporting(turn.text, policy_hint, body, elsewhere=narrowed is None):
        body += "\n\n" + extra
    if _TIMES.search(search_key(turn.text)):
        body = _("Each person receives each support only once (NQ 68/NQ-CP).") + "\n\n" + body
    rows = [_policies_row()]
    if topic == "payment_timing":
        # "tôi nhận được tiền chưa" asks after one's own application: no verdict from the rules, its status instead.
        if (mine := await status.money_status(turn)) is not None:
            body = mine + "\n\n" + body
        turn.say(body, [*_lookup_buttons(), *rows])
        return
    turn.say(_with_verdict(turn, body), rows)


def contact(turn: Turn) -> None:
    turn.goto(CoreState.MENU, {})
    hotline = turn.config.hotline
    if hotline:
        text = _(
            "To talk to an official, call the hotline {hotline}, or come to the reception desk (bộ phận "
            "tiếp nhận và trả kết quả) of your commune People's Committee during office hours."
        ).format(hotline=hotline)
    else:
        text = _(
            "To talk to an official, come to the reception desk (bộ phận tiếp nhận và trả kết quả) of your "
            "commune People's Committee during office hours; the commune can also tell you its phone number."
        )
    if turn.config.office_hours:  # "mấy giờ xã làm việc" is answered here too (/giolamviec says the same)
        text += "\n" + _("The reception desk receives citizens: {hours}.").format(hours=turn.config.office_hours)
    turn.say(text, [back_to_menu_button()])


def _rules_buttons(policy: Policy, decided: bool) -> list[list[Button]]:
    rows = policy_buttons(policy)
    if not decided or policy.intake is None:
        rows.insert(0, [Button(_("Check with the full questionnaire"), "elig")])
    return rows


# Kinds whose answer is a procedure, not a verdict: the rules are not asked even with facts.
_PROCEDURAL = frozenset({"documents", "where_how", "deadline", "timing", "who_decides"})
# What today's matcher's section cues say, as a kind (they are precise on these words).
_CUE_KINDS = {"amount": "amount", "documents": "documents"}


# A question for the documents; with the bare noun "giấy tờ" as well, the documents cue. Alone, the noun
# does not ask which: "giấy tờ … nộp cho ai" asks where.
_DOCUMENT_ASK = re.compile(
    r"\bmau (so|nao|gi)\b|\bgiay to (gi|nao)\b|\bho so (gi|gom|can)\b|\bcan (giay|nhung gi)\b|\bai lap\b"
)
_DOCUMENT_CUE = re.compile(_DOCUMENT_ASK.pattern + r"|\bgiay to\b")
_WHERE_CUE = re.compile(r"\b(o|tai) dau\b|\bnop (o|tai|cho)\b|\bnoi nop\b|\bai (nop|lam ho so)\b")
_ASKS_AMOUNT = re.compile(r"\b(bao nhieu|may tien|bn tien|duoc gi|duoc nhung gi|duoc bn)\b")
_WHEN = re.compile(r"\b(bao lau|khi nao|bao gio|may ngay|luc nao)\b")
_PAYMENT_CUE = re.compile(
    r"\b(nhan|co|ve|chi tra|phat|chuyen) (duoc )?(tien|tra)\b|\bkhi nao (duoc )?nhan\b|\bchi tra\b"
)


def cued_kind(text: str, predicted: str | None) -> str | None:
    """The classifier's kind, corrected by the cues that say it outright: 'mẫu số mấy' asks for a form,
    'khi nào nhận tiền' a time, 'nộp ở đâu' a place. For every topic, general ones too."""
    key = search_key(text)
    if _DOCUMENT_CUE.search(key) and (_DOCUMENT_ASK.search(key) or not _WHERE_CUE.search(key)):
        return "documents"
    if _PAYMENT_CUE.search(key) and _WHEN.search(key):
        return "timing"
    if _WHERE_CUE.search(key) and predicted not in ("deadline", "timing", "who_decides"):
        return "where_how"
    return predicted


def question_kind(text: str, predicted: str | None) -> str | None:
    """A policy question's kind: the cued kind, then 'bao nhiêu' asks an amount, a yes/no its eligibility."""
    cued = cued_kind(text, predicted)
    if cued != predicted:
        return cued
    cue = _CUE_KINDS.get(detect_section(text) or "")
    if cue is not None and predicted not in ("deadline", "timing", "who_decides"):
        return cue
    if predicted not in _PROCEDURAL and verdict.is_yes_no(text):
        return "eligibility"
    return predicted


# A question that names no support and asks one of these: the section (_SECTION_FOR_KIND) of the policy it is about.
_ASKS_A_SECTION = frozenset({"documents", "where_how", "amount", "conditions", "eligibility"})
# What a question naming no support is taken for, before the support it is about is known: a policy (the
# classifier's guess among similar sections) or the general procedure ("nộp ở đâu").
_REFINED = frozenset({*POLICY_TOPICS, "procedure"})


def which_policy(turn: Turn, section: str) -> None:
    """The policies, each leading to the asked section; the two a citizen registers here first."""
    turn.goto(CoreState.MENU, {})
    policies = sorted(_policies(turn).values(), key=lambda p: p.intake is None)
    rows = [[Button(p.title, f"pol:{p.id}:{section}")] for p in policies]
    if section == "conditions":
        rows.insert(0, [Button(_("Check with the full questionnaire"), "elig")])
    rows.append(back_to_menu_button())
    turn.say(
        _("Which support are you asking about? Choose one to see its “{section}”:").format(
            section=SECTION_TITLES[section]
        ),
        rows,
    )


def policy_answer(turn: Turn, policy: Policy, kind: str | None, facts: Facts) -> None:
    # "được bao nhiêu" after a free worker's question naming a province: still that province's scheme.
    free_worker = policy.id == PolicyId.FREE_WORKER and context.current(turn) == policy.id
    named_before = context.province(turn) if free_worker else None
    turn.goto(CoreState.MENU, {})
    if facts.province is None and named_before is not None:
        facts = replace(facts, province=named_before)
    context.remember(turn, policy.id, facts.province)
    text = turn.text
    kind = question_kind(text, kind)
    yes_no = verdict.is_yes_no(text)
    decisive = bool(
        facts.days is not None
        or facts.ranges
        or facts.dates
        or facts.covid
        or facts.social_insurance is False
        or facts.unemployment_benefit
    )
    scheme, label = turn.config.free_worker, None
    # A named province gets its own scheme; the home province too, unless the deployment set its own.
    home_configured = facts.province == turn.config.province_code and scheme.mode != "unset"
    if policy.id == "free_worker" and facts.province is not None and not home_configured:  # not vocabulary: a policy id
        found = province_scheme(facts.province)
        if found.scheme is None and kind not in ("documents", "where_how"):
            # No amount to compute with: the province's text (or "UBND tỉnh quy định") is the answer.
            body = found.text
            if yes_no:
                body = _("Maybe, if the conditions below are met.") + "\n" + body
            turn.say(body, _rules_buttons(policy, False))
            return
        scheme, label = found.scheme or scheme, found.text
        if found.scheme is not None:
            # The policy's own pages then speak of that province's amount, not the deployment's.
            policy = get_policy(policy.id, found.scheme) or policy
    key, today = search_key(text), _today(turn)
    # "… được bao nhiêu và nộp ở đâu": with the deciding facts, the amount is answered first, the place after.
    also_amount = kind in ("where_how", "documents") and bool(_ASKS_AMOUNT.search(key))
    if (
        kind == "eligibility"
        or (yes_no and kind == "amount")
        or (decisive and (kind not in _PROCEDURAL or also_amount))
    ):
        computed = verdict.compute(policy.id, text, facts, scheme, today, label)
        if computed is not None:
            body = computed.text
            if yes_no and _AGAIN.search(key):
                body = _twice(text, computed)
            elif _HOW_MANY_TIMES.search(key):  # "được mấy lần": once, then what the rules give
                body = _("Each person receives each support only once (NQ 68/NQ-CP).") + "\n\n" + body
            people = _people(text)
            each = verdict.per_person(text, scheme, today) if computed.policy_id in _F0_F1_CHILDREN else None
            if each is not None and each.replaces and computed.verdict == _("Yes."):
                body = computed.verdict + " " + each.text  # one person's days are not the others'
            elif each is not None and not each.replaces:
                body += "\n\n" + each.text
            elif computed.amount and people > 1 and computed.policy_id == PolicyId.F0_F1:
                # "nhà 4 người đều F1": the meal money is per person.
                body += "\n" + _(
                    "Counted per person: {count} people × {each} = {total}, if each of them has the same days."
                ).format(count=people, each=fmt.vnd(computed.amount), total=fmt.vnd(people * computed.amount))
            if computed.policy_id == PolicyId.FREE_WORKER and street_vendor(text):
                also = verdict.compute(PolicyId.HOUSEHOLD_BUSINESS, text, facts, scheme, today)
                if also is not None:  # "xe bánh mì nghỉ 12 bữa": the household business support's own rule
                    body += "\n\n" + _("Street vendors are also in the household business support (NQ 126/NQ-CP):")
                    body += "\n" + "\n".join(also.text.split("\n")[:2])
            if computed.policy_id == PolicyId.HOUSEHOLD_BUSINESS and farming_household(text):
                body += "\n\n" + _(
                    "NQ 126/NQ-CP added households in farming, forestry, fishery and salt-making to those the "
                    "household business support is for."
                )
            if not computed.decided:
                body += "\n\n" + section_page(policy, "conditions")
            if _WHERE_CUE.search(key) or _DOCUMENT_CUE.search(key):
                # "… có được không, nộp ở đâu": the second question gets its section too.
                body += "\n\n" + section_page(policy, "where")
            elif extra := passages.supporting(text, policy.id, body):
                body += "\n\n" + extra
            turn.say(body, _rules_buttons(policy, computed.decided))
            return
    turn.say(_policy_text(turn, policy, kind, label), policy_buttons(policy, _SECTION_FOR_KIND.get(kind or "")))


def _policy_text(turn: Turn, policy: Policy, kind: str | None, label: str | None) -> str:
    """The policy's own texts for the kind asked: its section(s), a knowledge entry, and its summary."""
    parts: list[str] = []
    general = _KIND_TOPIC.get(kind or "")
    if kind == "timing" and _PAYMENT_CUE.search(search_key(turn.text)):
        general = "payment_timing"
    found = entry(general, kind, policy.id, turn.config.hotline) if general else None
    if found is not None:
        parts.append(found.text)
    elif kind in ("documents", "where_how"):
        # Who files, on which form, where: the two sections answer it together, the one asked first.
        first, second = ("documents", "where") if kind == "documents" else ("where", "documents")
        parts += [section_page(policy, first), policy.sections[second]]
    elif kind in _SECTION_FOR_KIND:
        parts.append(section_page(policy, _SECTION_FOR_KIND[kind]))
    elif kind == "info":
        # Under a province's own scheme (`label`: its amount, conditions and jobs), the summary: the page and its
        # conditions would list the jobs again.
        parts += [policy.summary] if label else [policy_page(policy), policy.sections["conditions"]]
    # A second question in the same message ("được bao nhiêu, nộp ở đâu") gets its section too.
    key = search_key(turn.text)
    shown = "\n".join(parts)
    for cue, section in ((_WHERE_CUE, "where"), (_DOCUMENT_CUE, "documents")):
        if cue.search(key) and policy.sections[section] not in shown:
            parts.append(section_page(policy, section))
    # The summary states the main condition and the amount: every answer about a policy carries it (once: the
    # policy's page opens with it).
    if not parts:
        parts.append(policy.summary if label else policy_page(policy))  # as for "info" above
    elif policy.summary not in "\n".join(parts):
        parts.append(policy.summary)
    if extra := passages.supporting(turn.text, policy.id, "\n".join(parts)):
        parts.append(extra)
    if label:
        parts.insert(0, label)
    if _TIMES.search(search_key(turn.text)):
        parts.insert(0, _("Each person receives each support only once (NQ 68/NQ-CP)."))
    return _with_verdict(turn, "\n\n".join(parts))


# Impatience, which from one who applied here asks after the application ("sao lâu", "chờ mãi", "chưa thấy gì").
_WAITING = re.compile(r"^lau (?:qua|the|roi)$|\bsao lau\b|\bcho (?:mai|lau|hoai)\b|\bchua thay (?:gi|tien)\b")
# The size of a family asked about: "nhà có 5 người", "gia đình 6 nhân khẩu", "tính theo đầu người hay theo hộ".
_FAMILY_SIZE = re.compile(
    r"\b(?:nha|gia dinh|ho)\b(?:\s+\w+){0,2}\s+(?:\d{1,2}|hai|ba|bon|nam|sau|bay|tam|chin|muoi)\s+"
    r"(?:nguoi|nhan khau|thanh vien)\b|\btheo (?:dau nguoi|nhan khau|so nguoi)\b|\bmoi nhan khau\b"
)
# A group the message names as who the person is, with no work, business or COVID situation to go by.
_GROUP_ONLY = re.compile(
    r"\b(?:ho ngheo|can ngheo|dan toc|thieu so|mo coi|bao tro xa hoi|nguoi gia|ong ba gia|cao tuoi|khuyet tat"
    r"|gia dinh kho khan|hoan canh kho khan)\b"
)


# What someone does or undergoes, which the supports go by: an elderly person who still works, runs a shop or
# was isolated is answered on that, not on the age.
_DOING = re.compile(
    r"\b(?:lam|ban|chay|buon|quan|tiem|cua hang|kinh doanh|cong ty|nghi viec|mat viec|dong cua|ngung|hop dong"
    r"|cach ly|dieu tri)\b"
)


def _general_situation(key: str, facts: Facts) -> str | None:
    """The knowledge entry for who one is or how big one's family is, asked about as such (search_key)."""
    if _GROUP_ONLY.search(key):
        return "groups_not_covered"
    if facts.aged and not _DOING.search(key):
        return "groups_not_covered"  # "mẹ tôi 70 tuổi có được hỗ trợ gì không"
    if _FAMILY_SIZE.search(key):
        return "package_per_person"
    return None


_TIMES = re.compile(r"\b(?:2|hai|nhieu|may|bao nhieu) (?:lan|suat)\b")
_AGAIN = re.compile(r"\b(2|hai|nhieu) (?:lan|suat)\b")  # "2 lần", "2 suất" (shares)
_HOW_MANY_TIMES = re.compile(r"\b(?:may|bao nhieu) (?:lan|dot|suat)\b")
_SEVERAL_PEOPLE = re.compile(r"\b(?:(?:2|hai|ba|nhieu|ca hai|moi) (?:nguoi|vo chong)|ca (?:hai )?vo chong|ca nha)\b")


_COUNT_WORDS = {"hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10}
_PEOPLE = re.compile(r"\b(\d{1,2}|hai|ba|bon|nam|sau|bay|tam|chin|muoi) (?:nguoi|thanh vien|nhan khau)\b")
_COUPLE = re.compile(r"\b(?:(?:ca )?(?:hai|2) vo chong|vo chong (?:toi|minh|em|chau))\b")


def _people(text: str) -> int:
    """How many people the message counts ("nhà 4 người", "hai vợ chồng tôi"); 1 when it counts none."""
    key = search_key(text)
    if (m := _PEOPLE.search(key)) is not None:
        return int(m.group(1)) if m.group(1).isdigit() else _COUNT_WORDS[m.group(1)]
    return 2 if _COUPLE.search(key) else 1


def _twice(text: str, computed: verdict.Computed) -> str:
    """ "có được hỗ trợ 2 lần không": no, whatever the rules give for the period; but two people are not
    one person twice ("nhà có 2 người cùng bán hàng rong"): each applies for their own."""
    if _SEVERAL_PEOPLE.search(search_key(text)):
        each = (
            _("The household business support is paid per household: one household business receives it once.")
            if computed.policy_id == PolicyId.HOUSEHOLD_BUSINESS
            else _("Each person is considered on their own: each of them who qualifies registers one application.")
        )
        return each + "\n\n" + computed.text
    once = _("Each person receives each support only once (NQ 68/NQ-CP).")
    rest = computed.text.removeprefix(computed.verdict).lstrip()
    return _("No.") + " " + once + "\n\n" + rest


def _choice(topic: str, policies: dict[str, Policy]) -> Button | None:
    if topic in policies:
        return Button(policies[topic].title, f"pol:{topic}")
    if topic in TOPIC_LABELS:
        return Button(_(TOPIC_LABELS[topic]), actions.QUESTION_TOPIC.pack(topic))
    return None


async def unsure(turn: Turn, prediction: classify.Prediction | None, *, offer_always: bool = False) -> None:
    """2-3 likely topics first (so #1 is the best guess), then a line inviting the citizen to rephrase.
    `offer_always`: even when nothing in the message scores (it only announces a question)."""
    turn.goto(CoreState.MENU, {})
    policies = _policies(turn)
    if prediction is None or (prediction.score < NOTHING_SCORE and not offer_always):
        turn.say(
            _("Sorry, I could not find a policy matching your question. Try other words, or choose below.")
            + "\n"
            + _("For example: “quán ăn đóng cửa 20 ngày có được hỗ trợ không”."),
            [[Button(_("All policies"), "pol")], *menu_buttons(turn)],
        )
        return
    choices = []
    for topic, _score in prediction.ranked:
        if topic in _NOT_OFFERED:
            continue
        button = _choice(topic, policies)
        if button is not None:
            choices.append([button])
        if len(choices) == 3:
            break
    turn.say(
        _("I am not sure I understood your question. Did you mean one of these?")
        + "\n"
        + _("Or write the question again in other words, e.g. with your situation and the number of days."),
        [*choices, _policies_row()],
    )


async def chosen_topic(turn: Turn) -> None:
    """A 'q:<topic>' button from the unsure reply: answer that topic as a general question."""
    topic = turn.action_arg
    if topic in _NOT_OFFERED or not (topic in TOPIC_LABELS or topic in _policies(turn)):
        await show_menu(turn, _("That button is no longer active. Here is the main menu."))
        return
    await answer_topic(turn, topic, None, Facts())


async def knowledge_entry(turn: Turn) -> None:
    """A 'kb:<entry id>' button: show one knowledge entry."""
    found = by_id(turn.action_arg, turn.config.hotline)
    if found is None:
        await show_menu(turn, _("That button is no longer active. Here is the main menu."))
        return
    turn.goto(CoreState.MENU, {})
    turn.say(found.text, [back_to_menu_button()])
