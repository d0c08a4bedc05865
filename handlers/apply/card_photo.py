"""Reading the QR code in a photo (of a citizen ID card): zxing-cpp on an image loaded with Pillow.

A phone photo is large, may be rotated, blurred, dim, grainy or taken from far away: the image is
reduced to grey, shrunk when huge, and read as it is; when nothing is found, again after a few cheap
corrections (see `_attempts`). The work is CPU-bound and runs in a
worker thread (asyncio.to_thread), outside any database transaction: the engine calls `read_qr`
after fetching the file (handlers.turn.NeedsFile).
"""

from __future__ import annotations

import asyncio
import io
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow and zxing-cpp are imported where a photo is read, not by every command's start
    from PIL import Image

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's largest photo is far smaller; a bigger file is not read
MAX_PIXELS = 40_000_000  # refuse decompression bombs (a tiny file that unpacks to gigabytes)
WORK_SIDE = 2000  # longer sides are reduced to this before reading: faster, and as readable
SMALL_SIDE = 600  # a shorter side is enlarged when nothing is found


def _codes(image: Image.Image) -> str | None:
    import zxingcpp

    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    for barcode in found:
        raw = barcode.bytes
        try:
            return raw.decode("utf-8")  # the card's text is UTF-8; zxing's guess of the charset may differ
        except UnicodeDecodeError:
            return barcode.text
    return None


def decode(data: bytes) -> str | None:
    """The text of the first QR code in the image `data`, or None (no code, or not an image)."""
    # Here, not at the top: ~20 ms of CPU that only a photo needs (bot.app.settle_heap loads them for a server).
    from PIL import Image, ImageOps, UnidentifiedImageError

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
    for attempt in _attempts(image):
        text = _codes(attempt())
        if text is not None:
            return text
    return None


def _attempts(image: Image.Image) -> list[Callable[[], Image.Image]]:
    """The image as it is, then made easier to read, cheapest first (bench/qr_decode.py measures them):
    contrast stretched (a dim photo), grain smoothed (a noisy one), enlarged when small (a code far
    from the camera), then a median filter (JPEG blocks and speckle)."""
    from PIL import Image, ImageFilter, ImageOps

    attempts: list[Callable[[], Image.Image]] = [
        lambda: image,
        lambda: ImageOps.autocontrast(image, cutoff=2),
        lambda: image.filter(ImageFilter.GaussianBlur(1)),
    ]
    if min(image.size) < SMALL_SIDE:
        scale = SMALL_SIDE * 2 / min(image.size)
        size = (round(image.width * scale), round(image.height * scale))
        attempts.append(lambda: image.resize(size, Image.Resampling.LANCZOS))
        attempts.append(lambda: image.filter(ImageFilter.GaussianBlur(1)).resize(size, Image.Resampling.LANCZOS))
    attempts.append(lambda: image.filter(ImageFilter.MedianFilter(3)))
    return attempts


async def read_qr(data: bytes) -> str | None:
    """`decode` in a worker thread, so the event loop goes on serving other chats meanwhile."""
    return await asyncio.to_thread(decode, data)
