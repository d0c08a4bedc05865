"""Scripted citizen journeys shared by the multi-process test, the crash test and the benchmarks."""

from __future__ import annotations


def household_application(i: int = 0) -> list[tuple[str, str]]:
    """Citizen i's household-business application, as ("text" | "tap", value) updates, up to confirming.

    The CCCD is unique per citizen and valid: province 001, digit 4 = 0 (a man born in the 1900s),
    digits 5-6 the birth year, then i + 1 (serials start at 000001). The phone is unique too, so no
    duplicate flags are raised.
    """
    yy = 60 + i % 40
    return [
        ("text", "/start"),
        ("tap", "apply"),
        ("tap", "apply:hkd"),
        ("tap", "consent:yes"),
        ("tap", "f:c:0"),
        ("text", "Đào Văn Bình"),
        ("text", f"02/02/19{yy}"),
        ("text", f"0010{yy}{i + 1:06d}"),  # a serial number starts at 000001
        ("text", f"09{i:08d}"),
        ("text", "Quán Bình"),
        ("text", "cơm bình dân"),
        ("tap", "f:skip"),
        ("text", "lạng sơn"),
        ("text", "hữu lũng"),
        ("text", "nhật tiến"),
        ("text", "thôn Đồng Lâm"),
        ("text", "01/08/2021"),
        ("text", "31/08/2021"),
        ("text", "Chỉ thị 16"),
        ("tap", "f:c:0"),
        ("tap", "f:skip"),
        ("tap", "f:ok"),
    ]
