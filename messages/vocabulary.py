"""The closed sets of words the code shares: one definition each, at the bottom layer.

Each is a StrEnum, so a member is the very string stored in the database and sent in payloads;
their Vietnamese labels go through the catalog (N_ here, _ when shown).
"""

from __future__ import annotations

from enum import StrEnum

from messages.i18n import N_, _


class ApplicationKind(StrEnum):
    """What an application asks for: the two policies with an intake form (their policy ids too)."""

    HOUSEHOLD_BUSINESS = "household_business"
    FREE_WORKER = "free_worker"


KIND_LABELS: dict[str, str] = {
    ApplicationKind.HOUSEHOLD_BUSINESS: N_("Household business"),
    ApplicationKind.FREE_WORKER: N_("Free worker"),
}


class Channel(StrEnum):
    """The messaging platforms a user reaches the bot on (stored with every chat and message)."""

    TELEGRAM = "telegram"
    ZALO = "zalo"
    CONSOLE = "console"


class ApplicationStatus(StrEnum):
    """An application's place in the lifecycle (handlers/review/lifecycle.py holds the allowed moves)."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    NEEDS_INFO = "needs_info"
    FORWARDED = "forwarded"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class PaymentConfirmation(StrEnum):
    """The citizen's answer to "have you received the money?" (payments.confirmation)."""

    RECEIVED = "confirmed"
    DENIED = "denied"


STATUS_LABELS: dict[str, str] = {
    ApplicationStatus.SUBMITTED: N_("Submitted"),
    ApplicationStatus.UNDER_REVIEW: N_("Under review"),
    ApplicationStatus.NEEDS_INFO: N_("Waiting for more information"),
    ApplicationStatus.FORWARDED: N_("Forwarded to the district"),
    ApplicationStatus.APPROVED: N_("Approved"),
    ApplicationStatus.PAID: N_("Paid"),
    ApplicationStatus.REJECTED: N_("Not approved"),
    ApplicationStatus.WITHDRAWN: N_("Withdrawn"),
}
STATUSES: tuple[ApplicationStatus, ...] = tuple(ApplicationStatus)


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status])


class Role(StrEnum):
    """What an official may do: review in one area of that level, or (admin) everything.

    A helper (a village head or a volunteer, scoped to a commune) only registers applications for
    citizens without a phone: none of an official's lists, views, changes, reports or announcements."""

    COMMUNE = "commune"
    DISTRICT = "district"
    PROVINCE = "province"
    ADMIN = "admin"
    MONITOR = "monitor"  # the Fatherland Front's representative (MTTQ): sees one area, changes nothing
    HELPER = "helper"  # a village head or volunteer: registers applications on a citizen's behalf, nothing else


# The roles that see an area's applications (lists, views, reports, exports; a monitor only looks):
# every role but the helper.
REVIEW_ROLES: tuple[Role, ...] = tuple(role for role in Role if role is not Role.HELPER)

ROLE_LABELS: dict[str, str] = {
    Role.COMMUNE: N_("commune official"),
    Role.DISTRICT: N_("district official"),
    Role.PROVINCE: N_("province official"),
    Role.ADMIN: N_("administrator"),
    Role.MONITOR: N_("monitor (Fatherland Front, read only)"),
    Role.HELPER: N_("registration helper (village head, volunteer)"),
}

# `--area CODE` given with a level whose units hold no such GSO code (the CLI's officials and lists).
AREA_CODE_ERRORS: dict[str, str] = {
    Role.COMMUNE: N_("--area {area} is not the GSO code of a commune."),
    Role.DISTRICT: N_("--area {area} is not the GSO code of a district."),
    Role.PROVINCE: N_("--area {area} is not the GSO code of a province."),
    Role.HELPER: N_("--area {area} is not the GSO code of a commune."),  # a helper works in one commune
}


class AreaLevel(StrEnum):
    """A level of the administrative units (GSO codes): where an application, an official or an audience is."""

    PROVINCE = "province"  # top down: iterating walks province -> district -> commune
    DISTRICT = "district"
    COMMUNE = "commune"


class SendStatus(StrEnum):
    """A queued message's sending state: the outbox (replies, notices) and announcement deliveries.

    queued -> sending (claimed by a sender) -> sent | failed; a retry goes back to queued. An outbox
    message is held until the user writes again (outside Zalo's reply window); a delivery ends blocked
    (the user blocked the bot) or cancelled (the official stopped the announcement).
    """

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


class BroadcastStatus(StrEnum):
    """An announcement: draft (previewed) -> queued -> sending -> done, or cancelled by its official."""

    DRAFT = "draft"
    QUEUED = "queued"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class SmtpSecurity(StrEnum):
    """How the daily report's e-mail reaches the SMTP server (HOTRO_SMTP_SECURITY)."""

    STARTTLS = "starttls"  # plain connection upgraded before login (port 587)
    TLS = "tls"  # implicit TLS from the first byte, SMTPS (port 465)
    NONE = "none"  # no encryption: a relay on the same host or network only


class ChatUserStatus(StrEnum):
    """Whether a chat user is reachable by announcements."""

    ACTIVE = "active"
    STOPPED = "stopped"  # opted out of announcements
    BLOCKED = "blocked"  # blocked the bot


# What a citizen's free-text question is about (the 12 policies of NQ 68 Mục II by their ids, then
# the general topics) and what kind of answer it asks for: shared by the classifier, the knowledge
# base and the benchmark's question set.
POLICY_TOPICS: tuple[str, ...] = (
    "household_business",
    "free_worker",
    "suspension",
    "work_stoppage",
    "termination",
    "f0_f1",
    "children",
    "arts_tour_guide",
    "training",
    "wage_loan",
    "tnld_bnn",
    "pension_pause",
)
# The one-time cash regimes of which a worker keeps only one (the one-regime rule; household support is per
# household): what the cross-locality duplicate check calls mutually exclusive. The same set as
# handlers.ask.eligibility_rules.ONE_TIME_REGIMES (a test keeps them equal), here below the handlers that
# cannot import the eligibility rules without a cycle.
ONE_TIME_CASH_POLICIES: frozenset[str] = frozenset(
    {"suspension", "work_stoppage", "termination", "arts_tour_guide", "free_worker"}
)
GENERAL_TOPICS: tuple[str, ...] = (
    "deadline",
    "procedure",
    "payment_timing",
    "approval",
    "legal_documents",
    "package",
    "id_documents",
    "nq116",
    "register",
    "app_status",
    "app_code",
    "greeting",
    "thanks",
    "contact",
    "complaint",
)
QUESTION_KINDS: tuple[str, ...] = (
    "amount",
    "eligibility",
    "conditions",
    "documents",
    "where_how",
    "deadline",
    "timing",
    "who_decides",
    "info",
    "chat",
)


class ComplaintStatus(StrEnum):
    """A complaint's (phản ánh, kiến nghị) place: received, acknowledged by an official, answered;
    the citizen's one further reply reopens it as follow_up until it is answered again."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"
    FOLLOW_UP = "follow_up"


COMPLAINT_STATUS_LABELS: dict[str, str] = {
    ComplaintStatus.NEW: N_("Received, waiting to be acknowledged"),
    ComplaintStatus.ACKNOWLEDGED: N_("Acknowledged, being handled"),
    ComplaintStatus.ANSWERED: N_("Answered"),
    ComplaintStatus.FOLLOW_UP: N_("Citizen replied, waiting for a further answer"),
}
OPEN_COMPLAINT_STATUSES: tuple[ComplaintStatus, ...] = (
    ComplaintStatus.NEW,
    ComplaintStatus.ACKNOWLEDGED,
    ComplaintStatus.FOLLOW_UP,
)


def complaint_status_label(status: str) -> str:
    return _(COMPLAINT_STATUS_LABELS[status])


class ComplaintCategory(StrEnum):
    """What a complaint is about; ABUSE is the anonymous report of policy abuse (trục lợi chính sách)."""

    ELIGIBILITY = "eligibility"
    AMOUNT = "amount"
    PAYMENT = "payment"
    PROCEDURE = "procedure"
    ABUSE = "abuse"
    OTHER = "other"


COMPLAINT_CATEGORY_LABELS: dict[str, str] = {
    ComplaintCategory.ELIGIBILITY: N_("Who is entitled, the conditions"),
    ComplaintCategory.AMOUNT: N_("The amount of support"),
    ComplaintCategory.PAYMENT: N_("Payment late or not received"),
    ComplaintCategory.PROCEDURE: N_("Procedures, how officials handle it"),
    ComplaintCategory.ABUSE: N_("Policy abuse (trục lợi chính sách)"),
    ComplaintCategory.OTHER: N_("Something else"),
}
