"""Render the first page of each generated document to PNG for the README (docs/samples/).

    .venv/bin/python -m config.localdb -- .venv/bin/python scripts/render_documents.py [OUT_DIR] [--dpi 50]

Runs against the demo data (migrate, load_divisions and load_demo first, all idempotent), which
dates every document on the campaign's days: the schedule notice of the first sent itinerary,
the minutes of an approved visit that asked for corrections, the reminder of its follow-up (PDF
and Word), the report's Word draft and its Excel annex (the Word and Excel files converted by
LibreOffice headless, as a reader prints them). Needs poppler-utils (pdftoppm) and
libreoffice-writer-nogui / libreoffice-calc-nogui.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from inspections.models import FollowUp, Itinerary, Visit  # noqa: E402
from reports.documents import minutes_pdf, reminder_docx, reminder_pdf, schedule_notice_pdf  # noqa: E402
from reports.models import ProvincialReport  # noqa: E402
from reports.provincial_documents import report_annex, report_docx  # noqa: E402


def soffice_pdf(path: Path, out: Path) -> Path:
    """LibreOffice headless, with a private profile so that parallel runs do not clash."""
    with tempfile.TemporaryDirectory(prefix="lo-", dir="/tmp") as profile:
        subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(out), str(path)],
                       check=True, capture_output=True, timeout=180)
    return out / f"{path.stem}.pdf"


def png(pdf: Path, target: Path, dpi: int, page: int = 1) -> None:
    subprocess.run([shutil.which("pdftoppm"), "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(target.with_suffix(""))], check=True)


def documents(work: Path) -> dict[str, Path]:
    """Each document as a PDF in `work`, by name."""
    itinerary = Itinerary.objects.filter(schedule_sent_at__isnull=False).order_by("date").first()
    visit = (Visit.objects.filter(status=Visit.Status.APPROVED, corrections__isnull=False)
             .select_related("unit__commune__parent", "campaign", "itinerary").order_by("starts_at").first())
    follow_up = FollowUp.objects.filter(correction__visit=visit).first()
    report = ProvincialReport.objects.order_by("pk").first()
    files = {
        "thong-bao": schedule_notice_pdf(itinerary),
        "bien-ban": minutes_pdf(visit, evidence=visit.evidence.all()),
        "nhac-nho": reminder_pdf(follow_up),
    }
    paths = {}
    for name, content in files.items():
        paths[name] = work / f"{name}.pdf"
        paths[name].write_bytes(content)
    for name, content, suffix in (("nhac-nho-word", reminder_docx(follow_up), "docx"),
                                  ("bao-cao", report_docx(report), "docx"),
                                  ("phu-luc", report_annex(report), "xlsx")):
        source = work / f"{name}.{suffix}"
        source.write_bytes(content)
        paths[name] = soffice_pdf(source, work)
    return paths


def main(argv):
    out = Path(argv[1]) if len(argv) > 1 and not argv[1].startswith("--") else ROOT / "docs/samples"
    dpi = int(argv[argv.index("--dpi") + 1]) if "--dpi" in argv else 50
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_divisions")
    call_command("load_demo")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for name, pdf in documents(Path(work)).items():
            png(pdf, out / f"{name}.png", dpi)
            print(out / f"{name}.png")


if __name__ == "__main__":
    main(sys.argv)
