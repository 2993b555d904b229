"""The registry's detail pages run the same number of queries for 1 item as for 3
(STYLE: query counts on every list, always the `with` form)."""

import pytest
from django.urls import reverse

from tests.factories import make_unit
from tests.units.test_import_flow import run_import
from tests.units.test_reconciliation import PORTAL_HEADER
from tests.units.workbook_builders import upload
from units import imports, services
from units.models import ImportBatch

COUNTS = [1, 3]


@pytest.mark.parametrize("count", COUNTS)
def test_the_unit_page_runs_a_fixed_number_of_queries(client, coordinator, divisions, count,
                                                      django_assert_num_queries):
    unit = make_unit("Chợ Hà Tĩnh", address="")
    addresses = [f"Số {number} đường Hà Huy Tập" for number in range(1, count + 1)]
    for address in addresses:
        services.update_unit(unit, by=coordinator, address=address)
    client.force_login(coordinator)

    # session, user with their groups, the unit (category, commune, district, who created and changed it, its import),
    # its history (with who changed it), its targets, its visits, its follow-ups
    with django_assert_num_queries(7):
        response = client.get(reverse("units:unit_detail", args=[unit.pk]))
    changes = response.context["changes"]
    assert [fields[0][2] for _when, _who, fields in changes[:-1]] == addresses[::-1]  # newest first
    assert [address in response.content.decode() for address in addresses] == [True] * count


@pytest.mark.parametrize("count", COUNTS)
def test_the_import_preview_runs_a_fixed_number_of_queries(client, coordinator, divisions, count,
                                                           django_assert_num_queries):
    names = [f"Chợ số {number}" for number in range(1, count + 1)]
    for name in names:
        make_unit(name, address="")
    batch = run_import(coordinator, [[name, "Chợ", "Thành phố Hà Tĩnh", "Phường Trần Phú", f"Đường {name}", "", "",
                                      None] for name in names])
    client.force_login(coordinator)

    # session, user with their groups, the batch (who uploaded it), count, the page of rows (their units)
    with django_assert_num_queries(5):
        response = client.get(reverse("units:import_detail", args=[batch.pk]))
    assert [(row.status, row.unit.name) for row in response.context["page"]] == [("update", name) for name in names]
    assert [f"Đường {name}" in response.content.decode() for name in names] == [True] * count


@pytest.mark.parametrize("count", COUNTS)
def test_the_reconciliation_runs_a_fixed_number_of_queries(client, coordinator, divisions, count,
                                                           django_assert_num_queries):
    names = [f"Chợ số {number}" for number in range(1, count + 1)]
    for number, name in enumerate(names, start=1):
        make_unit(name, qr_location_code=f"HT-00{number}", qr_status="created")
    rows = [[name, "", "Thành phố Hà Tĩnh", "Trần Phú", "Nguyễn Văn A", "", f"HT-00{number}", "02/11/2021"]
            for number, name in enumerate(names, start=1)]
    batch = imports.start_import(uploaded_file=upload(rows, header=PORTAL_HEADER), by=coordinator,
                                  kind=ImportBatch.Kind.PORTAL)
    imports.parse_import(batch)
    client.force_login(coordinator)

    # session, user with their groups, the batch, count, the QR coverage per district, the page of matched rows (units,
    # communes)
    with django_assert_num_queries(6):
        response = client.get(reverse("units:reconcile_detail", args=[batch.pk]))
    assert [(row.status, row.unit.name) for row in response.context["page"]] == [("matched", name) for name in names]
    assert [name in response.content.decode() for name in names] == [True] * count
