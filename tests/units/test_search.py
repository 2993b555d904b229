"""The registry's search ranked and highlighted (issue #14, point 3): the words in any order,
diacritics and case ignored, best match first, the matched words marked in the results."""

import itertools

import pytest
from django.urls import reverse

from tests.factories import make_unit
from units.models import Unit
from units.templatetags.registry import highlight


@pytest.fixture
def registry(divisions):
    return {
        "market": make_unit("Chợ Thị trấn Đức Thọ", address="Khối 5, thị trấn Đức Thọ"),
        "market_elsewhere": make_unit("Chợ Hà Tĩnh", address="Đường Phan Đình Phùng"),
        # "cho" and "duc tho" both here too, but only in the address: a weaker match.
        "shop": make_unit("Cửa hàng Thọ Phát", category="doanh_nghiep_sxkd",
                          address="Gần chợ, thị trấn Đức Thọ"),
        "school": make_unit("Trường THCS Kỳ Anh", category="truong_hoc", address="Phường Sông Trí"),
        "school_in_address": make_unit("Trường THCS Kỳ Tân", category="truong_hoc",
                                       address="Xã Kỳ Tân, huyện Kỳ Anh"),
        "high_school": make_unit("Trường THPT Kỳ Anh", category="truong_hoc"),
        "station": make_unit("Trạm Y tế xã Kỳ Tân", category="benh_vien_co_so_y_te"),
        "hospital": make_unit("Bệnh viện Đa khoa Kỳ Anh", category="benh_vien_co_so_y_te",
                              address="Cạnh trạm y tế cũ"),
    }


def found(client, query):
    return [unit.name for unit in client.get(reverse("units:unit_list"), {"q": query}).context["page"]]


def every_order(words):
    return [" ".join(order) for order in itertools.permutations(words.split())]


@pytest.mark.parametrize(("words", "expected"), [
    ("cho duc tho", ["Chợ Thị trấn Đức Thọ", "Cửa hàng Thọ Phát"]),
    ("truong thcs ky anh", ["Trường THCS Kỳ Anh", "Trường THCS Kỳ Tân"]),
    ("tram y te", ["Trạm Y tế xã Kỳ Tân", "Bệnh viện Đa khoa Kỳ Anh"]),
])
def test_the_words_in_any_order_find_the_units_best_match_first(client, coordinator, registry, words, expected):
    client.force_login(coordinator)

    results = {query: found(client, query) for query in every_order(words)}

    assert results == {query: expected for query in every_order(words)}


def test_the_matched_words_are_marked_with_their_diacritics(client, coordinator, registry):
    client.force_login(coordinator)

    page = client.get(reverse("units:unit_list"), {"q": "tho duc CHO"}).content.decode()

    assert '<mark>Chợ</mark> Thị trấn <mark>Đức</mark> <mark>Thọ</mark>' in page
    assert 'Gần <mark>chợ</mark>, thị trấn <mark>Đức</mark> <mark>Thọ</mark>' in page  # the address that matched


@pytest.mark.parametrize(("value", "query", "expected"), [
    ("Trường THCS Kỳ Anh", "anh ky thcs truong",
     "<mark>Trường</mark> <mark>THCS</mark> <mark>Kỳ</mark> <mark>Anh</mark>"),
    ("Trạm Y tế xã Kỳ Tân", "TRAM te", "<mark>Trạm</mark> Y <mark>tế</mark> xã Kỳ Tân"),
    ("Chợ Hà Tĩnh", "tin ch", "<mark>Ch</mark>ợ Hà <mark>Tĩn</mark>h"),  # parts of words
    ("Yên Hòa", "yen hoa", "<mark>Yên</mark> <mark>Hòa</mark>"),
    ("Yên Hoà", "Yên Hòa", "<mark>Yên</mark> <mark>Hoà</mark>"),  # old and new tone placement
    ("Nhà hàng <b>Đông</b> & Tây", "dong tay", "Nhà hàng &lt;b&gt;<mark>Đông</mark>&lt;/b&gt; &amp; <mark>Tây</mark>"),
    ("Chợ <script>", "script", "Chợ &lt;<mark>script</mark>&gt;"),
    ("Quán Hàng Hàng", "hang", "Quán <mark>Hàng</mark> <mark>Hàng</mark>"),
    ("Chợ Hà Tĩnh", "", "Chợ Hà Tĩnh"),
])
def test_highlight_escapes_the_text_and_marks_the_words(value, query, expected):
    assert highlight(value, query) == expected


@pytest.mark.parametrize("count", [1, 3])
def test_a_search_runs_a_fixed_number_of_queries(client, coordinator, divisions, django_assert_num_queries, count):
    for number in range(count):
        make_unit(f"Trạm Y tế số {number}", category="benh_vien_co_so_y_te")
    make_unit("Chợ Hà Tĩnh")
    client.force_login(coordinator)

    # session, user with their groups, commune choices, count, active campaigns (to add the found units to the
    # targets), district and category selects, the page (ranked), counts per district
    with django_assert_num_queries(9):
        response = client.get(reverse("units:unit_list"), {"q": "y te tram"})
    assert [unit.name for unit in response.context["page"]] == [f"Trạm Y tế số {n}" for n in range(count)]


def test_the_relevance_order_ranks_the_name_above_the_address(registry):
    ranked = Unit.objects.search("cho").by_relevance("cho")

    assert [unit.name for unit in ranked] == ["Chợ Hà Tĩnh", "Chợ Thị trấn Đức Thọ", "Cửa hàng Thọ Phát"]
