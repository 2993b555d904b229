"""The import from upload to commit: classification against the registry, the
preview, all or nothing, the command-line twin and the real task queue."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from tests.factories import make_unit, make_user
from tests.units.workbook_builders import upload, workbook_bytes
from units import imports
from units.models import Division, ImportBatch, ImportRow, Unit
from units.services import load_divisions

ROWS = [
    # name, category, district, commune, address, phone, code, date
    ["Chợ Hà Tĩnh", "Chợ", "Thành phố Hà Tĩnh", "Phường Trần Phú", "Đường Hà Huy Tập", 912345678, "QR-1", "05/11/2021"],
    ["Trường THCS Tân Lộc", "Trường học", "Lộc Hà", "Tân Lộc", "", "0239 3855 123", "", None],
    ["chợ  hà tĩnh", "Chợ", "Thành phố Hà Tĩnh", "Phường Trần Phú", "", "", "", None],
    ["Nhà hàng Sông La", "Nhà hàng, quán ăn", "Đức Thọ", "Tân Lộc", "", "", "", None],
]


def run_import(user, rows, **options):
    batch = imports.start_import(uploaded_file=upload(rows, **options), by=user)
    with translation.override("en"):
        imports.parse_import(batch)
    batch.refresh_from_db()
    return batch


def statuses(batch):
    return list(batch.rows.order_by("row").values_list("row", "status"))


def test_rows_are_classified_new_update_duplicate_error_with_reasons(coordinator, divisions):
    existing = make_unit("Chợ Hà Tĩnh", commune=18070, address="")

    batch = run_import(coordinator, ROWS)

    assert batch.status == ImportBatch.Status.READY
    assert batch.header_row == 3
    assert statuses(batch) == [(4, "update"), (5, "new"), (6, "duplicate"), (7, "error")]
    update = batch.rows.get(row=4)
    assert update.unit == existing
    assert sorted(update.changes) == ["address", "phone", "qr_created_on", "qr_location_code", "qr_status"]
    assert update.changes["phone"] == ["", "0912345678"]
    assert batch.rows.get(row=6).messages[0] == "The same place as row 4 of this file."
    assert batch.counts == {"new": 1, "update": 1, "duplicate": 1, "error": 1, "skipped": 0}


def test_a_unit_already_as_in_the_file_is_a_duplicate_that_changes_nothing(coordinator, divisions):
    make_unit("Trường THCS Tân Lộc", commune=18409, category="truong_hoc", phone="02393855123")

    batch = run_import(coordinator, [ROWS[1]])

    assert statuses(batch) == [(4, "duplicate")]


def test_nothing_is_written_before_confirmation_and_all_valid_rows_after(coordinator, divisions):
    batch = run_import(coordinator, ROWS[:2])
    assert Unit.objects.count() == 0

    result = imports.commit_import(batch, by=coordinator, only_valid_rows=False)

    assert result == {"created": 2, "updated": 0}
    unit = Unit.objects.get(qr_location_code="QR-1")
    assert (unit.phone, unit.created_by, unit.source_import) == ("0912345678", coordinator, batch)
    assert unit.history.get().history_user == coordinator


def test_errors_block_the_import_unless_the_user_chooses_the_valid_rows_only(coordinator, divisions):
    batch = run_import(coordinator, [ROWS[0], ROWS[3]])

    with pytest.raises(ValidationError):
        imports.commit_import(batch, by=coordinator, only_valid_rows=False)
    assert Unit.objects.count() == 0

    batch.refresh_from_db()
    assert imports.commit_import(batch, by=coordinator, only_valid_rows=True) == {"created": 1, "updated": 0}


def test_a_failure_midway_writes_nothing(coordinator, divisions):
    batch = run_import(coordinator, ROWS[:2])
    # Between the preview and the confirmation someone registers the code of row 4:
    # the second insert breaks the unique constraint after the first succeeded.
    make_unit("Một đơn vị khác", commune=18229, qr_location_code="QR-1")

    with translation.override("en"), pytest.raises(ValidationError) as error:
        imports.commit_import(batch, by=coordinator, only_valid_rows=False)

    assert Unit.objects.count() == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert error.value.messages[0].startswith("Nothing was imported:")


def test_a_second_confirmation_writes_nothing_more(coordinator, divisions):
    batch = run_import(coordinator, ROWS[:2])
    imports.commit_import(batch, by=coordinator, only_valid_rows=False)

    with pytest.raises(ValidationError):
        imports.commit_import(batch, by=coordinator, only_valid_rows=False)
    assert Unit.objects.count() == 2


def test_a_file_that_is_not_a_spreadsheet_fails_with_a_message_and_no_rows(coordinator, divisions):
    from django.core.files.uploadedfile import SimpleUploadedFile

    batch = imports.start_import(uploaded_file=SimpleUploadedFile("ds.xlsx", b"not a workbook"), by=coordinator)
    imports.parse_import(batch)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message
    assert batch.rows.count() == 0


def test_upload_preview_and_confirm_through_the_pages(
    client, coordinator, divisions, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("units:import_upload"), {"file": upload(ROWS)})
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("units:import_detail", args=[batch.pk])

    preview = client.get(reverse("units:import_detail", args=[batch.pk]))
    assert [row.status for row in preview.context["page"]] == ["new", "new", "duplicate", "error"]
    html = preview.content.decode()
    assert "Tải báo cáo lỗi" in html

    client.post(reverse("units:import_confirm", args=[batch.pk]))
    assert Unit.objects.count() == 0  # errors present and the user did not choose the valid rows only

    client.post(reverse("units:import_confirm", args=[batch.pk]), {"only_valid_rows": "on"})
    assert sorted(Unit.objects.values_list("name", flat=True)) == ["Chợ Hà Tĩnh", "Trường THCS Tân Lộc"]
    done = client.get(reverse("units:import_detail", args=[batch.pk]))
    assert done.context["batch"].status == ImportBatch.Status.DONE


def test_the_error_report_lists_the_original_rows_with_the_reason(client, coordinator, divisions,
                                                                  django_capture_on_commit_callbacks):
    import io

    import openpyxl

    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("units:import_upload"), {"file": upload(ROWS)})
    batch = ImportBatch.objects.get()

    response = client.get(reverse("units:import_error_report", args=[batch.pk]))

    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("STT", "Tên cơ sở", "Loại hình")
    assert [row[1] for row in rows[1:]] == ["chợ  hà tĩnh", "Nhà hàng Sông La"]
    assert rows[2][-1].startswith(ImportRow.objects.get(batch=batch, row=7).messages[0][:20])


def test_the_command_line_import_prints_json_and_dry_run_writes_nothing(coordinator, divisions, tmp_path, capsys):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(workbook_bytes(ROWS))

    call_command("import_units", str(path), "--dry-run", "--json", "--user", "coordinator")

    result = json.loads(capsys.readouterr().out)
    assert {k: result[k] for k in ("new", "update", "duplicate", "error")} == {
        "new": 2, "update": 0, "duplicate": 1, "error": 1}
    assert [(r["row"], r["status"]) for r in result["rows"]] == [(4, "new"), (5, "new"), (6, "duplicate"), (7, "error")]
    assert Unit.objects.count() == 0

    call_command("import_units", str(path), "--user", "coordinator")
    assert Unit.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_real_queue_and_worker_read_an_upload(settings):
    """Through django-tasks-db's table and `manage.py db_worker`, as `make run` does."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    coordinator = make_user("coordinator", Role.COORDINATOR)
    load_divisions()
    batch = imports.start_import(uploaded_file=upload(ROWS[:2]), by=coordinator)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UPLOADED

    call_command("db_worker", batch=True, reload=False, interval=0, startup_delay=False)

    batch.refresh_from_db()
    assert (batch.status, batch.counts["new"]) == (ImportBatch.Status.READY, 2)


def test_names_are_read_within_the_registrys_province_only(coordinator, db):
    """With all 63 provinces loaded, 'Tân Lộc' (a commune name in several provinces)
    and 'Kỳ Anh' still mean Hà Tĩnh's."""
    load_divisions(province_codes=None)

    batch = run_import(coordinator, [
        ["Nhà hàng Sông La", "Nhà hàng, quán ăn, quán cà phê", "Lộc Hà", "Tân Lộc", "", "", "", None],
        ["Chợ Kỳ Anh", "Chợ", "Thị xã Kỳ Anh", "Hưng Trí", "", "", "", None],
    ])

    assert statuses(batch) == [(4, "new"), (5, "new")]
    communes = [row.data["commune"] for row in batch.rows.order_by("row")]
    assert [Division.objects.get(pk=pk).parent.parent.code for pk in communes] == [42, 42]


def test_a_command_line_import_keeps_the_headers_for_its_error_report(coordinator, divisions, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(workbook_bytes(ROWS))

    call_command("import_units", str(path), "--user", "coordinator")

    batch = ImportBatch.objects.get()
    assert batch.headers[:3] == ["STT", "Tên cơ sở", "Loại hình"]
    assert batch.rows.count() == 4
