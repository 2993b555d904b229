"""The report's page whatever the snapshot's size: the units short of compliance 50 a page,
each page with its units' corrections; the page's queries do not grow with the visits."""

import datetime

from django.urls import reverse

from reports import services
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
