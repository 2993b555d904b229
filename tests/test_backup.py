"""`manage.py backup` and `restore`: the database and the media together, and back again."""

import hashlib
import shutil
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from inspections import fieldwork
from inspections.evidence import add_evidence
from inspections.models import Evidence, Visit
from reports import services
from reports.models import ProvincialReport, RawExport
from reports.rawdata import request_raw_export
from tests.inspections.test_evidence import photo
from tests.inspections.test_fieldwork import build
from tests.reports.test_provincial import MID_DECEMBER


def sha256(field_file) -> str:
    with field_file.open("rb") as stream:
        return hashlib.sha256(stream.read()).hexdigest()


def state():
    """What a restore must give back: the visits, the photo's bytes, the generated files."""
    evidence = Evidence.objects.get()
    report = ProvincialReport.objects.get()
    export = RawExport.objects.get()
    return {
        "visits": list(Visit.objects.order_by("pk").values_list("pk", "unit__name", "status", "starts_at")),
        "photo": (evidence.file.name, evidence.sha256, sha256(evidence.file)),
        "report": (report.document.name, sha256(report.document), report.annex.name, sha256(report.annex)),
        "export": (export.status, export.file.name, sha256(export.file)),
    }


# Outside a test transaction: pg_dump and pg_restore are other sessions, which see only
# what is committed. pytest-django's database (test_pccovid) is the one dumped and restored;
# it is emptied after the test, and the next test that commits starts from the seeded rows
# again (tests/conftest.py: seeded_after_a_flush). No serialized rollback: it reloads the
# content types over the ones the last flush recreated, and failed after another committing test.
@pytest.mark.django_db(transaction=True)
def test_a_backup_wiped_and_restored_gives_back_the_visits_the_photos_and_the_files(coordinator, settings, tmp_path):
    world = build(coordinator)
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    add_evidence(visit, uploaded_file=photo(), by=world["member"])
    services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    request_raw_export(world["campaign"], by=coordinator)
    before = state()
    (tmp_path / "backups").mkdir()

    call_command("backup", tmp_path / "backups")

    [archive] = (tmp_path / "backups").iterdir()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names == ["database.dump", *sorted(f"media/{name}" for name in (
        before["photo"][0], before["report"][0], before["report"][2], before["export"][1])), "manifest.json"]

    # The wipe: every row and every file gone.
    call_command("flush", interactive=False)
    shutil.rmtree(settings.MEDIA_ROOT)
    assert (Visit.objects.count(), Evidence.objects.count()) == (0, 0)

    with pytest.raises(CommandError, match="Run again with --yes"):
        call_command("restore", archive)
    assert Visit.objects.count() == 0
    call_command("restore", archive, yes=True)

    assert state() == before
    assert connection.settings_dict["NAME"].startswith("test_")


@pytest.mark.django_db
def test_a_damaged_archive_is_refused_before_anything_changes(coordinator, settings, tmp_path):
    archive = tmp_path / "backup.tar"
    (tmp_path / "database.dump").write_bytes(b"PGDMP")
    (tmp_path / "manifest.json").write_text('{"format": 1, "media": {"evidence/anh.jpg": "0000"}}')
    with tarfile.open(archive, "w") as tar:
        tar.add(tmp_path / "database.dump", "database.dump")
        tar.add(tmp_path / "manifest.json", "manifest.json")
    kept = settings.MEDIA_ROOT / "evidence" / "kept.jpg"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"jpeg")

    with pytest.raises(CommandError, match="is damaged: media/evidence/anh.jpg is missing"):
        call_command("restore", archive, yes=True)
    assert kept.read_bytes() == b"jpeg"
