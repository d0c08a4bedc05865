"""The CCCD QR code: its text parsed and checked (handlers.apply.cccd_qr), its address matched to the units
(handlers.apply.card_prefill.locate), and generated photos of it read by zxing-cpp (handlers.apply.card_photo)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from handlers.apply import card_photo, cccd_qr
from handlers.apply.card_prefill import locate
from handlers.validators import Invalid, Valid
from tests.cards import (
    CARD_FIELDS,
    CARD_TEXT,
    CARD_TEXT_6,
    card_text,
    degrade,
    encoded,
    on_card,
    photo_without_code,
    qr_image,
)
from tests.cards import (
    card_photo as photo_of_card,
)

TODAY = date(2021, 9, 1)


def parsed(text: str) -> cccd_qr.CardData:
    result = cccd_qr.parse(text, TODAY)
    assert isinstance(result, Valid), result
    return result.value


def refused(text: str) -> Invalid:
    result = cccd_qr.parse(text, TODAY)
    assert isinstance(result, Invalid), result
    return result


# ---- parsing ------------------------------------------------------------------------------
def test_seven_fields() -> None:
    card = parsed(CARD_TEXT)
    assert card == cccd_qr.CardData(
        id_number="001085012345",
        full_name="Nguyễn Văn An",
        birth_date=date(1985, 7, 5),
        sex="male",
        old_id="123456789",
        address="Thôn Đồng Tâm, Xã Nhật Tiến, Huyện Hữu Lũng, Lạng Sơn",
        issue_date=date(2021, 5, 10),
    )
    assert card.masked_id == "********2345"


def test_six_fields_without_the_old_number_and_with_it_empty() -> None:
    six = parsed(CARD_TEXT_6)
    assert six.old_id is None and six.full_name == "Nguyễn Văn An" and six.issue_date == date(2021, 5, 10)
    assert parsed(card_text(old="")).old_id is None


def test_six_fields_without_the_issue_date() -> None:
    card = parsed("|".join(CARD_FIELDS[:6]))
    assert card.issue_date is None and card.address is not None and card.address.startswith("Thôn Đồng Tâm")


def test_five_fields_without_an_address() -> None:
    card = parsed("|".join(CARD_FIELDS[:5]))
    assert card.address is None and card.sex == "male"


def test_decomposed_text_spaces_and_a_woman_born_in_the_2000s() -> None:
    import unicodedata

    text = card_text(id="079302001234", name="  trần   thị  bích ", born="01022002", sex="Nữ", issued="03042021")
    card = parsed(unicodedata.normalize("NFD", text))
    assert (card.full_name, card.sex, card.birth_date) == ("Trần Thị Bích", "female", date(2002, 2, 1))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "qr_not_cccd"),
        ("https://example.org/a|b", "qr_not_cccd"),
        ("WIFI:S:home;T:WPA;P:secret;;", "qr_not_cccd"),
        (card_text(id="12345"), "qr_not_cccd"),  # no 12-digit number at all
        (card_text(sex="X"), "qr_not_cccd"),  # no sex field
        (card_text(born="31021985"), "qr_bad_field"),  # no such day: not taken for the issue date
        ("|".join(CARD_FIELDS[:3] + CARD_FIELDS[4:]), "qr_not_cccd"),  # no date of birth at all
        ("|".join(["001085012345", "x" * 2000]), "qr_not_cccd"),  # far too long for a card
        (card_text(id="099085012345"), "qr_id_province"),  # 099 is no province code
        (card_text(id="001485012345"), "qr_id_century"),  # digit 4 above 3
        (card_text(id="001090012345"), "qr_id_birth_year_mismatch"),  # digits 5-6 say 1990
        (card_text(id="001285012345"), "qr_id_century_mismatch"),  # digit 4 = 2: born in the 2000s
        (card_text(sex="Nữ"), "qr_id_sex_mismatch"),  # digit 4 = 0: a man
        (card_text(id="001085000000"), "qr_id_impossible"),  # a serial of zeros
        (card_text(name="NGUYỄN VĂN 4N"), "qr_bad_field"),
        (card_text(born="05072030"), "qr_bad_field"),  # born in the future
        (card_text(issued="10051980"), "qr_bad_field"),  # issued before birth
        (card_text(issued="10052030"), "qr_bad_field"),  # issued in the future
    ],
)
def test_bad_values_are_refused_with_a_reason(text: str, code: str) -> None:
    result = refused(text)
    assert result.code == code
    assert result.message  # a Vietnamese explanation for the citizen


def test_the_reason_is_vietnamese() -> None:
    assert "không phải mã tỉnh" in refused(card_text(id="099085012345")).message
    assert "không phải mã QR của thẻ căn cước" in refused("hello|world").message


# ---- the permanent address ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "picked", "street"),
    [
        (
            "Thôn Đồng Tâm, Xã Nhật Tiến, Huyện Hữu Lũng, Lạng Sơn",
            {"province": 20, "district": 186, "commune": 6418},
            "Thôn Đồng Tâm",
        ),
        ("Xóm 2, Nhật Tiến, Hữu Lũng, Tỉnh Lạng Sơn", {"province": 20, "district": 186, "commune": 6418}, "Xóm 2"),
        (
            "Số 12 Ngõ 5, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
            {"province": 79, "district": 760, "commune": 26740},
            "Số 12 Ngõ 5",
        ),
        ("Thôn A, Xã Không Có, Huyện Hữu Lũng, Lạng Sơn", {"province": 20, "district": 186}, "Thôn A, Xã Không Có"),
        ("Ấp 3, Xã Mới, Tỉnh Không Có", {}, "Ấp 3, Xã Mới, Tỉnh Không Có"),
    ],
)
def test_the_address_is_matched_as_far_as_it_goes(address: str, picked: dict[str, int], street: str) -> None:
    assert locate(address) == (picked, street)


# ---- reading photos -----------------------------------------------------------------------
def read(image: Image.Image, kind: str = "PNG") -> str | None:
    return card_photo.decode(encoded(image, kind))


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"scale": 0.4},  # small: about 2 pixels per module
        {"rotate": 17},
        {"rotate": 90},
        {"rotate": 180},
        {"blur": 1.5},
        {"contrast": 0.3},  # low contrast: grey on grey
        {"noise": 35},
        {"jpeg": 20},
        {"rotate": 8, "blur": 1.0, "contrast": 0.5, "noise": 15, "jpeg": 40},
    ],
)
def test_generated_card_photos_are_read(changes: dict[str, float]) -> None:
    image = degrade(on_card(qr_image(scale=5)), **changes)  # type: ignore[arg-type]
    assert read(image, "JPEG" if "jpeg" in changes else "PNG") == CARD_TEXT


def test_a_tiny_code_is_read_after_enlarging() -> None:
    tiny = qr_image(scale=1, border=2)  # one pixel per module
    assert min(tiny.size) < card_photo.SMALL_SIDE
    assert read(degrade(tiny, blur=0.4)) == CARD_TEXT


def test_photos_without_a_code_and_files_that_are_no_image() -> None:
    assert card_photo.decode(photo_without_code()) is None
    assert card_photo.decode(encoded(Image.new("L", (640, 480), 255))) is None
    assert card_photo.decode(b"%PDF-1.4 not an image") is None
    assert card_photo.decode(b"") is None


def png(image: Image.Image) -> bytes:
    """`image` as a PNG in its own mode: a 1-bit image of many megapixels takes a few kilobytes."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def test_a_photo_of_too_many_pixels_is_not_unpacked_even_with_a_readable_code() -> None:
    """48 megapixels: below Pillow's own bomb limit (about 89), above HoTro's MAX_PIXELS. The code on it would
    be read if the image were unpacked, so only the size check makes this None."""
    big = Image.new("1", (8_000, 6_000), 1)
    big.paste(qr_image(scale=60).convert("1"), (200, 200))
    assert big.width * big.height > card_photo.MAX_PIXELS
    assert card_photo.decode(png(big)) is None


def test_a_decompression_bomb_is_refused_without_an_error() -> None:
    huge = Image.new("1", (12_000, 12_000), 1)  # 144 megapixels: Pillow itself refuses to open it
    assert card_photo.decode(png(huge)) is None


def test_a_large_photo_is_reduced_before_reading() -> None:
    big = on_card(qr_image(scale=14), size=(4000, 3000))
    assert read(big, "JPEG") == CARD_TEXT


async def test_read_qr_runs_in_a_thread() -> None:
    assert await card_photo.read_qr(photo_of_card()) == CARD_TEXT
