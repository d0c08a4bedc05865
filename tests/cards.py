"""Generated CCCD QR codes for tests and the decode benchmark: the card's text, drawn with segno, then
made harder to read the way phone photos are (small, rotated, blurred, dim, noisy, JPEG)."""

from __future__ import annotations

import io
import random

import segno
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter

# A man born 05/07/1985 whose birth was registered in Hà Nội (001), living in Lạng Sơn.
CARD_FIELDS = [
    "001085012345",
    "123456789",
    "NGUYỄN VĂN AN",
    "05071985",
    "Nam",
    "Thôn Đồng Tâm, Xã Nhật Tiến, Huyện Hữu Lũng, Lạng Sơn",
    "10052021",
]
CARD_TEXT = "|".join(CARD_FIELDS)
CARD_TEXT_6 = "|".join(CARD_FIELDS[:1] + CARD_FIELDS[2:])  # a card without the old-number field


def card_text(**changes: str) -> str:
    names = ("id", "old", "name", "born", "sex", "address", "issued")
    values = dict(zip(names, CARD_FIELDS, strict=True))
    values.update(changes)
    return "|".join(values[n] for n in names)


def qr_image(text: str = CARD_TEXT, scale: int = 6, border: int = 4) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=border)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def on_card(code: Image.Image, size: tuple[int, int] = (900, 600)) -> Image.Image:
    """The code on a card-coloured background with some printed lines, as in a photo of the card."""
    card = Image.new("L", size, 225)
    draw = ImageDraw.Draw(card)
    for y in range(60, size[1] - 40, 48):
        draw.rectangle((40, y, size[0] // 2, y + 14), fill=90)
    card.paste(code, (size[0] - code.width - 40, (size[1] - code.height) // 2))
    return card


def degrade(
    image: Image.Image,
    *,
    rotate: float = 0,
    blur: float = 0,
    contrast: float = 1.0,
    noise: float = 0,
    scale: float = 1.0,
    jpeg: int | None = None,
    seed: int = 0,
) -> Image.Image:
    """`image` rotated (degrees), blurred (Gaussian radius), with its contrast reduced (1 = as is),
    grain added (standard deviation in grey levels), scaled, and through JPEG at quality `jpeg`."""
    out = image.convert("L")
    if scale != 1.0:
        out = out.resize(
            (max(1, round(out.width * scale)), max(1, round(out.height * scale))), Image.Resampling.BILINEAR
        )
    if rotate:
        out = out.rotate(rotate, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=200)
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if contrast != 1.0:
        out = ImageEnhance.Contrast(out).enhance(contrast)
    if noise:
        random.seed(seed)
        grain = Image.effect_noise(out.size, noise)  # Gaussian, centred on grey level 128
        out = ImageChops.add(out, grain, scale=1.0, offset=-128)
    if jpeg is not None:
        buffer = io.BytesIO()
        out.save(buffer, format="JPEG", quality=jpeg)
        buffer.seek(0)
        out = Image.open(buffer).convert("L")
    return out


def encoded(image: Image.Image, kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB" if kind == "JPEG" else "L").save(buffer, format=kind)
    return buffer.getvalue()


def card_photo(text: str = CARD_TEXT) -> bytes:
    """A readable photo of a card (JPEG, slightly rotated and soft)."""
    return encoded(degrade(on_card(qr_image(text, scale=5)), rotate=4, blur=0.6), "JPEG")


def photo_without_code() -> bytes:
    """A photo with printed lines and no code."""
    image = Image.new("L", (800, 500), 210)
    draw = ImageDraw.Draw(image)
    for y in range(40, 460, 36):
        draw.rectangle((30, y, 700, y + 12), fill=70)
    return encoded(degrade(image, blur=1.0, noise=20), "JPEG")
