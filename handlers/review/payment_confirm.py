"""Payment confirmation: some days after a payment is recorded, the citizen is asked whether the money arrived.

"Đã nhận" records the confirmation; "Chưa nhận" records the denial and opens a complaint for the commune
(report_not_received). The question is queued by the worker of bot/payment_confirm.py, once per payment.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers import actions, admin_units, app_code
from handlers.complaints import service as complaints
from handlers.menu import back_to_menu_button, show_menu
from handlers.router import Router
from handlers.turn import Button, Notice, Reply, Turn
from messages import fmt
from messages.i18n import _
from messages.vocabulary import AreaLevel, ComplaintCategory, PaymentConfirmation
from storage import confirmations
from storage.models import Application, Payment
from storage.officials import chats_of, commune_officials


def question(application: Application, payment: Payment) -> Reply:
    """ "Bạn đã nhận được 3.000.000 ₫ chưa?" with the payment's real amount, and the two answers."""
    text = "\n".join(
        [
            _("Have you received {amount}?").format(amount=fmt.vnd(payment.amount)),
            _("The commune recorded this payment for your application {code} on {date}.").format(
                code=app_code.display(application.code), date=fmt.day(payment.paid_on)
            ),
            _("Please tell us, so that the commune can check if something went wrong."),
        ]
    )
    return Reply(
        text,
        [
            [Button(_("✅ Received"), actions.CONFIRM_RECEIVED.pack(payment.id))],
            [Button(_("❌ Not received"), actions.CONFIRM_DENIED.pack(payment.id))],
        ],
    )


def view_lines(payments: Sequence[Payment]) -> list[str]:
    """What the citizen answered about each payment, for the official's view of the application."""
    lines = []
    for payment in payments:
        amount, day = fmt.vnd(payment.amount), fmt.day(payment.paid_on)
        if payment.confirmation == PaymentConfirmation.RECEIVED and payment.confirmed_at:
            lines.append(
                "✅ "
                + _("The citizen confirmed receiving {amount} (paid {date}) on {answered}.").format(
                    amount=amount, date=day, answered=fmt.day(payment.confirmed_at)
                )
            )
        elif payment.confirmation == PaymentConfirmation.DENIED and payment.confirmed_at:
            lines.append(
                "⚠️ "
                + _("The citizen reported NOT receiving {amount} (paid {date}) on {answered}.").format(
                    amount=amount, date=day, answered=fmt.day(payment.confirmed_at)
                )
            )
        elif payment.confirm_asked_at:
            lines.append(
                _("Asked on {asked} whether {amount} arrived: no answer yet.").format(
                    asked=fmt.day(payment.confirm_asked_at), amount=amount
                )
            )
    return lines


async def report_not_received(turn: Turn, application: Application, payment: Payment) -> tuple[str, list[Notice]]:
    """The complaint a denial opens (handlers.complaints, category "payment"): its code, and the notices to the
    area's officials and monitors, then a notice to the commune officials naming the payment, with a button
    to open the application. The denial itself is on the payment (the daily report counts it)."""
    commune = admin_units.get(AreaLevel.COMMUNE, application.commune_code)
    complaint, notices = await complaints.submit(
        turn.session,
        turn.services.protector,
        category=ComplaintCategory.PAYMENT,
        text=_("Answering the payment confirmation: I have not received {amount} (recorded as paid on {date}).").format(
            amount=fmt.vnd(payment.amount), date=fmt.day(payment.paid_on)
        ),
        attachments=[],
        commune_code=application.commune_code,
        application=application,
        channel=application.channel,
        chat_id=application.chat_id,
        anonymous=False,
        now=turn.now,
        deadlines=complaints.deadlines_of(turn.config),
    )
    code = complaints.display_code(complaint.code)
    text = "⚠️ " + _(
        "The citizen of application {code} ({name}, {commune}) says they have NOT received the payment of "
        "{amount} recorded on {date}. Please check the payment and contact them."
    ).format(
        code=app_code.display(application.code),
        name=application.full_name,
        commune=commune.full_name if commune else application.commune_code,
        amount=fmt.vnd(payment.amount),
        date=fmt.day(payment.paid_on),
    )
    text += " " + _("Complaint {code} is opened for it.").format(code=code)
    reply = Reply(text, [[Button(_("Open the application"), actions.OF_OPEN.pack(application.id))]])
    officials = await commune_officials(turn.session, [application.commune_code])
    notices += [Notice(channel, chat_id, reply) for channel, chat_id in await chats_of(turn.session, officials)]
    return code, notices


async def on_answer(turn: Turn) -> None:
    """'pc:y:<payment id>' or 'pc:n:<payment id>' from the question's buttons."""
    verb, _sep, arg = turn.action_arg.partition(":")
    found = await confirmations.with_application(turn.session, int(arg)) if arg.isdigit() else None
    if found is None or (found[1].channel, found[1].chat_id) != (turn.incoming.channel, turn.incoming.chat_id):
        # Another chat's payment (a forged button) is answered like a missing one: nothing leaks.
        await show_menu(turn, _("That button is no longer active. Here is the main menu."))
        return
    payment, application = found
    answer = PaymentConfirmation.RECEIVED if verb == "y" else PaymentConfirmation.DENIED
    if not await confirmations.record_answer(turn.session, payment.id, answer, turn.now):
        turn.say(
            _("Your answer about this payment is already recorded. Thank you."),
            [back_to_menu_button()],
        )
        return
    if answer == PaymentConfirmation.RECEIVED:
        turn.say(_("Thank you for confirming that you received the money."), [back_to_menu_button()])
        return
    complaint_code, notices = await report_not_received(turn, application, payment)
    turn.notices.extend(notices)
    turn.say(
        _(
            "Thank you. We have told the People's Committee of your commune that you have not received {amount} "
            "for application {code}; an official will check the payment and contact you."
        ).format(amount=fmt.vnd(payment.amount), code=app_code.display(application.code))
        + "\n"
        + _("Your complaint code is {code}: follow it under “Phản ánh, kiến nghị”.").format(code=complaint_code),
        [back_to_menu_button()],
    )


router = Router()
router.action("pc")(on_answer)
