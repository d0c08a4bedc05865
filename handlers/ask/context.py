"""Which support a question means when it names none ("cần giấy tờ gì", "nộp ở đâu"): the policy the
citizen was just reading about or asking about, or the application they are filling in.

The ask feature owns the conversation-data keys TOPIC and PROVINCE: they are written with each policy's
answer or page, in the main menu's data, so they last until the next reply that starts the menu afresh."""

from __future__ import annotations

from handlers.apply.chat import KINDS
from handlers.turn import Turn
from messages.normalize import search_key

TOPIC = "ask_topic"  # conversation-data key: the policy id of the last policy answer or page
PROVINCE = "ask_province"  # conversation-data key: the province code that answer was for, if one was named

# Words that say what is asked or are politeness, never which support: a question made only of these
# names none. Folded (search_key). "hỗ trợ" and "hồ sơ" are here: alone they name no policy.
_NO_TOPIC_WORDS = frozenset(
    search_key(
        "cần giấy tờ gì những hồ sơ thủ tục cách nộp ở đâu bao nhiêu tiền được không ko k có khi nào hạn "
        "chót cuối cùng thời gian lâu mức điều kiện là thế làm sao vậy à ạ nhé nha ơi ad admin mình tôi em "
        "anh chị cho hỏi xin với đi phải nhận ai ngày mấy rồi chưa thêm mang theo mẫu đơn kê khai điền gồm "
        "như ntn bn j z dc đc hỗ trợ của bạn nào nữa thì cũng muốn biết chỗ nơi gửi bao giờ ra sao cụ thể "
        "sẽ các triệu trăm nghìn ngàn lãnh lĩnh suất khoản mất xong thì duyệt phê xét giải quyết chi trả lúc "
        "tuần cấp cơ quan quyết"
    ).split()
)


def names_no_topic(text: str | None) -> bool:
    """Nothing in the message but what it asks: 'cần những giấy tờ gì ạ', 'được bao nhiêu tiền vậy'."""
    words = search_key(text or "").split()
    return bool(words) and all(word in _NO_TOPIC_WORDS for word in words)


# Around a place's name: "ở", "tại", "tỉnh", "thành phố", "còn … thì sao", and the big cities' short forms.
_PLACE_WORDS = frozenset(
    search_key("ở tại tỉnh thành phố tp còn thế vậy bên dân hn hcm tphcm sg sài gòn thủ đô").split()
)


def names_only_a_place(text: str, place: str) -> bool:
    """Nothing in the message but a place and what it asks: "ở Hà Nội thì được bao nhiêu", "còn Đà Nẵng thì
    sao" (`place`: the place's name as the message's facts read it)."""
    named = search_key(place).split()
    words = [w for w in search_key(text).split() if w not in _PLACE_WORDS and w not in named]
    return all(word in _NO_TOPIC_WORDS for word in words)


# Around the days of a follow-up ("nghỉ 20 ngày thì sao", "được 2 tuần"): the days' own words and being off
# work, none of which names a support (folded).
_DAYS_WORDS = frozenset(search_key("ngày tuần tháng nghỉ được mất hết rồi nữa tổng cộng khoảng gần hơn").split())


def names_only_days(text: str, days: int | None) -> bool:
    """A number of days (`days`, as the message's facts read it) and what it asks, nothing else: "nghỉ 20 ngày
    thì được bao nhiêu", "20 ngày thì sao"."""
    if days is None:
        return False
    words = [w for w in search_key(text).split() if not w.isdigit()]
    return all(word in _NO_TOPIC_WORDS or word in _DAYS_WORDS for word in words)


def remember(turn: Turn, policy_id: str, province: int | None = None) -> None:
    """`province`: the one the question named (a free worker's support is the province's), kept with it."""
    turn.data[TOPIC] = policy_id
    if province is not None:
        turn.data[PROVINCE] = province


def province(turn: Turn) -> int | None:
    """The province named with the last policy answer ("tôi bán vé số ở Đồng Nai", then "được bao nhiêu")."""
    code = turn.data.get(PROVINCE)
    return code if isinstance(code, int) else None


def current(turn: Turn) -> str | None:
    """The policy of the last policy answer or page; else that of the application being filled in."""
    topic = turn.data.get(TOPIC)
    if isinstance(topic, str):
        return topic
    paused = turn.paused  # a question typed in a form: the form waits, paused, while it is answered
    form = paused["data"].get("kind") if paused is not None else None
    kind = KINDS.get(form) if isinstance(form, str) else None
    return str(kind) if kind is not None else None
