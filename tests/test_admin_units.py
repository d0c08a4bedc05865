"""Administrative units: loading, hierarchy, search ranking and paging."""

from __future__ import annotations

import time

import pytest

from handlers import admin_units as au
from handlers.admin_units import Unit
from messages.normalize import fold

LANG_SON = 20
HUU_LUNG = 186
NHAT_TIEN = 6418


def names(units: list[Unit]) -> list[str]:
    return [u.name for u in units]


def test_counts_match_the_three_level_map() -> None:
    provinces = au.provinces()
    assert len(provinces) == 63
    n_districts = sum(len(au.districts(p.code)) for p in provinces)
    n_communes = sum(len(au.communes(d.code)) for p in provinces for d in au.districts(p.code))
    assert 690 <= n_districts <= 720
    assert 10_000 <= n_communes <= 11_200


def test_seed_units_exist_with_full_name() -> None:
    lang_son = au.get("province", LANG_SON)
    assert lang_son is not None and lang_son.name == "Tỉnh Lạng Sơn"
    huu_lung = au.get("district", HUU_LUNG)
    assert huu_lung is not None
    assert huu_lung.name == "Huyện Hữu Lũng" and huu_lung.parent_code == LANG_SON
    nhat_tien = [c for c in au.communes(HUU_LUNG) if c.name == "Xã Nhật Tiến"]
    assert len(nhat_tien) == 1
    unit = nhat_tien[0]
    assert unit.level == "commune"
    assert unit.full_name == "Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn"
    assert unit.type_name == "Xã" and unit.short_name == "Nhật Tiến"
    assert au.get("commune", unit.code) == unit


def test_hierarchy_is_consistent() -> None:
    for province in au.provinces():
        assert province.parent_code is None and province.level == "province"
        for district in au.districts(province.code):
            assert district.parent_code == province.code
    for commune in au.communes(HUU_LUNG):
        assert commune.parent_code == HUU_LUNG
        assert au.get("commune", commune.code) is commune


def test_get_unknown_and_bad_level() -> None:
    assert au.get("province", 3) is None
    assert au.districts(9999) == [] and au.communes(999_999) == []
    with pytest.raises(ValueError):
        au.get("ward", 1)  # type: ignore[arg-type]


def test_short_names_and_types() -> None:
    q1 = au.search("district", "quận 1")[0]
    assert q1.type_name == "Quận" and q1.short_name == "1"
    hn = au.get("province", 1)
    assert hn is not None and hn.type_name == "Thành phố" and hn.short_name == "Hà Nội"


@pytest.mark.parametrize(
    ("level", "query", "parent", "expected_first"),
    [
        ("district", "huu lung", None, "Huyện Hữu Lũng"),
        ("district", "Hữu Lũng", None, "Huyện Hữu Lũng"),
        ("district", "huyen huu lung", None, "Huyện Hữu Lũng"),
        ("district", "H. Hữu Lũng", None, "Huyện Hữu Lũng"),
        ("district", "HUU LUNG", LANG_SON, "Huyện Hữu Lũng"),
        ("district", "huulung", None, "Huyện Hữu Lũng"),
        ("commune", "nhat tien", HUU_LUNG, "Xã Nhật Tiến"),
        ("commune", "Nhật Tiến", None, "Xã Nhật Tiến"),  # the exact diacritics beat "Nhất Tiến"
        ("commune", "xã nhật tiến", HUU_LUNG, "Xã Nhật Tiến"),
        ("commune", "nhat tein", HUU_LUNG, "Xã Nhật Tiến"),  # typo: fuzzy match
        ("commune", "thi tran huu lung", None, "Thị trấn Hữu Lũng"),
        ("province", "lang son", None, "Tỉnh Lạng Sơn"),
        ("province", "tp hcm", None, "Thành phố Hồ Chí Minh"),
        ("province", "hcm", None, "Thành phố Hồ Chí Minh"),
        ("province", "TP.HCM", None, "Thành phố Hồ Chí Minh"),
        ("province", "Hồ Chí Minh", None, "Thành phố Hồ Chí Minh"),
        ("province", "sài gòn", None, "Thành phố Hồ Chí Minh"),
        ("province", "Thừa Thiên Huế", None, "Thành phố Huế"),
        ("province", "hue", None, "Thành phố Huế"),
        ("province", "ha noi", None, "Thành phố Hà Nội"),
        ("province", "daklak", None, "Tỉnh Đắk Lắk"),
        ("province", "vung tau", None, "Tỉnh Bà Rịa - Vũng Tàu"),
        ("province", "thanh hoa", None, "Tỉnh Thanh Hóa"),
        ("province", "Hoà Bình", None, "Tỉnh Hoà Bình"),  # old tone placement in the data
        ("province", "hòa bình", None, "Tỉnh Hoà Bình"),
        ("district", "quan hoa", None, "Huyện Quan Hóa"),  # "quan" is part of the name here
        ("district", "q1", 79, "Quận 1"),
        ("district", "thu duc", 79, "Thành phố Thủ Đức"),
        ("district", "ea h'leo", None, "Huyện Ea H'leo"),
    ],
)
def test_search_first_result(level: au.Level, query: str, parent: int | None, expected_first: str) -> None:
    results = au.search(level, query, parent_code=parent)
    assert results, f"no result for {query!r}"
    assert results[0].name == expected_first
    assert all(u.level == level for u in results)
    if parent is not None:
        assert all(u.parent_code == parent for u in results)


def test_exact_and_prefix_rank_before_fuzzy() -> None:
    results = au.search("province", "ha")
    # "Hà Nội", "Hà Nam", "Hải Phòng"...: names starting with what was typed, shortest first
    assert names(results)[:2] == ["Thành phố Hà Nội", "Tỉnh Hà Nam"]
    assert all(fold(u.short_name).startswith("ha") for u in results)
    # exact matches only: no look-alikes ("Nhật Tân") when the name itself exists
    results = au.search("commune", "nhat tien", parent_code=None, limit=20)
    folded = [fold(u.short_name) for u in results]
    assert folded == ["nhat tien"] * len(folded) and len(folded) >= 3
    results = au.search("commune", "huu lung", parent_code=HUU_LUNG)
    assert names(results)[0] == "Thị trấn Hữu Lũng"
    assert "Xã Hữu Liên" not in names(results)  # a look-alike, not shown when an exact match exists


def test_search_respects_limit_and_empty_queries() -> None:
    assert len(au.search("commune", "an", limit=3)) == 3
    assert au.search("commune", "") == []
    assert au.search("commune", "!!!") == []
    assert au.search("commune", "hữu lũng", limit=0) == []
    assert au.search("province", "zzzzqqqq") == []


def test_search_same_name_in_many_districts_lists_them_all() -> None:
    results = au.search("commune", "Nhật Tiến", limit=20)
    full = [u.full_name for u in results]
    assert "Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn" in full
    assert len({u.parent_code for u in results}) >= 2


def test_search_is_fast_enough_for_a_chat_turn() -> None:
    au.provinces()  # loaded
    started = time.process_time()  # CPU time: the suite's workers share the machine with other work
    for query in ("nhat tien", "hoa binh", "phuong 12", "tan thanh"):
        au.search("commune", query)
    assert time.process_time() - started < 1.0


def test_loading_takes_well_under_a_second() -> None:
    au._index.cache_clear()
    au._fold_word.cache_clear()
    started = time.process_time()  # CPU time: wall time on a shared machine measures the other work too
    au.provinces()
    elapsed = time.process_time() - started
    assert elapsed < 1.5, elapsed  # ~0.15 s measured; generous for slow CI machines


# --- paging ---------------------------------------------------------------------


def test_page_splits_and_clamps() -> None:
    items = list(range(20))
    first = au.page(items, 1)
    assert first.items == list(range(8)) and first.page_count == 3 and first.total == 20
    assert not first.has_prev and first.has_next
    last = au.page(items, 3)
    assert last.items == [16, 17, 18, 19] and last.has_prev and not last.has_next
    assert au.page(items, 99).page_no == 3
    assert au.page(items, 0).page_no == 1
    empty = au.page([], 1)
    assert empty.items == [] and empty.page_count == 1 and not empty.has_next


def test_page_of_districts_for_buttons() -> None:
    districts = au.districts(LANG_SON)
    pages = [au.page(districts, n, per_page=5) for n in range(1, au.page(districts, 1, 5).page_count + 1)]
    assert [u for p in pages for u in p.items] == districts
    with pytest.raises(ValueError):
        au.page(districts, 1, per_page=0)


# --- a place typed as an address --------------------------------------------------


def _codes(units: list[Unit]) -> list[int]:
    return [u.code for u in units]


@pytest.mark.parametrize(
    "typed",
    [
        "thôn Đồng Lâm, xã Nhật Tiến, huyện Hữu Lũng, Lạng Sơn",
        "Nhật Tiến, Hữu Lũng, Lạng Sơn",
        "xa nhat tien huyen huu lung tinh lang son",  # no commas, no marks
        "X. Nhật Tiến - H. Hữu Lũng - T. Lạng Sơn",
        "Lạng Sơn, Hữu Lũng, Nhật Tiến",  # from the top down
        # no commas, and the province without its type word: these named nothing
        "xã Nhật Tiến huyện Hữu Lũng Lạng Sơn",
        "thôn Đồng Lâm xã Nhật Tiến huyện Hữu Lũng Lạng Sơn",
        "Nhật Tiến Hữu Lũng Lạng Sơn",
        "thôn Đồng Lâm Nhật Tiến Hữu Lũng Lạng Sơn",
    ],
)
def test_an_address_names_its_province_district_and_commune(typed: str) -> None:
    assert _codes(au.locate(typed)) == [LANG_SON, HUU_LUNG, NHAT_TIEN]


def test_an_address_above_the_commune_gives_what_it_names() -> None:
    assert _codes(au.locate("huyện Hữu Lũng, tỉnh Lạng Sơn")) == [LANG_SON, HUU_LUNG]
    gv = au.search(au.AreaLevel.DISTRICT, "gò vấp")[0]
    located = au.locate("phường 12, quận Gò Vấp, TP.HCM")
    assert _codes(located)[:2] == [79, gv.code] and located[2].name == "Phường 12"


def test_a_name_within_the_place_already_chosen() -> None:
    """With the province known, a commune's name alone is enough when the province has one such commune."""
    assert _codes(au.locate("nhật tiến", within=[au.get(au.AreaLevel.PROVINCE, LANG_SON)])) == [
        LANG_SON,
        HUU_LUNG,
        NHAT_TIEN,
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "xã Yên Bình",  # eleven communes of that name: which one is not guessed
        "thôn Đồng Lâm",  # a village: no unit
        "bán nước mía",
        "Hữu Lũng, Hà Nội",  # a district of another province: the parts disagree
    ],
)
def test_an_address_that_names_no_single_place_gives_nothing(typed: str) -> None:
    assert au.locate(typed) == []


def test_a_name_shared_by_a_province_and_its_city_is_the_province() -> None:
    assert _codes(au.locate("Lạng Sơn")) == [LANG_SON]
    city = au.locate("thành phố Lạng Sơn, tỉnh Lạng Sơn")
    assert _codes(city)[0] == LANG_SON and city[1].name == "Thành phố Lạng Sơn"
