"""Replies longer than a platform's message: cut into messages that fit, at the best boundary."""

from __future__ import annotations


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, line or word boundary if possible."""
    pieces: list[str] = []
    rest = text.strip() or "…"
    while len(rest) > limit:
        window = rest[: limit + 1]  # a boundary just after the limit still leaves a full piece
        cut = window.rfind("\n\n")
        if cut < limit // 2:
            cut = window.rfind("\n")
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return pieces
