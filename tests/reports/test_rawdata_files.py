"""The raw data past Excel's limits: a long list goes on in sheets of the same header; each
sheet also as CSV streamed while it is read and as Parquet, for any size; who may get them."""

import csv
import io

import pyarrow.parquet as pq
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from reports import rawdata
from tests.factories import make_campaign
from tests.reports.test_rawdata import ANSWER_HEADERS, VISIT_HEADERS, world  # noqa: F401 (the fixture)
from units.exporters import EXCEL_MAX_ROWS, ListExporter, render_xlsx


class Numbers(ListExporter):
    def __init__(self, count):
        self.count = count

    def title(self):
        return "Câu trả lời"

    def headers(self):
        return ["n"]

    def rows(self):
        return ([number] for number in range(self.count))


def test_a_list_longer_than_a_sheet_goes_on_in_sheets_of_the_same_header():
    handle = io.BytesIO()
    assert render_xlsx([Numbers(5)], handle, rows_per_sheet=2) == 5
    handle.seek(0)
    workbook = load_workbook(handle, read_only=True)
    assert workbook.sheetnames == ["Câu trả lời", "Câu trả lời (2)", "Câu trả lời (3)"]
    assert [list(workbook[title].values) for title in workbook.sheetnames] == [
        [("n",), (0,), (1,)], [("n",), (2,), (3,)], [("n",), (4,)]]
    # By default a sheet holds what Excel opens: 1,048,576 rows, the header one of them.
    assert EXCEL_MAX_ROWS == 1_048_576
    assert render_xlsx.__kwdefaults__["rows_per_sheet"] == EXCEL_MAX_ROWS - 1


def _expected(world, coordinator, sheet):  # noqa: F811
    with translation.override("en"):
        exporter = rawdata.sheet_for(world["campaign"], coordinator, sheet)
        return exporter.headers(), list(exporter.rows())


@pytest.mark.parametrize("sheet", ["visits", "answers"])
def test_each_sheet_streams_as_csv_with_its_rows(client, world, coordinator, sheet):  # noqa: F811
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("reports:raw_data_file", args=[world["campaign"].pk, sheet, "csv"]))
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="du-lieu-tho-{world["campaign"].pk}-{sheet}.csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    read = list(csv.reader(io.StringIO(text[1:])))
    headers, rows = _expected(world, coordinator, sheet)
    assert read[0] == headers == (VISIT_HEADERS if sheet == "visits" else ANSWER_HEADERS)
    assert read[1:] == [[str(rawdata._csv_value(value)) for value in row] for row in rows]
    assert len(read) - 1 == (2 if sheet == "visits" else 21)


def test_csv_keeps_user_text_as_text_and_dates_dd_mm_yyyy():
    assert [rawdata._csv_value(value) for value in ("=1+1", "-", "@x", "Chợ", None, 3)] == [
        "'=1+1", "'-", "'@x", "Chợ", "", 3]
    import datetime

    assert rawdata._csv_value(datetime.date(2021, 12, 7)) == "07/12/2021"
    assert rawdata._csv_value(datetime.datetime(2021, 12, 7, 9, 5)) == "07/12/2021 09:05"


def test_the_answers_as_parquet(client, world, coordinator, monkeypatch):  # noqa: F811
    monkeypatch.setattr(rawdata, "PARQUET_BATCH", 4)  # several row groups from a small campaign
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("reports:raw_data_file", args=[world["campaign"].pk, "answers", "parquet"]))
    table = pq.read_table(io.BytesIO(b"".join(response.streaming_content)))
    headers, rows = _expected(world, coordinator, "answers")
    assert table.column_names == headers
    assert table.to_pylist() == [dict(zip(headers, [row[0], *(rawdata._parquet_value(v) for v in row[1:])],
                                          strict=True)) for row in rows]
    assert pq.ParquetFile(io.BytesIO(b"".join(client.get(response.request["PATH_INFO"]).streaming_content))
                          ).num_row_groups == 6  # 21 rows, 4 a group


def test_only_the_dic_gets_the_raw_data_and_only_of_its_campaigns(client, world, office, coordinator):  # noqa: F811
    url = reverse("reports:raw_data_file", args=[world["campaign"].pk, "answers", "csv"])
    client.force_login(office)
    assert client.get(url).status_code == 403
    client.force_login(world["member"])  # an inspector of the campaign: not an analyst
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    draft = make_campaign(title="Kế hoạch nháp", status="draft")
    assert client.get(reverse("reports:raw_data_file", args=[draft.pk + 1, "answers", "csv"])).status_code == 404
    for sheet, fmt in (("units", "csv"), ("answers", "xls")):
        assert client.get(reverse("reports:raw_data_file", args=[world["campaign"].pk, sheet, fmt])).status_code == 404
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("sheet", ["visits", "answers"])
def test_the_csv_runs_a_fixed_number_of_queries(client, world, coordinator, sheet,  # noqa: F811
                                                django_assert_num_queries):
    client.force_login(coordinator)
    response = client.get(reverse("reports:raw_data_file", args=[world["campaign"].pk, sheet, "csv"]))
    # the rows (one server-side cursor), and the lookups built before the loop (categories; items)
    with django_assert_num_queries(2):
        b"".join(response.streaming_content)
