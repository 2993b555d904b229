"""Who may open each registry page: editors (coordinator, administrator) edit and
import; leadership and office read; inspectors see only their visits' units (none
yet): out of scope is 404, the wrong role 403."""

import pytest
from django.urls import reverse

from tests.factories import make_unit
from tests.units.workbook_builders import upload
from units import imports
from units.models import ImportBatch
from units.services import load_divisions

READ, EDIT = "read", "edit"
PAGES = [
    # (url name, needs unit, kind)
    ("units:unit_list", False, READ),
    ("units:unit_export", False, READ),
    ("units:unit_detail", True, READ),
    ("units:unit_create", False, EDIT),
    ("units:unit_edit", True, EDIT),
    ("units:import_upload", False, EDIT),
    ("units:import_template", False, EDIT),
]
EXPECTED = {
    # who: (status of a read page, of an edit page, of a unit's page)
    "coordinator": (200, 200),
    "administrator": (200, 200),
    "leadership": (200, 403),
    "office": (200, 403),
}


@pytest.mark.parametrize(("url_name", "needs_unit", "kind"), PAGES)
@pytest.mark.parametrize("who", [*EXPECTED, "inspector", "anonymous"])
def test_registry_permission_matrix(client, request, db, url_name, needs_unit, kind, who):
    load_divisions()
    args = [make_unit().pk] if needs_unit else []
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    status = client.get(reverse(url_name, args=args)).status_code

    if who == "anonymous":
        assert status == 302
    elif who == "inspector":
        # Out of scope first (404), then the role (403); a list is simply empty.
        assert status == (404 if needs_unit else 403 if kind == EDIT else 200)
    else:
        assert status == EXPECTED[who][0 if kind == READ else 1]


BATCH_PAGES = [
    # (url name, method)
    ("units:import_detail", "get"),
    ("units:import_error_report", "get"),
    ("units:import_confirm", "post"),
    ("units:import_retry", "post"),
    ("units:reconcile_detail", "get"),
]


@pytest.mark.parametrize(("url_name", "method"), BATCH_PAGES)
@pytest.mark.parametrize(("who", "status"), [
    ("coordinator", None), ("administrator", None), ("leadership", 403), ("office", 403), ("inspector", 403),
    ("anonymous", 302),
])
def test_import_pages_are_for_editors_only(client, request, coordinator, url_name, method, who, status):
    load_divisions()
    kind = ImportBatch.Kind.PORTAL if url_name.startswith("units:reconcile") else ImportBatch.Kind.UNITS
    batch = imports.start_import(uploaded_file=upload([]), by=coordinator, kind=kind)
    imports.parse_import(batch)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = getattr(client, method)(reverse(url_name, args=[batch.pk]))

    # Editors get the page, or the redirect that follows a confirmation.
    assert response.status_code == (status or (302 if method == "post" else 200))
