"""Vietnamese text as people type it: fold for search and matching, sort in
Vietnamese order, clean what comes from spreadsheets, normalise phone numbers."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s]")
# The Vietnamese alphabet, with the Latin letters it lacks (f j w z) where English has them.
_ALPHABET = " 0123456789aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# Below every letter, so that a word sorts before its longer continuations ("An" < "An Hòa").
_KEY_END = "!"
_RANK = {letter: chr(0x22 + index) for index, letter in enumerate(_ALPHABET)}
_MODIFIERS = {"\u0306": "ă", "\u0302": "â", "\u031b": "ơ"}  # breve, circumflex, horn (on a/e/o/u)
# Tones in dictionary order: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_WITH_MODIFIER = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê",
                  ("o", "\u0302"): "ô", ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}


def clean(value) -> str:
    """Text from a form or a cell: NFC, no line breaks or doubled spaces, trimmed."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def fold(value) -> str:
    """Lower case without diacritics: 'Chợ Hà Tĩnh' and 'cho ha tinh' fold alike, and
    so do 'Yên Hoà' and 'Yên Hòa' (old and new tone placement)."""
    decomposed = unicodedata.normalize("NFD", clean(value).replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _fold_char(char: str) -> str:
    """One character folded as fold() folds it (possibly to nothing, or to two letters)."""
    decomposed = unicodedata.normalize("NFD", char.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def matched_spans(value: str, query: str) -> list[tuple[int, int]]:
    """Where the words of a search occur in `value`, as (start, end) offsets into the
    NFC form of `value`, overlapping spans merged: the words match folded (diacritics,
    case and tone placement ignored) but the spans point at the text as written, so a
    page can mark "Chợ" for "cho"."""
    original = unicodedata.normalize("NFC", value or "")
    folded, origin = [], []
    for index, char in enumerate(original):
        for letter in _fold_char(char):
            folded.append(letter)
            origin.append(index)
    haystack = "".join(folded)
    spans = []
    for word in set(fold(query).split()):
        start = haystack.find(word)
        while start != -1:
            spans.append((origin[start], origin[start + len(word) - 1] + 1))
            start = haystack.find(word, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def name_key(value) -> str:
    """A name reduced for spotting the same place twice: folded, no punctuation."""
    return key_of_folded(fold(value))


def key_of_folded(folded: str) -> str:
    """name_key() of a text whose fold() is `folded`, for who has folded it already."""
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", folded)).strip()


def sort_key(value) -> str:
    """A key whose plain code-point order (collation "C") is Vietnamese dictionary
    order: letters first (a < ă < â … d < đ …), then tones (ngang < huyền < hỏi < ngã
    < sắc < nặng), case ignored."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFC", clean(value).lower()):
        base, *marks = unicodedata.normalize("NFD", char)
        letter, tone = base, "0"
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif (base, mark) in _WITH_MODIFIER:
                letter = _WITH_MODIFIER[base, mark]
        if char == "đ":
            letter = "đ"
        if letter in _RANK:
            letters.append(_RANK[letter])
            tones.append(tone)
    return "".join(letters) + _KEY_END + "".join(tones)


def normalize_phone(value) -> str:
    """A Vietnamese phone number as 0 followed by 9 or 10 digits.

    Accepts +84…, 84…, spaces, dots, dashes and brackets, and a number whose leading
    0 a spreadsheet dropped (912345678). Raises ValidationError otherwise.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean(value)
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits
    if not re.fullmatch(r"0\d{9,10}", digits):
        raise ValidationError(
            _("“%(value)s” is not a Vietnamese phone number (0 followed by 9 or 10 digits, or +84…)."),
            code="phone", params={"value": text},
        )
    return digits


def phone_query(query: str) -> str | None:
    """The digits to look for when a search looks like (part of) a phone number."""
    if not re.fullmatch(r"\+?[\d\s.\-()]{4,}", query.strip()):
        return None
    digits = re.sub(r"\D", "", query)
    if query.strip().startswith("+84"):
        digits = "0" + digits[2:]
    return digits if len(digits) >= 4 else None
