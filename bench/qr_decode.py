"""How well and how fast photos of a CCCD QR code are read (handlers.apply.card_photo), on a generated noisy set.

Usage: .venv/bin/python bench/qr_decode.py [--count 300] [--seed 1]

Each image is the card's code (tests/cards.py, drawn with segno: 5 pixels per module) on a card-like
background, then degraded at random as a phone photo is: scaled, rotated (any angle), blurred
(Gaussian radius), dimmed (contrast factor), grained (noise sigma in grey levels) and saved as JPEG,
within the ranges of a preset (PRESETS: "typical" and "harsh"). A tenth of the images carry no code
at all, to count false reads.

Printed: the decode rate (the card's exact text read back, and parsed by handlers.apply.cccd_qr) and the
time per image (mean, p50, p95, max), for handlers.apply.card_photo.decode and, in the same run, for the
baseline of one plain zxing-cpp call on the loaded image; then the rate by degradation bucket.
"""

from __future__ import annotations

import argparse
import io
import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import zxingcpp  # noqa: E402
from PIL import Image  # noqa: E402

from handlers.apply import card_photo, cccd_qr  # noqa: E402
from handlers.validators import Valid  # noqa: E402
from tests.cards import CARD_TEXT, degrade, encoded, on_card, photo_without_code, qr_image  # noqa: E402


@dataclass
class Sample:
    data: bytes
    has_code: bool
    params: dict[str, float]


# Ranges of each degradation: "typical" for a phone photo of a card in a hand, "harsh" up to unreadable.
PRESETS: dict[str, dict[str, tuple[float, float]]] = {
    "typical": {
        "scale": (0.4, 1.0),
        "rotate": (0, 360),
        "blur": (0, 1.2),
        "contrast": (0.35, 1.0),
        "noise": (0, 25),
        "jpeg": (30, 90),
    },
    "harsh": {
        "scale": (0.2, 1.0),
        "rotate": (0, 360),
        "blur": (0, 2.5),
        "contrast": (0.2, 1.0),
        "noise": (0, 45),
        "jpeg": (10, 90),
    },
}


def make_set(count: int, seed: int, preset: str, no_code_share: float = 0.1) -> list[Sample]:
    rng = random.Random(seed)
    ranges = PRESETS[preset]
    base = on_card(qr_image(CARD_TEXT, scale=5))
    samples = []
    for i in range(count):
        if rng.random() < no_code_share:
            samples.append(Sample(photo_without_code(), False, {}))
            continue
        params = {key: rng.uniform(low, high) for key, (low, high) in ranges.items()}
        image = degrade(
            base,
            scale=params["scale"],
            rotate=params["rotate"],
            blur=params["blur"],
            contrast=params["contrast"],
            noise=params["noise"],
            jpeg=int(params["jpeg"]),
            seed=seed * 100_000 + i,
        )
        samples.append(Sample(encoded(image, "JPEG"), True, params))
    return samples


def plain_zxing(data: bytes) -> str | None:
    """The baseline: the photo loaded and handed to zxing-cpp once, as is."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except OSError:
        return None
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    return found[0].text if found else None


@dataclass
class Outcome:
    read: list[bool]
    false_reads: int
    seconds: list[float]


def run(decoder: Callable[[bytes], str | None], samples: list[Sample]) -> Outcome:
    read, seconds, false_reads = [], [], 0
    for sample in samples:
        started = time.perf_counter()
        text = decoder(sample.data)
        seconds.append(time.perf_counter() - started)
        if not sample.has_code:
            false_reads += text is not None
            continue
        ok = text == CARD_TEXT and isinstance(cccd_qr.parse(text, date(2021, 9, 1)), Valid)
        read.append(ok)
    return Outcome(read, false_reads, seconds)


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"mean {statistics.mean(values) * 1000:6.1f} ms, p50 {statistics.median(values) * 1000:6.1f} ms, "
        f"p95 {p95 * 1000:6.1f} ms, max {ordered[-1] * 1000:6.1f} ms"
    )


def report(preset: str, count: int, seed: int) -> None:
    started = time.perf_counter()
    samples = make_set(count, seed, preset)
    with_code = [s for s in samples if s.has_code]
    ranges = ", ".join(f"{k} {low:g}-{high:g}" for k, (low, high) in PRESETS[preset].items())
    print(f"== {preset}: {ranges}")
    print(
        f"{len(samples)} images ({len(with_code)} with the card's code, {len(samples) - len(with_code)} without), "
        f"generated in {time.perf_counter() - started:.1f} s; seed {seed}"
    )
    results = {"card_photo.decode": run(card_photo.decode, samples), "plain zxing-cpp": run(plain_zxing, samples)}
    for name, outcome in results.items():
        rate = sum(outcome.read) / len(outcome.read)
        print(
            f"{name:18} decode rate {rate:6.1%} ({sum(outcome.read)}/{len(outcome.read)}), "
            f"false reads {outcome.false_reads}; per image: {_ms(outcome.seconds)}"
        )
    ours, plain = results["card_photo.decode"], results["plain zxing-cpp"]
    print(
        f"ratio: decoded {sum(ours.read) / max(1, sum(plain.read)):.2f}x the baseline's images, "
        f"in {statistics.mean(ours.seconds) / statistics.mean(plain.seconds):.2f}x its mean time"
    )
    print("decode rate by degradation (card_photo.decode / plain zxing-cpp):")
    for key, (low_end, high_end) in PRESETS[preset].items():
        if key == "rotate":
            continue
        step = (high_end - low_end) / 3
        cells = []
        for low, high in itertools.pairwise([low_end + step * k for k in range(4)]):
            picked = [i for i, s in enumerate(with_code) if low <= s.params[key] < high + (high >= high_end - 1e-9)]
            if picked:
                cells.append(
                    f"[{low:.3g}, {high:.3g}): {sum(ours.read[i] for i in picked) / len(picked):4.0%} / "
                    f"{sum(plain.read[i] for i in picked) / len(picked):4.0%} (n={len(picked)})"
                )
        print(f"  {key:8} " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="images per preset")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--preset", choices=[*PRESETS, "all"], default="all")
    args = parser.parse_args()
    for preset in PRESETS if args.preset == "all" else [args.preset]:
        report(preset, args.count, args.seed)


if __name__ == "__main__":
    main()
