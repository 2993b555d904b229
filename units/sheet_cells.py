"""The cell values of an .xlsx worksheet as openpyxl's read-only worksheet gives them
(`iter_rows(values_only=True)`), read three times faster.

openpyxl parses a worksheet with defusedxml's parser whenever defusedxml is installed
(pyxform brings it): a pure-Python XML parser, called back for every element. It then builds
a dict per cell and an object per inline string. At 100,000 rows that reading was most of the
import preview's time. Here lxml parses the sheet (in C; entities are never expanded and no DTD
or network resource is fetched, and a sheet declaring entities is refused, as defusedxml
refuses it), and each value is worked out as openpyxl's `WorkSheetParser.parse_cell` works it
out for a workbook opened with `data_only=True`, with openpyxl's own conversions: numbers, dates
by the workbook's date styles and epoch, shared strings, booleans, ISO dates. The two readers
are compared on every kind of cell (tests/units/test_sheet_cells.py).

The workbook is opened by openpyxl (`open_workbook`: its `load_workbook(read_only=True,
data_only=True)`, which reads the styles and the shared strings), except for one step: each
worksheet's stated size. openpyxl looks for it with the same slow parser and, in a file that
states none (openpyxl's own write-only files, such as the registry's export), reads the whole
sheet to find that out; here lxml reads the top of the sheet, up to where the cells begin.
"""

import warnings

from lxml import etree
from openpyxl.cell.text import Text
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG, INLINE_STRING, ROW_TAG, VALUE_TAG, _cast_number
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHEET_MAIN_NS

TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"


# lxml as it parses a worksheet: no entity expanded, nothing fetched, comments and processing
# instructions left out (as ElementTree, which openpyxl uses, leaves them out).
PARSING = {"resolve_entities": False, "no_network": True, "remove_comments": True, "remove_pis": True}


def open_workbook(file):
    """The workbook as `openpyxl.load_workbook(file, read_only=True, data_only=True)` opens it,
    each worksheet's size read by lxml. Raises what load_workbook raises, and lxml's
    XMLSyntaxError for a worksheet whose top is not XML."""
    reader = _WorkbookReader(file, read_only=True, data_only=True)
    reader.read()
    return reader.wb


class _WorkbookReader(ExcelReader):
    def read_worksheets(self):
        """openpyxl's read_worksheets in read-only mode, with _SizedWorksheet for each worksheet."""
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            rels_path = get_rels_path(rel.target)
            if rels_path in self.valid_files:
                get_dependents(self.archive, rels_path)  # read, and left, as openpyxl does when read-only
            worksheet = _SizedWorksheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


class _SizedWorksheet(ReadOnlyWorksheet):
    def _get_size(self):
        """The <dimension> stated above the cells, as openpyxl's parse_dimensions reads it
        (the boundaries of its ref), else none: lxml stops where the cells begin."""
        with self._get_source() as source:
            for index, (_event, element) in enumerate(etree.iterparse(source, events=("start",), **PARSING)):
                if index == 0:
                    _refuse_entities(element)  # where openpyxl's parser would refuse them
                if element.tag == DIMENSION_TAG:
                    self._min_column, self._min_row, self._max_column, self._max_row = (
                        SheetDimension.from_tree(element).boundaries)
                    return
                if element.tag == DATA_TAG:
                    return


class EntitiesForbidden(ValueError):
    """The worksheet declares XML entities: no spreadsheet program writes them (defusedxml,
    which openpyxl reads with, refuses them with the same kind of error)."""


def worksheet_rows(worksheet, *, min_row: int, width: int):
    """Tuples of `width` values for the rows from `min_row` down, as
    `worksheet.iter_rows(min_row=min_row, max_col=width, values_only=True)` gives them once
    `worksheet.reset_dimensions()` has been called: a row the file leaves out is a row of
    None, cells beyond `width` are dropped, and nothing follows the last row in the file.
    Raises ValueError, KeyError, zipfile.BadZipFile or lxml's XMLSyntaxError for a damaged
    sheet (ValueError, EntitiesForbidden, for one declaring entities)."""
    empty = (None,) * width
    expected = min_row  # openpyxl's counter: the next row it gives
    for number, values in _SheetReader(worksheet).rows(width):
        for _missing in range(expected, number):
            expected += 1
            yield empty
        if expected <= number:  # a row above min_row, or out of order, is not given
            expected += 1
            yield tuple(values)


class _SheetReader:
    """One pass over a worksheet's XML, row by row, each row's cells placed by their column."""

    def __init__(self, worksheet):
        workbook = worksheet.parent
        self.worksheet = worksheet
        self.shared_strings = worksheet._shared_strings
        self.epoch, self.date_formats = workbook.epoch, workbook._date_formats
        self.timedelta_formats = workbook._timedelta_formats

    def rows(self, width: int):
        """(row number, the values of columns 1 to `width`) for each row element of the sheet, in
        the file's order, numbered as openpyxl's parse_row numbers them."""
        number = 0
        with self.worksheet._get_source() as source:
            parsed = etree.iterparse(source, tag=ROW_TAG, **PARSING)
            for index, (_event, row) in enumerate(parsed):
                if index == 0:
                    _refuse_entities(row)
                number = _row_number(row.get("r"), number)
                yield number, self._values(row, width)
                # keep memory flat: the row, and the rows before it, leave the tree
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]

    def _values(self, row, width: int) -> list:
        # Every child is a cell and has its value worked out, as in openpyxl's parse_row (so a
        # damaged cell beyond `width` fails the reading there too); a later one wins a column.
        values, column = [None] * width, 0
        for cell in row:
            reference = cell.get("r")
            column = coordinate_to_tuple(reference)[1] if reference else column + 1
            value = self.value(cell)
            if 1 <= column <= width:
                values[column - 1] = value
        return values

    def value(self, cell):
        """The cell's value, as WorkSheetParser.parse_cell gives it with data_only=True."""
        data_type = cell.get("t", "n")
        if data_type == "inlineStr":
            child = cell.find(INLINE_STRING)
            return None if child is None else _inline_text(child)
        value = cell.findtext(VALUE_TAG, None) or None
        if value is None:
            return None
        if data_type == "n":
            value = _cast_number(value)
            style_id = cell.get("s", 0)
            if style_id:
                style_id = int(style_id)
            if style_id in self.date_formats:
                try:
                    return from_excel(value, self.epoch, timedelta=style_id in self.timedelta_formats)
                except (OverflowError, ValueError):
                    warnings.warn(f"Cell {cell.get('r')} is marked as a date but the serial value {value} is "
                                  "outside the limits for dates. The cell will be treated as an error.",
                                  stacklevel=2)
                    return "#VALUE!"
            return value
        if data_type == "s":
            return self.shared_strings[int(value)]
        if data_type == "b":
            return bool(int(value))
        if data_type == "d":
            return from_ISO8601(value)
        return value  # "str" (a formula's text), "e" (an error such as #N/A)


def _inline_text(element) -> str:
    """An inline string's text: Text.from_tree(element).content, without building the Text for
    the plain `<is><t>…</t></is>` that spreadsheet programs write."""
    if not element.attrib and len(element) == 1:
        (child,) = element
        if child.tag == TEXT_TAG and not len(child):
            return child.text or ""
    return Text.from_tree(element).content


def _row_number(reference, previous: int) -> int:
    """A row's number as openpyxl's parse_row reads it: its `r`, else the one after the last."""
    if reference is None:
        return previous + 1
    try:
        return int(reference)
    except ValueError:
        number = float(reference)
        if not number.is_integer():
            raise ValueError(f"{reference} is not a valid row number") from None
        return int(number)


def _refuse_entities(element) -> None:
    dtd = element.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _entity in dtd.iterentities()):
        raise EntitiesForbidden("The worksheet declares XML entities.")
