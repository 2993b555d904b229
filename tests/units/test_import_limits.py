"""An import is bounded: a decompression bomb, a sheet of too many rows and a file that
takes too long are refused with a message the uploader reads, quickly, with bounded
memory, and leave no row behind (issue #11)."""

import time
import tracemalloc

import pytest
from django.core.files import File
from django.utils import translation

from tests.units.workbook_builders import HEADER, sheet_xml_xlsx
from units import importing, imports
from units.models import ImportBatch, ImportRow

ROW = ["1", "Chợ Hà Tĩnh", "Chợ", "Thành phố Hà Tĩnh", "Phường Trần Phú", "Đường Hà Huy Tập", "0912345678", "", ""]


def parse_file(path, user) -> ImportBatch:
    with open(path, "rb") as handle:
        batch = imports.start_import(uploaded_file=File(handle, name="danh-sach.xlsx"), by=user)
    with translation.override("en"):
        imports.parse_import(batch)
    batch.refresh_from_db()
    return batch


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """The file of issue #11: 2 M rows, 416 MB of XML in 4.7 MB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    sheet_xml_xlsx(path, header=HEADER, row=ROW, rows=2_000_000)
    return path


def test_a_decompression_bomb_is_refused_within_seconds_in_little_memory_and_stores_no_row(
        bomb, coordinator, divisions):
    tracemalloc.start()
    started = time.monotonic()
    batch = parse_file(bomb, coordinator)
    elapsed = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == (
        "This file is too large to import: its worksheet unpacks to 396 MB, more than 100 MB (about 100.000 rows). "
        "Split the list into several files and import them one by one.")
    assert ImportRow.objects.count() == 0
    assert elapsed < 10
    assert peak < 20 * 1024 * 1024


def test_a_part_that_unpacks_to_hundreds_of_times_its_size_is_a_bomb(coordinator, divisions, tmp_path):
    path = tmp_path / "ratio.xlsx"
    # 20 MB of identical rows, under the size limit, packed at the strongest level.
    sheet_xml_xlsx(path, header=HEADER, row=ROW, rows=100_000, compresslevel=9)

    batch = parse_file(path, coordinator)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message.startswith("This file is refused: it unpacks to ")
    assert ImportRow.objects.count() == 0


def test_a_sheet_stating_too_many_rows_is_refused_before_its_first_row(coordinator, divisions, tmp_path):
    path = tmp_path / "rows.xlsx"
    sheet_xml_xlsx(path, header=HEADER, row=ROW, rows=importing.MAX_ROWS + 100)

    started = time.monotonic()
    batch = parse_file(path, coordinator)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == ("This file has more than 100.000 rows: no list of units is that long. Split the list "
                             "into several files and import them one by one.")
    assert batch.progress_done == 0
    assert time.monotonic() - started < 5


def test_rows_past_the_limit_stop_the_reading_when_the_sheet_states_no_size(
        coordinator, divisions, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 1_000)
    path = tmp_path / "no-dimension.xlsx"
    sheet_xml_xlsx(path, header=HEADER, row=ROW, rows=1_500, dimension=False)

    batch = parse_file(path, coordinator)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message.startswith("This file has more than 1.000 rows")
    assert ImportRow.objects.count() == 0


def test_reading_that_takes_too_long_is_stopped_with_a_message(coordinator, divisions, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "MAX_SECONDS", 0)
    path = tmp_path / "slow.xlsx"
    sheet_xml_xlsx(path, header=HEADER, row=ROW, rows=600, dimension=False)

    batch = parse_file(path, coordinator)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == ("Reading this file took more than 0 minutes and was stopped. Split the list into "
                             "several smaller files and import them one by one.")
    assert ImportRow.objects.count() == 0


def test_a_list_within_the_limits_is_read(coordinator, divisions, tmp_path):
    path = tmp_path / "ok.xlsx"
    sheet_xml_xlsx(path, header=HEADER, row=ROW, rows=3, dimension=False)

    batch = parse_file(path, coordinator)

    assert (batch.status, batch.counts["new"], batch.counts["duplicate"]) == (ImportBatch.Status.READY, 1, 2)
