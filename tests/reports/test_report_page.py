"""The report's page whatever the snapshot's size: the units short of compliance 50 a page,
each page with its units' corrections; the page's queries do not grow with the visits."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import provincial, services
from reports.models import ProvincialReport
from tests.factories import make_unit, make_visit
from tests.reports.test_provincial import MID_DECEMBER, world  # noqa: F401 (the fixture)


def test_the_units_short_of_compliance_are_listed_fifty_a_page(client, world, coordinator,  # noqa: F811
                                                              django_assert_num_queries):
    for number in range(50):
        make_visit(world["campaign"], make_unit(f"Cửa hàng số {number:02d}", commune=18070), conclusion={
            "a": "chua_dat", "b": "chua_dat", "overall": "chua_dat"}, day=datetime.date(2021, 12, 11))
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    client.force_login(coordinator)
    url = reverse("reports:report_detail", args=[report.pk])
    # 50 new, the school and the market of the fixture: 52 short of compliance
    with django_assert_num_queries(5):
        first = client.get(url).context
    second = client.get(url, {"page": 2}).context
    assert (len(first["short_of_compliance"]), len(second["short_of_compliance"])) == (50, 2)
    assert first["page"].paginator.count == 52
    market = [row for row in first["short_of_compliance"] + second["short_of_compliance"]
              if row["id"] == world["market_visit"].pk]
    assert [(item["description"], item["outcome_label"]) for item in market[0]["corrections"]] == [
        ("Bố trí người hướng dẫn quét mã QR", "Đang theo dõi")]
    assert market[0]["district_name"] == "Huyện Can Lộc"
    assert "?page=2" in client.get(url).content.decode()


def test_the_page_reads_the_digest_and_slices_of_the_snapshot_never_the_snapshot_whole(client, world,  # noqa: F811
                                                                                      coordinator):
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    client.force_login(coordinator)
    pages = [reverse(f"reports:{name}", args=[report.pk]) for name in ("report_detail", "report_files")] + [
        reverse("reports:report_visits", args=[report.pk]) + "?overall=chua_dat",
        reverse("reports:report_list", args=[world["campaign"].pk])]  # and its list, the files' poll
    for name in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(name).status_code == 200
        # the column is read only inside PostgreSQL's slicing (r.snapshot->...), never fetched
        assert not [q["sql"] for q in queries if '"reports_provincialreport"."snapshot"' in q["sql"]], name


def test_the_digest_states_what_the_figures_of_the_snapshot_state(world, coordinator):  # noqa: F811
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    figures, digest = provincial.Figures(report.snapshot, link="/x/"), provincial.Digest(report.digest, link="/x/")

    def shown(rows):
        return [[(str(cell), cell.href) if hasattr(cell, "href") else cell for cell in row] for row in rows]

    assert (digest.units_inspected, str(digest.total), digest.total.href) == (
        figures.units_inspected, str(figures.total), figures.total.href)
    assert shown(digest.by_category()) == shown(figures.by_category())
    assert shown(digest.criteria()) == shown(figures.criteria())
    assert shown(digest.by_district()) == shown(figures.by_district())
    assert digest.total.count > 0 and digest.pending == report.snapshot["pending"]


def test_a_report_taken_before_digests_gets_its_digest_on_its_first_view(client, world, coordinator):  # noqa: F811
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    expected = report.digest
    expected_rows = ProvincialReport.objects.get(pk=report.pk).short_rows
    ProvincialReport.objects.filter(pk=report.pk).update(digest={}, short_rows=[])
    client.force_login(coordinator)

    response = client.get(reverse("reports:report_detail", args=[report.pk]))

    assert response.status_code == 200
    stored = ProvincialReport.objects.get(pk=report.pk)
    assert (stored.digest, stored.short_rows) == (expected, expected_rows) and expected_rows
    assert [row["id"] for row in response.context["short_of_compliance"]] == [row["id"] for row in expected_rows]
    assert response.context["figures"].total.count == expected["total"][0]


def test_the_visits_behind_a_figure_are_those_the_snapshot_lists_for_its_filter(client, world,  # noqa: F811
                                                                               coordinator):
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    figures = provincial.Figures(report.snapshot)
    client.force_login(coordinator)
    for query in [{}, {"overall": "chua_dat"}, {"district": figures.rows[0]["district"]},
                  {"category": figures.rows[0]["category"], "overall": figures.rows[0]["overall"]},
                  {"district": "no such district"}]:
        page = client.get(reverse("reports:report_visits", args=[report.pk]), query).context["page"]
        assert [row["id"] for row in page] == [row["id"] for row in figures.visits_for(query)], query
        assert page.paginator.count == len(figures.visits_for(query))


def test_the_short_list_is_the_snapshots_units_short_of_compliance_page_by_page(client, world,  # noqa: F811
                                                                              coordinator):
    for number in range(53):
        make_visit(world["campaign"], make_unit(f"Quầy số {number:02d}", commune=18070), conclusion={
            "a": "dat_mot_phan", "overall": "dat_mot_phan" if number % 2 else "chua_dat"},
            day=datetime.date(2021, 12, 12))
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    expected = [row["id"] for row in provincial.Figures(report.snapshot).short_of_compliance()]
    client.force_login(coordinator)
    url = reverse("reports:report_detail", args=[report.pk])

    pages = [client.get(url, {"page": number}).context for number in (1, 2)]
    assert [row["id"] for context in pages for row in context["short_of_compliance"]] == expected
    assert pages[0]["page"].paginator.count == len(expected) == 55
    assert client.get(url, {"page": 99}).context["page"].number == 2  # past the end: the last page
    # Without the digest's count, the stored list counts itself (one query, not the list read).
    with CaptureQueriesContext(connection) as queries:
        assert provincial.ShortRows(report.pk, None).count() == 55
    assert len(queries) == 1 and "jsonb_array_length" in queries[0]["sql"]


def test_the_digest_counts_the_annex_table_of_districts_by_category_as_the_figures_do(world, coordinator):  # noqa: F811
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    figures = provincial.Figures(report.snapshot)

    reading = provincial.AnnexReading.of(ProvincialReport.objects.defer("snapshot").get(pk=report.pk))

    assert reading.categories == figures.categories and len(reading.categories) >= 2
    assert reading.matrix() == [(name, [figure.count for figure in counts])
                                for name, counts, _total in figures.matrix()]
    assert sum(sum(counts) for _name, counts in reading.matrix()) == figures.total.count > 0


def test_a_digest_taken_before_it_held_the_annex_table_gets_it_counted_by_postgresql_once(world, coordinator):  # noqa: F811
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    expected = report.digest
    older = {key: value for key, value in expected.items() if key != "matrix"}
    ProvincialReport.objects.filter(pk=report.pk).update(digest=older)
    report = ProvincialReport.objects.defer("snapshot").get(pk=report.pk)

    with CaptureQueriesContext(connection) as queries:
        reading = provincial.AnnexReading.of(report)
    assert len(queries) == 1 and '"snapshot"' not in queries[0]["sql"]  # counted inside PostgreSQL

    stored = ProvincialReport.objects.get(pk=report.pk).digest
    assert sorted(map(tuple, stored["matrix"])) == sorted(map(tuple, expected["matrix"]))
    assert {key: value for key, value in stored.items() if key != "matrix"} == older
    assert reading.counts == {(district, category): count for district, category, count in expected["matrix"]}
    with CaptureQueriesContext(connection) as queries:
        provincial.AnnexReading.of(ProvincialReport.objects.defer("snapshot").get(pk=report.pk))
    assert len(queries) == 1  # the report itself, nothing counted again
