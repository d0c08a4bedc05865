"""Messages that are not questions about a topic: an application code, a bare greeting or thanks."""

from __future__ import annotations

import re
import unicodedata

from handlers import app_code, validators
from handlers.turn import Turn
from messages.normalize import fold, nfc, search_key

# An application code: handlers.app_code's alphabet (no I, L, O), an optional kind prefix, 4 + 4.
_C = "[2-9A-HJKMNP-Za-hjkmnp-z]"
_CODE = re.compile(
    rf"(?<![0-9A-Za-zĐđ])(?:(HK|TD|LD|LĐ|hk|td|ld|lđ)[\s\-.]?)?({_C}{{3,5}})[\s\-.]?({_C}{{3,5}})(?![0-9A-Za-z])"
)
# Before a mistyped code's groups may be 3 or 5 long: a prefix, or the word "mã" just before.
_CODE_WORD = re.compile(r"\bm[aã](\s+h[oồ]\s+s[oơ])?[\s:.,-]{0,6}$", re.I)


_GREETING = re.compile(
    r"^(hi|hello|helo|hey|alo+|xin chao|chao|kinh chao|chao buoi (sang|trua|chieu|toi))"
    r"( (ban|em|anh|chi|ad|admin|bot|shop|page|tong dai|ho tro|hotro|moi nguoi|ca nha|a|nhe|nha|oi|quy|co quan"
    r"|vi|cac|can bo|xa))*$"
)
_THANKS = re.compile(r"^(ok |vang |da |dạ )?(cam on|cám ơn|thank|thanks|thank you|tks|thks|ty)\b.{0,25}$")
# "bạn là ai", "bot tên gì", "bạn là người hay máy", "có phải người thật không" (search_key).
_WHO_ARE_YOU = re.compile(
    r"^(?:cho (?:toi|em|minh) hoi )?(?:(?:ban|bot|em|ad|admin|hotro|day|ben nay|o day|shop|page)\s+)?"
    r"(?:la ai|ten (?:la )?gi|(?:la|co phai(?: la)?) (?:nguoi|may|robot|bot|tu dong)(?: that)?"
    r"(?: (?:hay|hoac) (?:la )?(?:nguoi|may|robot|bot)(?: that)?)?)"
    r"(?: (?:a|vay|the|ha|nhi|khong|ko|nhe|nha))*$"
)
# "ok", "dạ vâng", "hiểu rồi", "thôi không cần nữa", "bye": taken note of, or done for now (search_key).
_ACKNOWLEDGEMENT = re.compile(
    r"^(?:ok|oke|okie|oki|okay|okela|uh|uhm|um|u|uk|ukm|vang|da|da vang|roi|duoc|duoc roi|hieu roi|biet roi"
    r"|ro roi|on roi|tot|tot qua|hay qua|the a|vay a|a vay a|a the a|a|o|oh|ah|thoi|thoi khong can|khong can nua"
    r"|thoi khong can nua|vay thoi|bye|bai|tam biet|hen gap lai)"
    r"(?: (?:a|nhe|nha|ban|ad|admin|shop|bot|oi|nhieu|luon|roi|vay|the|thoi))*$"
)


# "hả", "sao", "gì vậy", "không hiểu", "không biết": at a loss, with nothing yet of what about (search_key).
_CONFUSED = re.compile(
    r"^(?:ua|ua la sao|ho|hu|ha|sao|gi|cai gi|la sao|la gi|y la sao|nghia la sao|the la sao|sao vay|sao the|gi the"
    r"|khong hieu"
    r"|chua hieu|khong hieu gi|khong biet|khong biet gi|khong biet nua|khong ro|chang hieu|chang hieu gi)"
    r"(?: (?:a|ban|ad|admin|bot|oi|nhe|nha|ha|the|het|ca|luon|nua|ta|troi))*$"
)


# "cho tôi hỏi", "em muốn hỏi chút ạ": the question is still to come; the words name no topic.
_ASK_PREAMBLE = re.compile(
    r"^(xin |cho |da |alo |ad oi |ban oi )*(toi |em |minh |chau |con |anh |chi )?(muon |can |xin |dinh )?"
    r"(hoi|hoi chut|hoi xiu|hoi ti|hoi cai|hoi thu|hoi viec|hoi them|co viec can hoi|co cau hoi)"
    r"( (a|chut|xiu|ti|voi|nhe|nha|ad|admin|ban|bot|duoc khong|dc khong|dc k|duoc k|voi a|ti a|chut a|cai nay|viec nay"
    r"|da|truoc|truoc da))*$"
)


def is_ask_preamble(text: str) -> bool:
    """'tôi muốn hỏi', 'cho em hỏi chút ạ': an announcement that a question follows, not a question."""
    return bool(_ASK_PREAMBLE.match(search_key(text)))


# What makes a message a question whatever its topic: asking words, or a question mark after a few words.
_QUESTION_WORDS = re.compile(
    r"\b(khi nao|bao nhieu|bao gio|bao lau|o dau|cho nao|the nao|nhu the nao|nhu nao|ra sao|lam sao|tai sao|vi sao"
    r"|la gi|cai gi|gi the|duoc khong|co duoc khong|dc khong|duoc ko|dc ko|co phai|cho hoi|xin hoi|hoi chut"
    r"|may ngay|may tien|la sao|sao phai|de lam gi|hay khong|hay chua|chua a"
    r"|cho (?:toi|minh|em|tui|chau|con|anh|chi) hoi)\b"
)
# "… gì vậy", "sao z": search_key drops the particle "vậy", so it is looked for in the plain folded text.
_WHAT_SO = re.compile(r"\b(?:gi|sao) (?:vay|z|v)\b")


def looks_like_question(text: str) -> bool:
    """'hạn nộp là khi nào', 'được bao nhiêu tiền?': typed where a form asks for a name, a date, a number."""
    if _QUESTION_WORDS.search(search_key(text)) or _WHAT_SO.search(fold(nfc(text))):
        return True
    return text.rstrip().endswith("?") and len(text.split()) >= 3


def typed_question(turn: Turn) -> bool:
    """A question typed at a step of a form ('hạn nộp là khi nào'): a form's state declares it (Router.state's
    `questions`) to have it answered, instead of taken as a name or refused as a date."""
    typed = bool(turn.text) and not turn.action and turn.incoming.attachment is None
    # "không bấm được nút" at the name step is no name either: answered the same way, then the step again.
    return typed and (looks_like_question(turn.text) or reports_a_fault(turn.text))


_HELP = re.compile(
    r"^(help|tro giup|giup do|huong dan|huong dan su dung|cach dung|cach su dung|su dung the nao|dung the nao"
    r"|lam sao de dung|dung sao)( (bot|hotro|ung dung|chatbot|phan mem))?( nay)?( (the nao|nhu the nao|sao|a))?$"
    # "giúp tôi với", "cứu em với ạ": a plea, with nothing yet of what it is about
    r"|^(?:giup|cuu|ho tro)(?: (?:toi|em|minh|chau|con))? voi(?: (?:a|nhe|nha|ad|ban))?$"
)


# "để sau", "lát nữa", "mai làm tiếp": the citizen leaves what they are doing for later.
_LATER = re.compile(
    r"^(?:thoi |vay )?(?:(?:de|lam|dien|gui|nop|tra loi) (?:sau|lat nua|bua khac|hom khac|khi khac)|(?:de )?lat nua"
    r"|(?:de )?mai (?:lam|dien|nop|gui))(?: tiep)?(?: (?:nhe|nha|a|ha|di))?$"
)


def wants_later(text: str) -> bool:
    return bool(_LATER.match(search_key(text)))


# "app bị lỗi", "không bấm được nút", "bot không trả lời": a fault with the chat itself, not a question.
_FAULT = re.compile(
    r"\b(?:app|ung dung|bot|chatbot|he thong|trang|nut|web)\b.{0,20}"
    r"\b(?:bi loi|loi roi|khong (?:chay|hoat dong|bam duoc|hien|tra loi|gui duoc))\b"
    r"|\bkhong bam (?:duoc|dc)\b|\bbam (?:nut )?khong (?:duoc|an|chay)\b|^(?:bi )?loi(?: roi| qua)?$"
)


def reports_a_fault(text: str) -> bool:
    """'app bị lỗi rồi', 'không bấm được nút': the chat is not working for them."""
    return bool(_FAULT.search(search_key(text)))


def is_help_request(text: str) -> bool:
    """'help', 'hướng dẫn sử dụng', 'cách dùng bot này': how to use HoTro (not the tour guides' policy)."""
    return bool(_HELP.match(search_key(text)))


def bare_number(text: str) -> str | None:
    """'id' or 'phone' when the whole message is an ID card or a mobile number, else None."""
    if isinstance(validators.id_number(text), validators.Valid):
        return "id"
    if isinstance(validators.phone(text), validators.Valid):
        return "phone"
    return None


def bare_yes_no(text: str) -> bool:
    """'có', 'ko', 'ừ' on their own: a reply to something, not a question."""
    return len(text.split()) <= 2 and isinstance(validators.yes_no(text), validators.Valid)


_REGISTER = re.compile(
    r"^(?:(?:toi|em|minh|con|chau|cho (?:toi|em|minh))\s+)?(?:muon\s+|can\s+|xin\s+|dinh\s+)?"
    r"(?:dang ky|dang ki|dky|dki|lam ho so|lam don|khai ho so)(?:\s+(?:xin\s+)?(?:nhan\s+)?ho tro)?"
    r"(?:\s+(?:cho|danh cho|ve))?(?:\s+(?P<kind>ho kinh doanh|hkd|lao dong tu do|ldtd))?"
    r"(?:\s+(?:a|nhe|voi|o day|tren nay|tren bot|online|truc tuyen|duoc khong|dc khong|the nao|nhu the nao))*$"
)
_FORM_OF = {"ho kinh doanh": "hkd", "hkd": "hkd", "lao dong tu do": "ldtd", "ldtd": "ldtd"}


# "em chạy xe ôm, muốn đăng ký nhận hỗ trợ": a situation, then the request that ends the message.
_REGISTER_AFTER = re.compile(
    r"\b(?:muon|can|xin|dinh)\s+(?:dang ky|dang ki|dky|lam ho so|lam don)(?:\s+(?:xin\s+)?(?:nhan\s+)?ho tro)?"
    r"(?:\s+(?:a|nhe|voi|o day|duoc khong|dc khong))*$"
)


def registration_request(text: str) -> str | None:
    """'đăng ký hỗ trợ lao động tự do' -> 'ldtd', 'tôi muốn đăng ký' or a situation and 'muốn đăng ký nhận hỗ
    trợ' -> '' (the caller reads the situation, or asks which one), else None."""
    key = search_key(text)
    m = _REGISTER.match(key)
    if m is None:
        return "" if _REGISTER_AFTER.search(key) else None
    return _FORM_OF[m["kind"]] if m["kind"] else ""


# Questions about one's own application that the knowledge answers outright (folded, search_key).
_LOST_CODE = re.compile(
    r"\b(?:quen|mat|lam mat|khong nho|khong con giu|khong biet)\b(?:\s+\w+){0,3}\s+ma (?:ho so|hs)\b"
    r"|\b(?:quen|mat|khong nho) ma(?: roi| a)?$"
    r"|\bma (?:ho so|hs)(?: cua (?:toi|em|minh))? la gi\b"
    r"|\bma (?:ho so|hs)\b(?:\s+\w+){0,3}\s+(?:bi mat|mat roi|mat mat|quen mat|quen roi|khong nho)\b"
)
_CORRECTION = re.compile(
    r"\b(?:khai|nhap|ghi|dien|go|nop|dang ky|chon)\s+(?:sai|nham|lon)\b"
    r"|\b(?:doi|chuyen)\s+(?:ho so\s+)?sang\s+(?:ho tro\s+)?(?:ho kinh doanh|lao dong tu do|loai)\b"
    r"|\b(?:sua|chinh sua|doi|thay doi|cap nhat)\s+(?:lai\s+)?(?:thong tin|so|ten|ngay sinh|dia chi|ho so)\b"
)

# "có mất phí không", "lệ phí bao nhiêu", "tiền hỗ trợ có bị trừ thuế không"; not "nộp tiền ăn", "mất tiền hỗ trợ"
# nor a household business's "nộp thuế khoán" (a condition of its support).
_FEES = re.compile(
    r"\ble phi\b|\b(?:mat|ton|thu)\s+(?:phi|tien)\b(?!\s+(?:ho tro|an|bao hiem))|\bnop\s+phi\b"
    r"|\btien ho tro\b.*\b(?:tru|dong|chiu|tinh)\s+thue\b"
)


# "tôi muốn rút hồ sơ", "cho em xin rút hồ sơ", "hủy hồ sơ giúp tôi" (folded, search_key).
_WITHDRAW = re.compile(r"\b(?:rut|huy|xoa)\s+(?:bo\s+|lai\s+)?(?:ho so|hs|don)\b")


# Words of English that no folded Vietnamese word spells ("a", "do", "me", "an", "to", "in" do: ạ, đó, mẹ, ăn, tô).
# fmt: off
_ENGLISH = frozenset({
    "the", "is", "are", "am", "i", "you", "your", "can", "could", "how", "what", "when", "where", "does", "my",
    "please", "speak", "english", "apply", "support", "help", "for", "with", "get", "money", "worker", "foreign",
    "have", "was", "will", "would", "should", "who", "which", "this", "that", "it", "we", "they", "there", "about",
    "from", "not", "yes", "hello", "hey", "want", "need", "job", "lost", "work",
})
# fmt: on


def in_english(text: str) -> bool:
    """A message written in English: no Vietnamese letter, and at least half its words (three or more) English."""
    if not text.isascii():
        return False
    words = re.findall(r"[a-z]+", text.lower())
    english = sum(word in _ENGLISH for word in words)
    return english >= 3 and 2 * english >= len(words)


# "nhờ con đăng ký giùm", "đăng ký thay cho ông ngoại", "cho con gái tôi đăng ký dùm tôi": someone else
# registering for the citizen, or the citizen for someone else (folded, search_key).
_PERSON = r"(?:nguoi (?:khac|than|nha|gia)|me|bo|ba|ong|chong|vo|con|anh|chi|em (?:trai|gai)|co|chu|di|cau|bac)"
_FOR_SOMEONE = re.compile(
    r"\bdang ky\s+thay\b"
    rf"|\bdang ky\s+(?:ho so\s+)?(?:giup|gium|dum|ho)\s+(?:cho\s+)?{_PERSON}\b"
    rf"|\bdang ky\s+(?:ho tro\s+|ho so\s+)?cho\s+{_PERSON}\b"
    r"|\bnho\s+(?:\w+\s+){0,3}dang ky\b"
    r"|\b(?:cho|de)\s+(?:\w+\s+){1,3}dang ky\s+(?:giup|gium|dum)\b"
    # "không có smartphone thì đăng ký kiểu gì": the same answer, someone registers for them or they go in person
    r"|\bkhong (?:co|biet (?:dung|xai|su dung))\s+(?:smartphone|dien thoai|dt|zalo|mang|internet)\b.{0,40}\bdang ky\b"
    # "tôi không biết chữ thì đăng ký sao", "mắt kém không đọc được chữ": someone reads and types for them
    r"|\b(?:khong biet|khong doc duoc|khong nhin ro|mu) chu\b.{0,40}\bdang ky\b"
)


def registers_for_someone(text: str) -> bool:
    return bool(_FOR_SOMEONE.search(search_key(text)))


# "hồ sơ của tôi sao rồi", "hs của mình tới đâu rồi": where one's own application stands, not a support's papers.
_OWN_APPLICATION = re.compile(
    r"\b(?:ho so|hs|don)(?: cua)? (?:toi|minh|em|tui|chau|con)\b(?:\s+\w+){0,2}?\s+"
    r"(?:sao roi|the nao|ra sao|den dau|toi dau|(?:da )?(?:duoc )?duyet chua|co ket qua chua|dang o dau|o buoc nao"
    r"|xong chua|duoc chua|sao)\b"
)


def asks_own_application(text: str) -> bool:
    return bool(_OWN_APPLICATION.search(search_key(text)))


def wants_withdrawal(text: str) -> bool:
    return bool(_WITHDRAW.search(search_key(text)))


def application_help(text: str) -> str | None:
    """The knowledge entry for "tôi quên mã hồ sơ" ('lost_code'), "khai sai số tài khoản, sửa thế nào"
    ('correct_application'), "đăng ký có mất phí không" ('fees'), "xã bảo tôi không thuộc diện" ('refusal')…,
    else None."""
    key = search_key(text)
    if _LOST_CODE.search(key):
        return "lost_code"
    if _CORRECTION.search(key):
        return "correct_application"
    if _FEES.search(key) and not _COMPLAINT.search(key):
        return "fees"
    if _NAME_ON_THE_LIST.search(key):
        return "public_list"
    if _TOLD_NO.search(key) and not _UNEMPLOYMENT_BENEFIT.search(key):
        return "refusal"  # not "… bảo không đủ điều kiện hưởng thất nghiệp": the termination support's condition
    if _WAY_OF_PAYMENT.search(key):
        return "payment_method"
    return None


# "cán bộ xã bảo tôi không thuộc diện được hỗ trợ", "xã nói tôi không đủ điều kiện": a refusal told, which is
# answered in writing with its reasons and may be objected to.
_TOLD_NO = re.compile(
    r"\b(?:bao|noi|tra loi|ket luan|xac dinh)\b(?:\s+\w+){0,3}\s+"
    r"(?:khong thuoc (?:dien|doi tuong)|khong du (?:dieu kien|tieu chuan)|khong duoc (?:ho tro|nhan|duyet|huong))\b"
)
_UNEMPLOYMENT_BENEFIT = re.compile(r"\bthat nghiep\b|\bbhtn\b|\btctn\b")
# "tên tôi có trong danh sách chưa", "xã đã đưa tên tôi vào danh sách chưa" (not the list of the policies).
_NAME_ON_THE_LIST = re.compile(
    r"\bten (?:toi|minh|em|cua (?:toi|minh|em))\b.{0,30}\bdanh sach\b|\bdanh sach\b.{0,40}\bten (?:toi|minh|em)\b"
)
# "nhận bằng tiền mặt được không", "lãnh tiền qua chuyển khoản": how the money is paid.
_WAY_OF_PAYMENT = re.compile(
    r"\b(?:nhan|lanh|linh|tra|chi)\b.{0,25}\b(?:tien mat|chuyen khoan)\b"
    r"|\b(?:tien mat|chuyen khoan)\b.{0,15}\b(?:duoc khong|nhan|lanh|thi sao)\b"
)
# "xem danh sách chính sách", "có những chính sách nào": the policies, not a list of people.
_POLICY_LIST = re.compile(
    r"\b(?:danh sach|liet ke|cac|nhung|tat ca)\s+(?:cac\s+)?chinh sach\b|^(?:xem )?(?:danh sach|ds)$"
)


def asks_policy_list(text: str) -> bool:
    return bool(_POLICY_LIST.search(search_key(text)))


# A complaint: someone asked for money or took part of it ("cán bộ đòi 200 nghìn", "bị ăn chặn tiền hỗ trợ"),
# the money was paid short, an official behaved badly, or a complaint is announced ("tôi muốn phản ánh …").
_COMPLAINT = re.compile(
    r"\b(?:doi|voi|an chan|an bot|cat xen|bat (?:nop|dong|dua))\b"
    r"(?:\s+\w+){0,2}\s+(?:tien|\d+\s*(?:nghin|ngan|k|trieu))\b"
    r"|\b(?:to cao|khieu nai)\b|^(?:(?:toi|em|minh|chau) )?(?:muon |can |xin )?phan anh\b"
    # paid short ("chi trả thiếu 500 nghìn", "bị trả thiếu"), and an official's conduct
    r"|\b(?:chi|tra|phat|nhan|duoc|lanh|linh)(?: tien)? thieu\b"
    r"|\bky nhan\b.{0,40}\b(?:ma|nhung)\b.{0,30}\b(?:dua|phat|tra|nhan|chi|cho|duoc)\b"  # signed for more
    r"|\bcat bot\b|\bbot xen\b|\b(?:nhan|phat|dua|tra|chi)(?: tien)? (?:khong|chua) du\b(?! dieu kien)"
    r"|\bthai do\b.{0,20}\b(?:khong tot|te|kem|hach dich|coc can|kho chiu)\b"
    r"|\b(?:hach dich|nhung nhieu|gay kho de|lam kho|gay phien ha|vo trach nhiem)\b"
)


def complaint_cue(text: str) -> bool:
    """A message that is plainly a complaint, whatever the rest of it is about."""
    return bool(_COMPLAINT.search(search_key(text)))


def chat_intent(text: str) -> str | None:
    """A bare greeting, thanks or acknowledgement ("hi", "cảm ơn nhiều", "ok", "👍"), or who the bot is ("bạn là
    người hay máy"): too short for the classifier, which guessed a policy."""
    key = search_key(text)
    if _GREETING.match(key):
        return "greeting"
    if _THANKS.match(key):
        return "thanks"
    if _ACKNOWLEDGEMENT.match(key) or (not key and _only_symbols(text)):
        return "acknowledgement"
    if _WHO_ARE_YOU.match(key):
        return "about"
    if _CONFUSED.match(key) or (not key and set(text.strip()) <= set("?!. ") and "?" in text):
        return "confused"
    return None


def is_acknowledgement(text: str) -> bool:
    return chat_intent(text) == "acknowledgement"


def _only_symbols(text: str) -> bool:
    """Emoji and symbols only ("👍", "🙏🙏"): a reaction typed as a message."""
    stripped = text.strip()
    return bool(stripped) and all(unicodedata.category(c)[0] in "SZC" or c in "\u200d\ufe0f" for c in stripped)


def code_in(text: str) -> str | None:
    """An application code typed or pasted in the message ("mã HK-7QX4-M9P7"), valid or mistyped.

    It needs a kind prefix, or a group mixing letters and digits typed in capitals or with a
    valid check character ("QĐ 3642" typed as "dinh 3642" is not one).
    """
    for m in _CODE.finditer(text):
        candidate = m.group(0)
        body = m.group(2) + m.group(3)
        exact = len(m.group(2)) == len(m.group(3)) == 4
        if not exact and not (m.group(1) or _CODE_WORD.search(text[: m.start()])):
            continue
        # Words and numbers ("thue tham", "NGAY 2021") are not codes, even when the check character
        # happens to fit (1 in 31): one group at least mixes letters and digits.
        mixed = any(any(c.isdigit() for c in g) and any(c.isalpha() for c in g) for g in (m.group(2), m.group(3)))
        if m.group(1) or (mixed and (body.upper() == body or app_code.is_valid(candidate))):
            return candidate
    return None
