"""The Word and Excel files as a reader's office suite prints them: each converted to PDF by
LibreOffice headless (Debian's libreoffice-writer-nogui and libreoffice-calc-nogui, which
.ci/run installs; a private profile per run, so that parallel runs do not share one), then
read back with pdfplumber: the header lines do not wrap, the annex prints on A4, and every
table's header row repeats on each page the table spans. Missing tools fail the test."""

import datetime
import shutil
import subprocess
import unicodedata
import uuid

import pdfplumber
import pytest

from inspections.models import FollowUp
from reports import services
from reports.documents import reminder_docx
from reports.provincial_documents import report_annex, report_docx
from tests.conftest import require_tool
from tests.reports.test_provincial import MID_DECEMBER, world  # noqa: F401 (a fixture)

ISSUED = datetime.date(2021, 12, 22)
HEADER_LINES = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG")
A4 = (595, 842)  # points, either orientation
# Districts added to a snapshot so that its tables (every district listed) run over pages.
EXTRA_DISTRICTS = 70


@pytest.fixture
def times_metrics():
    """Times New Roman's metrics where the file is opened: Debian's Liberation Serif stands in."""
    require_tool("fc-match", "fontconfig")
    match = subprocess.run([shutil.which("fc-match"), "Times New Roman"], capture_output=True, text=True).stdout
    if not any(name in match for name in ("Liberation", "Times", "Tinos")):
        pytest.fail(f"no Times New Roman metrics ({match.strip()}): apt-get install fonts-liberation2", pytrace=False)


def convert(path, tmp_path) -> str:
    """`path` converted to PDF by LibreOffice headless with its own profile; the PDF's path."""
    require_tool("soffice", "libreoffice-writer-nogui libreoffice-calc-nogui")
    profile = f"file:///tmp/lo-{uuid.uuid4().hex}"
    try:
        subprocess.run([shutil.which("soffice"), f"-env:UserInstallation={profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                       check=True, capture_output=True, timeout=240)
    finally:
        shutil.rmtree(profile.removeprefix("file://"), ignore_errors=True)
    return str(path.with_suffix(".pdf"))


def pages_text(pdf_path) -> list[list[str]]:
    """Each page's lines, NFC (LibreOffice may write decomposed marks)."""
    with pdfplumber.open(pdf_path) as document:
        return [[unicodedata.normalize("NFC", line) for line in (page.extract_text() or "").splitlines()]
                for page in document.pages]


def page_sizes(pdf_path) -> list[tuple[int, int]]:
    with pdfplumber.open(pdf_path) as document:
        return [(round(page.width), round(page.height)) for page in document.pages]


def assert_header_lines_whole(pages) -> None:
    for whole in HEADER_LINES:
        assert any(whole in line for line in pages[0]), (whole, pages[0][:6])


def long_report(world, coordinator):  # noqa: F811
    """The world's report with 70 more districts in its snapshot (zeros): its tables by
    district, and the annex's, run over several pages."""
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    report.snapshot["districts"] += [[9000 + n, f"Địa bàn thử {n:02d}"] for n in range(1, EXTRA_DISTRICTS + 1)]
    return report


def pages_with_extra_districts(pages) -> list[int]:
    return [index for index, lines in enumerate(pages) if any("Địa bàn thử" in line for line in lines)]


def test_the_report_docx_keeps_its_header_lines_whole_and_repeats_table_headers(
        world, coordinator, tmp_path, times_metrics):  # noqa: F811
    report = long_report(world, coordinator)
    docx = tmp_path / "bao-cao.docx"
    docx.write_bytes(report_docx(report, issued_on=ISSUED))

    pages = pages_text(convert(docx, tmp_path))

    assert_header_lines_whole(pages)
    assert any("Độc lập - Tự do - Hạnh phúc" in line for line in pages[0])
    assert any("Hà Tĩnh, ngày 22 tháng 12 năm 2021" in line for line in pages[0])
    assert all(size == A4 for size in page_sizes(docx.with_suffix(".pdf")))
    spanned = pages_with_extra_districts(pages)
    assert len(spanned) >= 2, "the district table should run over pages"
    for index in spanned:
        # the district table's header row ("Huyện, thị xã, thành phố | Số lượt | Đạt | Đạt một phần | Chưa đạt")
        # is drawn again at the top of each page it runs on, above its first row there
        lines = pages[index]
        first_row = next(n for n, line in enumerate(lines) if "Địa bàn thử" in line)
        above = " ".join(lines[:first_row])
        assert "Huyện, thị xã," in above and "Số lượt" in above and "Chưa đạt" in above, (index, lines[:first_row])


def test_the_reminder_docx_keeps_its_header_lines_whole(world, tmp_path, times_metrics):  # noqa: F811
    docx = tmp_path / "nhac-nho.docx"
    docx.write_bytes(reminder_docx(FollowUp.objects.get(correction__visit=world["market_visit"]), issued_on=ISSUED))

    pages = pages_text(convert(docx, tmp_path))

    assert_header_lines_whole(pages)
    assert any("V/v đôn đốc khắc phục" in line for line in pages[0])
    assert all(size == A4 for size in page_sizes(docx.with_suffix(".pdf")))


def test_the_annex_prints_on_a4_with_its_header_row_on_every_page(world, coordinator, tmp_path, times_metrics):  # noqa: F811
    report = long_report(world, coordinator)
    xlsx = tmp_path / "phu-luc.xlsx"
    xlsx.write_bytes(report_annex(report))

    pdf = convert(xlsx, tmp_path)
    pages, sizes = pages_text(pdf), page_sizes(pdf)

    assert all(size in (A4, A4[::-1]) for size in sizes), sizes
    assert all(width > height for width, height in sizes)  # landscape
    spanned = pages_with_extra_districts(pages)
    assert len(spanned) >= 3, "the sheets by district should run over pages"
    for index in spanned:
        lines = pages[index]
        first_row = next(n for n, line in enumerate(lines) if "Địa bàn thử" in line)
        above = " ".join(lines[:first_row])
        # row 4, the print title: "Huyện, thị xã, thành phố" heads the by-district sheet and the criteria sheet
        assert "Huyện, thị xã, thành phố" in above or "Tiêu chí / Địa bàn" in above, (index, lines[:first_row])
