"""Reading the registry's import workbooks: the Excel files DIC staff really have.

Those files come from districts, communes and the PC-Covid portal: a title above the
header, columns in any order under many names, phone numbers that lost their leading
0, a totals line and signatures under the data. `open_sheet` finds the header and
`SheetReader.rows()` turns every row into a `ParsedRow` with clean values ready for
`Unit`, or with the reasons it cannot be imported. Nothing here writes to the database.
"""

import datetime
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext as _
from lxml import etree
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from units.models import CategorySynonym, Division, Unit, UnitCategory
from units.sheet_cells import open_workbook, worksheet_rows
from units.text import clean, fold, key_of_folded, name_key, normalize_phone

FIELDS = [
    "name", "category", "district", "commune", "address", "representative_name", "representative_title",
    "phone", "email", "qr_status", "qr_location_code", "qr_created_on", "staff_count", "is_active",
]

# The names each column goes by in the files we receive. A trailing "…" lets more words
# follow ("Địa chỉ…" is also "Địa chỉ cụ thể"); the others must match the whole header
# ("Mã QR địa điểm" is a location code, "Trạng thái mã QR" a status). The first name of
# each field is the canonical one, used by the import template and in messages.
COLUMN_NAMES = {
    "name": ("Tên đơn vị…", "Tên cơ sở…", "Tên địa điểm…", "Tên cơ quan…", "Tên doanh nghiệp…", "Tên"),
    "category": ("Loại hình…", "Loại đơn vị…", "Loại", "Phân loại"),
    "district": ("Huyện/TX/TP", "Huyện", "Quận/Huyện", "Huyện, thị xã, thành phố", "Huyện/Thành phố/Thị xã",
                 "Huyện/Thị xã/Thành phố", "Mã huyện"),
    "commune": ("Xã, phường, thị trấn", "Xã/Phường/TT", "Xã", "Phường/Xã", "Xã/Phường", "Phường, xã, thị trấn",
                "Mã xã"),
    "address": ("Địa chỉ…",),
    "representative_name": ("Người đại diện…", "Họ và tên người đại diện", "Họ tên người đại diện",
                            "Người đăng ký…"),
    "representative_title": ("Chức vụ…", "Chức danh…"),
    "phone": ("Số điện thoại…", "Điện thoại…", "SĐT", "ĐT"),
    "email": ("Email", "E-mail", "Thư điện tử", "Địa chỉ email", "Địa chỉ thư điện tử"),
    "qr_status": ("Trạng thái mã QR…", "Tình trạng mã QR…", "Trạng thái QR", "Tình trạng QR"),
    "qr_location_code": ("Mã địa điểm…", "Mã QR địa điểm…"),
    "qr_created_on": ("Ngày tạo mã…", "Ngày tạo…", "Ngày đăng ký…"),
    "staff_count": ("Số cán bộ…", "Số nhân viên…", "Số lao động…", "Số CBCNV…", "Số người lao động…"),
    "is_active": ("Đang hoạt động", "Hoạt động", "Còn hoạt động", "Tình trạng hoạt động",
                  "Trạng thái hoạt động"),
}
HEADER_SEARCH_ROWS = 30
PROGRESS_EVERY = 500

# What a registry list may hold (docs/decisions.md, "Imports are bounded"). A province has
# thousands of units (Hà Tĩnh's whole registry is ~10,000; the portal's list of its location
# codes some tens of thousands): ten times that is no real list. openpyxl keeps the shared
# strings in memory and streams the sheet, so the unpacked size of every part of the file is
# what bounds memory and time; the row count is read from the sheet's <dimension> before any
# row, and counted again while reading, which also stops at a time limit.
MAX_ROWS = 100_000
# 100 MB: a list of MAX_ROWS rows of the registry's columns unpacks to about 65 MB.
MAX_PART_BYTES = 100 * 1024 * 1024
# A worksheet's XML packs 10-30 times; a part that unpacks to more than 200 times its
# packed size is a decompression bomb (the one of issue #11 unpacked 260 times).
MAX_RATIO = 200
RATIO_FROM_BYTES = 1024 * 1024
MAX_SECONDS = 120

# An xlsx file is a zip archive; a password-protected xlsx is an OLE compound file,
# as an old .xls is, and openpyxl can read neither.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

# Folded first text of a row that ends the data: totals and the signature block of an
# administrative document. "Tổng công ty…" is a unit's name, not a total.
_FOOTER = re.compile(
    r"^(tong cong(?! ty\b)|tong so|(cong|tong)( \d|$)|nguoi lap|nguoi tong hop|thu truong|ky ghi ro|ky va ghi ro"
    r"|ky ten|ky dong dau|xac nhan|noi nhan|ghi chu|tm ubnd|kt giam doc|kt chu tich|giam doc$|chu tich$)"
    r"|\bngay\b.*\bthang\b.*\bnam\b"
)
# "Ví dụ: Chợ …" is the import template's example row.
_EXAMPLE = re.compile(r"^\(?vi du\b")
# The "(1) (2) (3)…" line some forms put under the header.
_COLUMN_NUMBER = re.compile(r"^\(?(\d+)\)?$")
_DATE_TEXT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE_TEXT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_CODE_TEXT = re.compile(r"^\d{1,6}$")
_COUNT_TEXT = re.compile(r"^\d{1,3}([.,\s]\d{3})+$|^\d+$")
# Excel serial days between 1954 and 2173: a date cell that lost its date format.
_SERIAL_DATES = range(20_000, 100_000)

# Types written before a division's name, with the abbreviations people use.
_DISTRICT_TYPES = {"thanh pho": "thanh pho", "tp": "thanh pho", "thi xa": "thi xa", "tx": "thi xa",
                   "huyen": "huyen", "h": "huyen", "quan": "quan"}
_COMMUNE_TYPES = {"thi tran": "thi tran", "tt": "thi tran", "phuong": "phuong", "p": "phuong", "xa": "xa"}

_QR_STATUSES = {
    Unit.QRStatus.NONE: ("Chưa có", "Chưa tạo", "Chưa", "Không", "Không có", "Chưa có mã", "Chưa tạo mã", "none",
                         "No"),
    Unit.QRStatus.CREATED: ("Đã tạo", "Đã tạo mã", "Đã có", "Đã có mã", "Có", "created"),
    Unit.QRStatus.POSTED: ("Đã niêm yết", "Niêm yết", "Đã dán", "Đã dán mã", "Đã tạo và niêm yết", "posted"),
}
_ACTIVE = ("x", "có", "1", "đang hoạt động", "hoạt động", "còn hoạt động", "yes", "true")
_INACTIVE = ("không", "0", "ngừng hoạt động", "đã ngừng hoạt động", "tạm ngừng hoạt động", "ngừng", "đóng cửa",
             "no", "false")


class ImportFileError(Exception):
    """The file cannot be read at all; `message` says why, for the person who uploaded it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class ParsedRow:
    """One row of the sheet: its cells as they were, for the error report, and either the
    clean values for a Unit or the reasons it cannot be imported."""

    row: int
    values: list
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    status: str = "ok"
    # name_key() of data["name"], worked out once while reading ("" when not read).
    name_key: str = ""


def _column_rules():
    """({whole header key: field}, [(prefix key, field)] longest first), from COLUMN_NAMES."""
    exact, prefixes = {}, []
    for field_name, names in COLUMN_NAMES.items():
        for column_name in names:
            key = name_key(column_name.rstrip("…"))
            exact.setdefault(key, field_name)
            if column_name.endswith("…"):
                prefixes.append((key, field_name))
    prefixes.sort(key=lambda rule: -len(rule[0]))
    return exact, prefixes


_EXACT_COLUMNS, _PREFIX_COLUMNS = _column_rules()


def match_columns(header_cells) -> dict[str, int]:
    """{field: 0-based column} for the cells of a candidate header row.

    Whole-header matches claim their fields first, so "Tên đơn vị chủ quản" cannot take
    the name from a "Tên đơn vị" column further right; then the open-ended names fill
    the fields left. The first column wins a field named twice.
    """
    keys = [name_key(cell) if isinstance(cell, str) else "" for cell in header_cells]
    columns: dict[str, int] = {}
    for index, key in enumerate(keys):
        field_name = _EXACT_COLUMNS.get(key)
        if field_name and field_name not in columns:
            columns[field_name] = index
    claimed = set(columns.values())
    for index, key in enumerate(keys):
        if not key or index in claimed:
            continue
        for prefix, field_name in _PREFIX_COLUMNS:
            if key.startswith(prefix + " ") and field_name not in columns:
                columns[field_name] = index
                claimed.add(index)
                break
    return {field_name: columns[field_name] for field_name in FIELDS if field_name in columns}


def _unreadable() -> ImportFileError:
    return ImportFileError(_("This file could not be read as an Excel workbook (.xlsx). Open it in Excel, "
                             "save it as .xlsx and upload it again."))


def _refuse_oversized_parts(file) -> None:
    """ImportFileError when a part of the .xlsx (a zip archive) would unpack to more than
    MAX_PART_BYTES, or more than MAX_RATIO times its packed size. Reads only the zip's
    directory: nothing is unpacked. The sizes it states are binding, since Python's
    zipfile stops a part at its stated size (and then fails its checksum)."""
    try:
        position = file.tell()
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
        file.seek(position)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _unreadable() from error
    for part in parts:
        if part.file_size > MAX_PART_BYTES:
            raise ImportFileError(_(
                "This file is too large to import: its worksheet unpacks to %(size)d MB, more than "
                "%(limit)d MB (about %(rows)s rows). Split the list into several files and import them "
                "one by one.") % {"size": part.file_size // (1024 * 1024), "limit": MAX_PART_BYTES // (1024 * 1024),
                                  "rows": f"{MAX_ROWS:,}".replace(",", ".")})
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise ImportFileError(_(
                "This file is refused: it unpacks to %(ratio)d times its size, which no list of units "
                "does (a “zip bomb”). Open it in Excel, check its content, save it again as .xlsx and "
                "upload it again.") % {"ratio": part.file_size // max(part.compress_size, 1)})


def _too_many_rows() -> ImportFileError:
    return ImportFileError(_(
        "This file has more than %(limit)s rows: no list of units is that long. Split the list into "
        "several files and import them one by one.") % {"limit": f"{MAX_ROWS:,}".replace(",", ".")})


def _open_workbook(file):
    """(workbook, handle we opened or None); ImportFileError for anything but an .xlsx."""
    owned = None
    if isinstance(file, str | Path):
        try:
            owned = file = open(file, "rb")  # closed by SheetReader.close()
        except OSError as error:
            raise ImportFileError(_("The file could not be opened.")) from error
    try:
        position = file.tell()
        magic = file.read(8)
        file.seek(position)
    except (AttributeError, OSError):
        magic = b""  # an unseekable stream: let openpyxl decide
    try:
        if magic.startswith(_OLE_MAGIC):
            raise ImportFileError(_(
                "This file is password-protected or in the old Excel 97–2003 (.xls) format. Remove the "
                "password (File › Info › Protect Workbook) or save it as an Excel workbook (.xlsx), then "
                "upload it again."))
        if magic and not magic.startswith(_ZIP_MAGIC):
            raise ImportFileError(_(
                "This file is not an Excel workbook (.xlsx). Open it in Excel and save it as .xlsx, "
                "then upload it again."))
        if magic:
            _refuse_oversized_parts(file)
        try:
            workbook = open_workbook(file)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError,
                ParseError, etree.XMLSyntaxError) as error:
            raise _unreadable() from error
    except ImportFileError:
        if owned:
            owned.close()
        raise
    return workbook, owned


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _first_text(values) -> str:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _is_column_numbers(values) -> bool:
    """True for a "(1) (2) (3) …" or "1 2 3 …" line: no data row reads like that."""
    numbers = []
    for value in values:
        if _is_blank(value):
            continue
        match = _COLUMN_NUMBER.match(clean(value)) if isinstance(value, str | int) else None
        if match is None or isinstance(value, bool):
            return False
        numbers.append(int(match.group(1)))
    return len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _as_text(value) -> str:
    """A cell as text: 912345678.0 is "912345678", not "912345678.0"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    return clean(value)


def _original(value):
    """The cell as the error report will write it back. Times and durations, which JSON
    cannot hold, become text."""
    if isinstance(value, datetime.time | datetime.timedelta):
        return str(value)
    return value


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


class _Divisions:
    """Districts and communes indexed by code, full name and bare name, in one query."""

    def __init__(self):
        self.names, self.parents = {}, {}
        self.by_code = {Division.Level.DISTRICT: {}, Division.Level.COMMUNE: {}}
        self.by_full = {Division.Level.DISTRICT: {}, Division.Level.COMMUNE: {}}
        self.by_bare = {Division.Level.DISTRICT: {}, Division.Level.COMMUNE: {}}
        self.accented = {}
        # The same few hundred names fill a whole file: each is worked out once.
        self.found = {}
        # Only the registry's province: district and commune names repeat across the
        # country (there are Tân Lộc communes in several provinces).
        province = Q(level=Division.Level.DISTRICT, parent__code=settings.REGISTRY_PROVINCE_CODE,
                     parent__level=Division.Level.PROVINCE) | Q(
            level=Division.Level.COMMUNE, parent__parent__code=settings.REGISTRY_PROVINCE_CODE,
            parent__parent__level=Division.Level.PROVINCE)
        rows = Division.objects.filter(province).values_list("pk", "code", "name", "level", "parent_id")
        for pk, code, name, level, parent_id in rows:
            self.names[pk], self.parents[pk] = name, parent_id
            self.by_code[level][code] = pk
            full, bare, accented = self.keys(name, level)
            self.by_full[level].setdefault(full, []).append(pk)
            self.by_bare[level].setdefault(bare, []).append(pk)
            self.accented[pk] = accented

    @staticmethod
    def keys(value, level) -> tuple[str, str, str]:
        """(type + name, name alone, name alone with its diacritics), types spelt out:
        "TP. Hà Tĩnh" gives ("thanh pho ha tinh", "ha tinh", "hà tĩnh")."""
        types = _DISTRICT_TYPES if level == Division.Level.DISTRICT else _COMMUNE_TYPES
        folded = name_key(value).split()
        # fold() keeps one word for one word, so the accented words line up with the folded ones.
        accented = re.sub(r"[^\w\s]", " ", unicodedata.normalize("NFC", clean(value)).lower()).split()
        for length in (2, 1):
            kind = " ".join(folded[:length])
            if len(folded) > length and kind in types:
                bare = " ".join(folded[length:])
                return f"{types[kind]} {bare}", bare, " ".join(accented[length:])
        return " ".join(folded), " ".join(folded), " ".join(accented)

    def find(self, value, level) -> list[int]:
        """The divisions of a level a cell may mean: by code, by name with its type, by name."""
        key = (level, type(value), value)
        if key not in self.found:
            self.found[key] = self._find(value, level)
        return self.found[key]

    def _find(self, value, level) -> list[int]:
        number = _whole_number(value)
        if number is None and isinstance(value, str) and _CODE_TEXT.match(value.strip()):
            number = int(value.strip())
        if number is not None:
            pk = self.by_code[level].get(number)
            return [pk] if pk else []
        full, bare, accented = self.keys(value, level)
        found = self.by_full[level].get(full) or self.by_bare[level].get(bare, [])
        if len(found) > 1:
            # "Thạch Hạ" and "Thạch Hà" fold alike; the diacritics tell them apart.
            same = [pk for pk in found if self.accented[pk] == accented]
            found = same if len(same) == 1 else found
        return found

    def describe(self, pks) -> str:
        return ", ".join(f"{self.names[pk]} ({self.names[self.parents[pk]]})" if self.parents.get(pk) in self.names
                         else self.names[pk] for pk in pks)


class _Categories:
    """Categories by folded name, English name and code, and by their synonyms and the
    parts of their names ("quán cà phê" of "Nhà hàng, quán ăn, quán cà phê"), in two
    queries. Matching ignores diacritics and case (units/text.py: name_key)."""

    def __init__(self):
        self.by_key, self.other, self.names = {}, None, {}
        # (folded words, category, the words as written): a cell is read by them when it
        # is not a category's exact name.
        parts = []
        for pk, code, name, name_en in UnitCategory.objects.values_list("pk", "code", "name", "name_en"):
            self.names[pk] = name
            for key in (name_key(name), name_key(name_en), name_key(code)):
                if key:
                    self.by_key.setdefault(key, pk)
            if code == "khac":
                self.other = (pk, name)
                continue
            # A part of one word alone ("ban" of "Sở, ban, ngành") would read "bán" as a
            # department: parts of two words or more; shorter words only as synonyms.
            for part in name.split(","):
                if len(name_key(part).split()) >= 2:
                    parts.append((name_key(part), pk, part.strip()))
        # The administrator's words first: at a tie they are the ones the preview names.
        phrases = [*CategorySynonym.objects.values_list("key", "category_id", "words"), *parts]
        # {phrase: (its place in that order, category, words)}, the first of a phrase named
        # twice, and the longest phrase in words: a text is looked up by its runs of words,
        # not compared with every phrase.
        self.phrases = {}
        for order, (phrase, pk, words) in enumerate(phrases):
            if phrase:
                self.phrases.setdefault(phrase, (order, pk, words))
        self.longest = max((len(phrase.split()) for phrase in self.phrases), default=0)
        # The same few labels fill a whole file: each is worked out once.
        self.found, self.guessed = {}, {}

    def find(self, value) -> int | None:
        key = (type(value), value)
        if key not in self.found:
            self.found[key] = self.by_key.get(name_key(_as_text(value)))
        return self.found[key]

    def guess(self, value, *, at_start_only=False) -> tuple[int, str] | None:
        """(category, the words that decided it) for a text naming a kind of place:
        "Trường THCS Kỳ Anh" is a school by "Trường THCS". Whole words only; the words
        that begin the text win, then the longest, then the first phrase in order (the
        administrator's synonyms before the parts of the names)."""
        if at_start_only:  # a unit's name: each is different, nothing to keep
            return self._guess(name_key(_as_text(value)), at_start_only=True)
        key = (type(value), value)
        if key not in self.guessed:
            self.guessed[key] = self._guess(name_key(_as_text(value)), at_start_only=False)
        return self.guessed[key]

    def _guess(self, key: str, *, at_start_only: bool) -> tuple[int, str] | None:
        words, best = key.split(), None
        for start in range(1 if at_start_only else len(words)):
            for length in range(1, min(self.longest, len(words) - start) + 1):
                found = self.phrases.get(" ".join(words[start:start + length]))
                if found is None:
                    continue
                rank = (start == 0, length, -found[0])
                if best is None or rank > best[0]:
                    best = (rank, found[1], found[2])
        return (best[1], best[2]) if best else None


def _max_lengths() -> dict[str, tuple[int, str]]:
    """{field: (max length, label)} for the text fields, from the model."""
    fields = [Unit._meta.get_field(name) for name in
              ("name", "address", "representative_name", "representative_title", "email", "qr_location_code")]
    return {field.name: (field.max_length, str(field.verbose_name)) for field in fields}


def _choice_keys(choices) -> dict[str, object]:
    return {name_key(label): value for value, labels in choices for label in labels}


_QR_STATUS_KEYS = _choice_keys(_QR_STATUSES.items())
_ACTIVE_KEYS = _choice_keys([(True, _ACTIVE), (False, _INACTIVE)])


class SheetReader:
    """The first worksheet of a workbook, from its header row down.

    `rows()` may be called more than once (a preview, then the import); each call reads
    the sheet again from the file, which must stay open until then. `close()` (or a
    `with` block) releases the file.
    """

    def __init__(self, *, workbook, worksheet, handle, header_row: int, headers: list[str],
                 columns: dict[str, int], total_rows: int | None):
        self._workbook, self._worksheet, self._handle = workbook, worksheet, handle
        self.header_row = header_row
        self.headers = headers
        self.columns = columns
        self.total_rows = total_rows

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        self._workbook.close()
        if self._handle:
            self._handle.close()

    def rows(self, *, progress: Callable[[int, int | None], None] | None = None) -> Iterator[ParsedRow]:
        """Every row under the header, in order, blank ones included (as "skipped").

        Builds the division and category lookups first (three queries), then reads the
        sheet as it goes: memory stays flat however long the file. Calls
        `progress(done, total)` every 500 rows and once at the end. Raises
        ImportFileError past MAX_ROWS rows or MAX_SECONDS of reading.
        """
        parser = _RowParser(columns=self.columns)
        width = len(self.headers)
        done, footer_seen = 0, False
        first = self.header_row + 1
        deadline = time.monotonic() + MAX_SECONDS
        for number, cells in enumerate(_sheet_rows(self._worksheet, min_row=first, width=width), start=first):
            if done >= MAX_ROWS:
                raise _too_many_rows()
            if done % PROGRESS_EVERY == 0 and time.monotonic() > deadline:
                raise ImportFileError(_(
                    "Reading this file took more than %(minutes)d minutes and was stopped. Split the list "
                    "into several smaller files and import them one by one.") % {"minutes": MAX_SECONDS // 60})
            values = [_original(value) for value in cells]
            values += [None] * (width - len(values))
            # Under a totals line or a signature block nothing is data any more.
            footer_seen = footer_seen or parser.is_footer(values)
            if footer_seen:
                yield ParsedRow(row=number, values=values, status="skipped")
            else:
                yield parser.parse(number, values, first_data_row=number == first)
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, self.total_rows)
        if progress and done % PROGRESS_EVERY:
            progress(done, self.total_rows)


def _sheet_rows(worksheet, *, min_row: int, width: int):
    """The sheet's cell values from min_row on, as openpyxl's iter_rows(values_only=True) gives
    them, read by units.sheet_cells (openpyxl's own reading was most of the preview's time); a
    damaged file is an ImportFileError."""
    try:
        yield from worksheet_rows(worksheet, min_row=min_row, width=width)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError, etree.XMLSyntaxError) as error:
        raise ImportFileError(_("The worksheet is damaged and could not be read to the end. Open it in "
                                "Excel, save it again as .xlsx and upload it again.")) from error


class _RowParser:
    """Turns the cells of one data row into a ParsedRow, with lookups built once."""

    def __init__(self, *, columns: dict[str, int]):
        self.columns = columns
        self.divisions = _Divisions()
        self.categories = _Categories()
        self.max_lengths = _max_lengths()
        self._folded_name = None  # (the name cell is_footer() read, fold() and name_key() of it)

    def is_footer(self, values) -> bool:
        """A totals line or the signature block, judged by the name cell or, when it is
        blank, by the row's first text: "Giám đốc" as a representative's title is data."""
        name = values[self.columns["name"]]
        text = name if isinstance(name, str) and name.strip() else _first_text(values)
        self._folded_name = None
        if not text:
            return False
        folded = fold(text)
        key = key_of_folded(folded)
        self._folded_name = (name, folded, key) if text is name else None  # parse() reads the name again
        return bool(_FOOTER.search(key))

    def parse(self, number: int, values: list, *, first_data_row: bool) -> ParsedRow:
        parsed = ParsedRow(row=number, values=values)
        cells = {name: values[index] for name, index in self.columns.items()}
        if (all(_is_blank(value) for value in values) or all(_is_blank(value) for value in cells.values())
                or (first_data_row and _is_column_numbers(values))):
            parsed.status = "skipped"
            return parsed
        name = _as_text(cells.get("name"))
        # fold() and name_key() of clean(x) are those of x: is_footer()'s are the name's.
        if self._folded_name is not None and self._folded_name[0] is cells.get("name"):
            _cell, folded, key = self._folded_name
        else:
            folded = fold(name)
            key = key_of_folded(folded)
        self._folded_name = None
        parsed.name_key = key
        if _EXAMPLE.match(folded):
            parsed.status = "skipped"
            parsed.warnings.append(_("The example row of the import template; not imported."))
            return parsed

        data, errors, warnings = parsed.data, parsed.errors, parsed.warnings
        if not name:
            errors.append(_("The unit name is missing."))
        data["name"] = name
        for field_name in ("address", "representative_name", "representative_title", "qr_location_code"):
            if field_name in cells:
                data[field_name] = _as_text(cells[field_name])
        self._read_category(cells, data, warnings, errors)
        self._read_place(cells, data, errors)
        if "phone" in cells:
            try:
                data["phone"] = normalize_phone(cells["phone"])
            except ValidationError as error:
                errors.extend(error.messages)
        if "email" in cells:
            data["email"] = _as_text(cells["email"])
            if data["email"]:
                try:
                    validate_email(data["email"])
                except ValidationError:
                    errors.append(_("“%(value)s” is not a valid e-mail address.") % {"value": data["email"]})
        if "qr_status" in cells:
            self._read_qr_status(cells["qr_status"], data, errors)
        if "qr_created_on" in cells:
            self._read_date(cells["qr_created_on"], data, errors)
        if "staff_count" in cells:
            self._read_staff_count(cells["staff_count"], data, errors)
        if "is_active" in cells:
            self._read_active(cells["is_active"], data, errors)
        for field_name, (limit, label) in self.max_lengths.items():
            if len(data.get(field_name) or "") > limit:
                errors.append(_("The %(field)s has %(length)d characters; at most %(limit)d fit.")
                              % {"field": label, "length": len(data[field_name]), "limit": limit})
        parsed.status = "error" if errors else "ok"
        return parsed

    def _read_category(self, cells, data, warnings, errors):
        label = _as_text(cells.get("category"))
        found = self.categories.find(label) if label else None
        if found:
            data["category"] = found
            return
        # Not a category's name: the words of the cell, else the start of the unit's name,
        # may say which it is ("Quán cà phê", "Trường THCS Kỳ Anh"); the preview says which words.
        guess = self.categories.guess(label) if label else None
        if guess:
            data["category"], words = guess
            warnings.append(_("Category “%(label)s” read as “%(category)s” (by the words “%(words)s”).")
                            % {"label": label, "category": self.categories.names[guess[0]], "words": words})
            return
        guess = self.categories.guess(cells.get("name"), at_start_only=True)
        if guess:
            data["category"], words = guess
            warnings.append(_("Category read from the unit's name as “%(category)s” (by the words “%(words)s”).")
                            % {"category": self.categories.names[guess[0]], "words": words})
            return
        if self.categories.other is None:
            errors.append(_("Category “%(label)s” is unknown and there is no “khac” (Other) category to file "
                            "the unit under.") % {"label": label})
            return
        data["category"], other_name = self.categories.other
        if label:
            warnings.append(_("Category “%(label)s” is not in the list; filed under “%(other)s”.")
                            % {"label": label, "other": other_name})
        elif "category" in cells:
            warnings.append(_("No category given; filed under “%(other)s”.") % {"other": other_name})

    def _read_place(self, cells, data, errors):
        """District and commune by name or national code. A commune named without its
        district is accepted when no other commune has that name."""
        divisions = self.divisions
        districts = None
        district_text = _as_text(cells.get("district"))
        if district_text:
            districts = divisions.find(cells["district"], Division.Level.DISTRICT)
            if not districts:
                errors.append(_("Unknown district “%(value)s”.") % {"value": district_text})
                return
        if "commune" not in self.columns:
            if districts and len(districts) > 1:
                errors.append(_("“%(value)s” may be %(choices)s: write the district in full.")
                              % {"value": district_text, "choices": divisions.describe(districts)})
            elif districts:
                data["district"] = districts[0]
            return
        commune_text = _as_text(cells.get("commune"))
        if not commune_text:
            errors.append(_("The commune is missing."))
            return
        communes = divisions.find(cells["commune"], Division.Level.COMMUNE)
        if not communes:
            errors.append(_("Unknown commune “%(value)s”.") % {"value": commune_text})
            return
        if districts:
            inside = [pk for pk in communes if divisions.parents[pk] in districts]
            if not inside:
                errors.append(_("Commune “%(commune)s” is not in %(district)s: it is in %(actual)s.") % {
                    "commune": commune_text,
                    "district": " / ".join(divisions.names[pk] for pk in districts),
                    "actual": " / ".join(sorted({divisions.names[divisions.parents[pk]] for pk in communes})),
                })
                return
            communes = inside
        if len(communes) > 1:
            errors.append(_("“%(value)s” may be %(choices)s: give the district.")
                          % {"value": commune_text, "choices": divisions.describe(communes)})
            return
        data["commune"] = communes[0]
        data["district"] = divisions.parents[communes[0]]

    @staticmethod
    def _read_qr_status(value, data, errors):
        text = _as_text(value)
        if not text:
            data["qr_status"] = Unit.QRStatus.CREATED if data.get("qr_location_code") else Unit.QRStatus.NONE
            return
        status = _QR_STATUS_KEYS.get(name_key(text))
        if status is None:
            errors.append(_("QR status “%(value)s” is not one of: not created, created, posted "
                            "(“Chưa tạo”, “Đã tạo”, “Đã niêm yết”).") % {"value": text})
            return
        data["qr_status"] = str(status)

    @staticmethod
    def _read_date(value, data, errors):
        data["qr_created_on"] = None
        if isinstance(value, datetime.datetime):
            data["qr_created_on"] = value.date()
            return
        if isinstance(value, datetime.date):
            data["qr_created_on"] = value
            return
        serial = _whole_number(value)
        if serial is not None and serial in _SERIAL_DATES:
            data["qr_created_on"] = from_excel(serial).date()
            return
        text = _as_text(value)
        if not text:
            return
        match = _DATE_TEXT.match(text)
        day, month, year = match.groups() if match else (None, None, None)
        if match is None and (iso := _ISO_DATE_TEXT.match(text)):
            year, month, day = iso.groups()
        try:
            data["qr_created_on"] = datetime.date(int(year), int(month), int(day))
        except (TypeError, ValueError):
            errors.append(_("“%(value)s” is not a date (write it as dd/mm/yyyy, e.g. 20/11/2021).")
                          % {"value": text})

    @staticmethod
    def _read_staff_count(value, data, errors):
        data["staff_count"] = None
        number = _whole_number(value)
        text = _as_text(value)
        if number is None and _COUNT_TEXT.match(text):
            number = int(re.sub(r"\D", "", text))
        if number is not None and number >= 0:
            data["staff_count"] = number
        elif text:
            errors.append(_("Staff count “%(value)s” is not a whole number of people.") % {"value": text})

    @staticmethod
    def _read_active(value, data, errors):
        if isinstance(value, bool):
            data["is_active"] = value
            return
        text = _as_text(value)
        active = _ACTIVE_KEYS.get(name_key(text)) if text else True
        if active is None:
            errors.append(_("“%(value)s” in the active column is neither yes (“Có”, “x”) nor no (“Không”).")
                          % {"value": text})
            return
        data["is_active"] = active


def _expected_columns() -> str:
    return ", ".join(f"“{COLUMN_NAMES[name][0].rstrip('…')}”" for name in FIELDS if name != "name")


def _find_header(worksheet) -> tuple[int, tuple, dict[str, int]]:
    """(row number, cells, columns) of the first row naming the unit and one more known column."""
    top = worksheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True)
    try:
        for number, cells in enumerate(top, start=1):
            columns = match_columns(cells)
            if "name" in columns and len(columns) >= 2:
                return number, cells, columns
    finally:
        top.close()  # the generator holds the sheet's XML open
    raise ImportFileError(_(
        "No recognisable header in the first %(rows)d rows of the first worksheet. It needs a column "
        "“%(name)s” and at least one of: %(others)s.")
        % {"rows": HEADER_SEARCH_ROWS, "name": COLUMN_NAMES["name"][0].rstrip("…"),
           "others": _expected_columns()})


def open_sheet(file) -> SheetReader:
    """Open the first worksheet of an .xlsx (a path or a binary file object) and find its
    header in the first 30 rows: the first row naming the unit and at least one other
    known column. Raises ImportFileError when the file is no readable workbook or has
    no such header. Reads only the top of the sheet and makes no query.
    """
    workbook, handle = _open_workbook(file)
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no worksheet."))
        worksheet = workbook.worksheets[0]
        stated_rows = worksheet.max_row
        if stated_rows and stated_rows > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise _too_many_rows()
        # Some programs write a wrong size ("A1") into the file; read what is there instead.
        worksheet.reset_dimensions()
        number, cells, columns = _find_header(worksheet)
        if "commune" not in columns:
            raise ImportFileError(_(
                "The header on row %(row)d has no commune column (“%(commune)s”): every unit belongs to a "
                "commune, ward or township.") % {"row": number, "commune": COLUMN_NAMES["commune"][0]})
        width = max(index for index, value in enumerate(cells) if not _is_blank(value)) + 1
        headers = ["" if value is None else str(value) for value in cells[:width]]
    except ImportFileError:
        workbook.close()
        if handle:
            handle.close()
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError) as error:
        workbook.close()
        if handle:
            handle.close()
        raise _unreadable() from error
    total = stated_rows - number if stated_rows and stated_rows > number else None
    return SheetReader(workbook=workbook, worksheet=worksheet, handle=handle, header_row=number,
                       headers=headers, columns=columns, total_rows=total)
