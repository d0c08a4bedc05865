"""Explaining the policies: browse the 12 policies, read one section at a time, or ask in free text."""

from __future__ import annotations

from handlers.ask import context
from handlers.ask.policy_search import answer
from handlers.menu import menu_buttons
from handlers.router import Router
from handlers.turn import Button, CoreState, Turn
from messages.i18n import N_, _
from messages.policies import SECTION_KEYS, SECTION_TITLES, Policy, get_policy, load_policies
from messages.vocabulary import ApplicationKind

INTAKE_ACTIONS: dict[str, str] = {
    ApplicationKind.HOUSEHOLD_BUSINESS: "apply:hkd",
    ApplicationKind.FREE_WORKER: "apply:ldtd",
}


def _policies(turn: Turn) -> tuple[Policy, ...]:
    return load_policies(turn.config.free_worker)


def policy_buttons(policy: Policy, current: str | None = None) -> list[list[Button]]:
    sections = [Button(SECTION_TITLES[key], f"pol:{policy.id}:{key}") for key in SECTION_KEYS if key != current]
    rows = [sections[:2], sections[2:]]
    if policy.intake in INTAKE_ACTIONS:
        rows.append([Button(_("Apply now"), INTAKE_ACTIONS[policy.intake])])
    rows.append([Button(_("All policies"), "pol"), Button(_("« Main menu"), "menu")])
    return [row for row in rows if row]


def policy_page(policy: Policy) -> str:
    return f"{policy.title}\n\n{policy.summary}\n\n" + _("Legal basis: {basis}").format(basis=policy.legal_basis)


def section_page(policy: Policy, section: str) -> str:
    return f"{policy.title} – {SECTION_TITLES[section]}\n\n{policy.sections[section]}"


async def browse(turn: Turn) -> None:
    """'pol' lists the policies, 'pol:<id>' opens one, 'pol:<id>:<section>' shows a section."""
    policy_id, _sep, section = turn.action_arg.partition(":")
    policy = get_policy(policy_id, turn.config.free_worker) if policy_id else None
    turn.goto(CoreState.MENU, {})
    if policy is None:
        rows = [[Button(p.title, f"pol:{p.id}")] for p in _policies(turn)]
        rows.append([Button(_("« Main menu"), "menu")])
        turn.say(_("The support policies of Resolution 68/NQ-CP. Choose one to read more:"), rows)
        return
    context.remember(turn, policy.id)  # "cần giấy tờ gì" next is about this policy
    if section in policy.sections:
        turn.say(section_page(policy, section), policy_buttons(policy, section))
    else:
        turn.say(policy_page(policy), policy_buttons(policy))


async def question(turn: Turn) -> None:
    """Today's matcher's answer to free text (the baseline handlers.ask.questions is measured against).

    The chat answers free text with handlers.ask.questions; bench/faq_accuracy.py still runs this one.
    """
    result = answer(turn.text)
    policies = {p.id: p for p in _policies(turn)}
    if result.confident and result.best is not None:
        policy = policies[result.best.policy_id]
        section = result.section
        text = section_page(policy, section) if section else policy_page(policy)
        turn.say(text, policy_buttons(policy, section))
        return
    # Near-misses are offered only when something scored at all; otherwise they are noise.
    options = [result.best, *result.alternatives] if result.best else []
    seen = list(dict.fromkeys(match.policy_id for match in options))
    if not seen:
        turn.say(
            _("Sorry, I could not find a policy matching your question. Try other words, or choose below."),
            [[Button(_("All policies"), "pol")], *menu_buttons(turn)],
        )
        return
    rows = [[Button(policies[pid].title, f"pol:{pid}")] for pid in seen[:3]]
    rows.append([Button(_("All policies"), "pol"), Button(_("« Main menu"), "menu")])
    turn.say(_("I am not sure I understood. Did you mean one of these?"), rows)


router = Router()  # this feature's commands, actions, states and menu entries (handlers/routes.py includes it)
router.menu_entry(N_("Learn about the policies"), "pol")
router.action("pol")(browse)
