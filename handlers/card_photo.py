"""Reading the QR code in a photo (of a citizen ID card): zxing-cpp on an image loaded with Pillow.

A phone photo is large, may be rotated, blurred, dim or taken from far away: the image is reduced
to grey, shrunk when huge, and read as it is; when nothing is found, once more with its contrast
stretched and once enlarged (a small code far from the camera). The work is CPU-bound and runs in a
worker thread (asyncio.to_thread), outside any database transaction: the engine calls `read_qr`
after fetching the file (handlers.turn.NeedsFile).
"""

from __future__ import annotations

import asyncio
import io
import warnings

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's largest photo is far smaller; a bigger file is not read
MAX_PIXELS = 40_000_000  # refuse decompression bombs (a tiny file that unpacks to gigabytes)
WORK_SIDE = 2000  # longer sides are reduced to this before reading: faster, and as readable
SMALL_SIDE = 600  # shorter sides are enlarged once when nothing is found
QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def _codes(image: Image.Image) -> str | None:
    found = zxingcpp.read_barcodes(image, formats=QR_ONLY)
    for barcode in found:
        raw = barcode.bytes
        try:
            return raw.decode("utf-8")  # the card's text is UTF-8; zxing's guess of the charset may differ
        except UnicodeDecodeError:
            return barcode.text
    return None


def decode(data: bytes) -> str | None:
    """The text of the first QR code in the image `data`, or None (no code, or not an image)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            if opened.width * opened.height > MAX_PIXELS:
                return None
            image = ImageOps.exif_transpose(opened).convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    if max(image.size) > WORK_SIDE:
        image.thumbnail((WORK_SIDE, WORK_SIDE))
    text = _codes(image)
    if text is None:
        text = _codes(ImageOps.autocontrast(image, cutoff=2))
    if text is None and min(image.size) < SMALL_SIDE:
        scale = SMALL_SIDE * 2 / min(image.size)
        bigger = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
        text = _codes(bigger)
    return text


async def read_qr(data: bytes) -> str | None:
    """`decode` in a worker thread, so the event loop goes on serving other chats meanwhile."""
    return await asyncio.to_thread(decode, data)
