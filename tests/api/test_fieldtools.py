"""The field tools through the API (api/fieldtools.py), as the visit page's signature pad
and QR scanner send them through the phone's outbox: once per Idempotency-Key, 404
outside the caller's scope, 403 for someone who sees the visit but is not on it, 409
once the visit's state forbids the write."""

import io
import json

import pytest
from django.test import Client
from PIL import Image, ImageDraw

from api.models import ApiIdempotency
from inspections import fieldtools, fieldwork
from inspections.models import QrScan, Signature, Visit
from tests.api.conftest import api_client
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    Unit.objects.filter(pk=visit.unit_id).update(qr_location_code="HT18406-0007")
    return visit


def png(color=(11, 31, 102, 255)):
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(40, 150), (300, 40), (560, 120)], fill=color, width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def sign(client, visit, key, *, role="unit_representative", name="Trần Văn Bình", content=None):
    image = io.BytesIO(content or png())
    image.name = "chu-ky.png"
    return client.post(f"/api/visits/{visit.pk}/signatures", {"role": role, "signer_name": name, "image": image},
                       headers={"idempotency-key": key})


def scan(client, visit, key, code="HT18406-0007", method="camera"):
    return client.post(f"/api/visits/{visit.pk}/qr-scans", json.dumps({"code": code, "method": method}),
                       content_type="application/json", headers={"idempotency-key": key})


def test_a_signature_replayed_three_times_is_kept_once(world, market):
    client = api_client(world["member"])

    responses = [sign(client, market, "s-1") for _ in range(3)]

    assert [r.status_code for r in responses] == [201, 201, 201]
    assert responses[0].json() == responses[2].json()
    body = responses[0].json()
    assert (body["role"], body["signer_name"], body["width"]) == (
        {"code": "unit_representative", "label": "Đại diện đơn vị"}, "Trần Văn Bình", 600)
    signature = Signature.objects.get()
    assert (signature.sha256, signature.history.count()) == (body["sha256"], 1)
    page = Client()  # the image is the page's, behind the session like the photos
    page.force_login(world["member"])
    assert page.get(body["image_url"]).status_code == 200


def test_another_key_replaces_the_role_s_signature(world, market):
    client = api_client(world["member"])
    sign(client, market, "s-1")

    sign(client, market, "s-2", name="Trần Văn Bính", content=png((200, 0, 0, 255)))

    assert list(Signature.objects.values_list("signer_name", flat=True)) == ["Trần Văn Bính"]


def test_no_signature_on_an_approved_visit(world, market):
    Visit.objects.filter(pk=market.pk).update(status="approved")

    response = sign(api_client(world["member"]), market, "s-1")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Lượt kiểm tra đã được duyệt và khóa: chỉ thay đổi bằng điều chỉnh có nêu lý do."}
    assert not Signature.objects.exists()


def test_signatures_only_from_the_people_on_the_visit(world, market):
    assert sign(api_client(world["outsider"]), market, "s-1").status_code == 404
    assert sign(api_client(world["coordinator"]), market, "s-1").status_code == 403
    assert sign(api_client(world["leadership"]), market, "s-1").status_code == 403
    response = sign(api_client(world["member"]), market, "s-2", role="secretary")
    assert response.status_code == 422
    assert not Signature.objects.exists()
    assert not ApiIdempotency.objects.exists()


def test_a_blank_signature_is_refused_with_its_reason(world, market):
    blank = io.BytesIO()
    Image.new("RGBA", (600, 200), (0, 0, 0, 0)).save(blank, "PNG")

    response = sign(api_client(world["member"]), market, "s-1", content=blank.getvalue())

    assert (response.status_code, response.json()) == (422, {"detail": "Chữ ký trống: hãy ký vào khung trước."})


def test_a_qr_scan_replayed_is_recorded_once_with_its_result(world, market):
    client = api_client(world["member"])

    first, again = scan(client, market, "q-1"), scan(client, market, "q-1")
    other = scan(client, market, "q-2", code="HT18406-0099", method="typed")

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert (first.json()["result"], first.json()["in_words"], first.json()["registry_code"]) == (
        {"code": "match", "label": "Khớp mã của đơn vị trong sổ đăng ký"}, "Khớp mã của đơn vị trong sổ đăng ký",
        "HT18406-0007")
    assert other.json()["in_words"] == "Mã của địa điểm khác: HT18406-0099"
    assert sorted(QrScan.objects.values_list("result", "method")) == [("match", "camera"), ("other_code", "typed")]


def test_qr_scans_follow_the_visit_s_scope_and_state(world, market):
    assert scan(api_client(world["outsider"]), market, "q-1").status_code == 404
    assert scan(api_client(world["coordinator"]), market, "q-1").status_code == 403
    Visit.objects.filter(pk=market.pk).update(status="submitted")
    assert scan(api_client(world["member"]), market, "q-1").status_code == 409
    assert not QrScan.objects.exists()


def test_the_visit_reads_back_its_signatures_scans_and_transcription(world, market):
    client = api_client(world["member"])
    sign(client, market, "s-1")
    scan(client, market, "q-1")
    b1 = market.checklist.sections.get(code="b").items.get(code="b1")
    fieldtools.transcribe_paper(market, entries=[(b1, "yes", "")], by=world["member"])

    body = client.get(f"/api/visits/{market.pk}").json()

    assert [s["role"]["code"] for s in body["signatures"]] == ["unit_representative"]
    assert [s["result"]["code"] for s in body["qr_scans"]] == ["match"]
    assert body["transcription"]["by"] == "Member1"
    assert body["transcription"]["in_words"].startswith("Nhập từ phiếu giấy bởi Member1 lúc ")
