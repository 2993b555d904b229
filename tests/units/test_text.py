import pytest
from django.core.exceptions import ValidationError

from units.text import clean, fold, name_key, normalize_phone, phone_query, sort_key


def test_fold_ignores_diacritics_case_and_spacing():
    assert fold("Chợ  Hà Tĩnh\n") == "cho ha tinh"
    assert fold("ĐỨC THỌ") == "duc tho"


def test_fold_treats_old_and_new_tone_placement_and_nfd_alike():
    import unicodedata

    assert fold("Yên Hoà") == fold("Yên Hòa") == "yen hoa"
    assert fold(unicodedata.normalize("NFD", "Thuỷ")) == fold("Thủy") == "thuy"


def test_clean_returns_nfc_text_without_line_breaks():
    import unicodedata

    assert clean(unicodedata.normalize("NFD", " Trường  THCS\r\nNghèn ")) == "Trường THCS Nghèn"
    assert unicodedata.is_normalized("NFC", clean(unicodedata.normalize("NFD", "Hương Khê")))


def test_name_key_drops_punctuation_and_case():
    assert name_key("Công ty TNHH  ABC.") == name_key("công ty tnhh abc") == "cong ty tnhh abc"


def test_vietnamese_order_puts_d_before_dj_and_letters_before_tones():
    names = ["Đức Thọ", "Dương", "Ân", "An", "Ăn", "Anh", "Ả", "À", "A", "Bình", "Á", "Ạ", "Ã"]
    assert sorted(names, key=sort_key) == [
        "A", "À", "Ả", "Ã", "Á", "Ạ", "An", "Anh", "Ăn", "Ân", "Bình", "Dương", "Đức Thọ"]


def test_sort_key_is_case_insensitive():
    assert sort_key("chợ hà tĩnh") == sort_key("CHỢ HÀ TĨNH")


@pytest.mark.parametrize(("raw", "expected"), [
    ("0912 345 678", "0912345678"),
    ("+84912345678", "0912345678"),
    ("+84 912.345.678", "0912345678"),
    ("84912345678", "0912345678"),
    (912345678, "0912345678"),
    (912345678.0, "0912345678"),
    ("0239.3855.123", "02393855123"),
    ("(0239) 3855-123", "02393855123"),
    ("", ""),
    (None, ""),
])
def test_phone_numbers_are_normalised(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "0912 345 67a", "+1 202 555 0100", "09123456789012"])
def test_a_number_that_is_not_vietnamese_is_refused_in_vietnamese(raw):
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ValidationError) as error:
        normalize_phone(raw)
    assert error.value.messages[0].startswith(f"“{raw}” không phải")


@pytest.mark.parametrize(("query", "digits"), [
    ("0912 345 678", "0912345678"), ("+84912345678", "0912345678"), ("345 678", "345678"),
    ("chợ", None), ("12", None),
])
def test_phone_query(query, digits):
    assert phone_query(query) == digits
