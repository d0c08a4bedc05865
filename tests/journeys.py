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


def household_application_in_words(i: int = 0) -> list[tuple[str, str]]:
    """Citizen i's household-business application typed as people answer (issue 18): the choices by their
    words ("bán hàng rong", "chuyển khoản"), the bank by a short name, the holder in capitals."""
    yy = 60 + i % 40
    return [
        ("text", "/start"),
        ("tap", "apply"),
        ("tap", "apply:hkd"),
        ("tap", "consent:yes"),
        ("text", "bán hàng rong"),
        ("text", "Đào Văn Bình"),
        ("text", f"02/02/19{yy}"),
        ("text", f"0010{yy}{i + 1:06d}"),
        ("text", f"09{i:08d}"),
        ("tap", "f:skip"),
        ("text", "cơm bình dân"),
        ("text", "lạng sơn"),
        ("text", "hữu lũng"),
        ("text", "nhật tiến"),
        ("text", "thôn Đồng Lâm"),
        ("text", "01/08/2021"),
        ("text", "31/08/2021"),
        ("text", "Chỉ thị 16"),
        ("text", "chuyển khoản"),
        ("text", "vcb"),
        ("text", f"0011{i:08d}"),
        ("text", "DAO VAN BINH"),
        ("tap", "f:skip"),
        ("tap", "f:ok"),
    ]


def assisted_household_application(i: int = 0) -> list[tuple[str, str]]:
    """A helper's registration of citizen i, who has no phone (issue 18), up to confirming."""
    yy = 60 + i % 40
    return [
        ("text", "/start"),
        ("tap", "asst"),
        ("tap", "asst:hkd"),
        ("tap", "consent:person"),
        ("tap", "f:c:2"),  # street vendor
        ("text", "Hoàng Thị Mai"),
        ("text", f"12/03/19{yy}"),
        ("text", f"0011{yy}{i + 1:06d}"),
        ("tap", "f:skip"),  # no phone
        ("tap", "f:skip"),  # no business name
        ("text", "bán rau"),
        ("text", "thôn Đồng Lâm"),  # the helper's commune is the place already
        ("text", "01/08/2021"),
        ("text", "31/08/2021"),
        ("text", "Chỉ thị 16"),
        ("text", "tiền mặt"),
        ("tap", "f:skip"),
        ("tap", "f:ok"),
    ]
