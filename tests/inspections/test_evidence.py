import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from inspections import fieldwork
from inspections.evidence import add_evidence
from inspections.models import ChecklistItem, Evidence
from tests.inspections.test_fieldwork import answer_all, build


@pytest.fixture
def world(db, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build(coordinator)
    world["visit"] = fieldwork.start_visit(world["market"], by=world["member"])
    return world


def photo(width=4000, height=3000, *, exif=True, name="anh.jpg"):
    image = Image.new("RGB", (width, height), (200, 30, 30))
    data = image.getexif()
    if exif:
        data[306] = "2021:12:07 08:15:00"  # DateTime
        gps = data.get_ifd(0x8825)
        gps.update({1: "N", 2: (18.0, 23.0, 24.0), 3: "E", 4: (105.0, 54.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_photo_is_downscaled_to_1600_px_hashed_and_stripped_of_metadata(world):
    evidence = add_evidence(world["visit"], uploaded_file=photo(), by=world["member"])

    stored = evidence.file.read()
    assert (evidence.width, evidence.height) == (1600, 1200)
    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
    assert dict(Image.open(io.BytesIO(stored)).getexif()) == {}
    assert (evidence.taken_at, evidence.latitude) == (None, None)


def test_time_and_place_are_kept_only_if_the_inspector_allows(world):
    evidence = add_evidence(world["visit"], uploaded_file=photo(), by=world["member"], keep_metadata=True)

    assert evidence.taken_at.strftime("%d/%m/%Y %H:%M") == "07/12/2021 08:15"
    assert (float(evidence.latitude), float(evidence.longitude)) == (18.39, 105.9)


def test_a_file_that_is_not_an_image_or_too_large_is_refused_with_a_clear_message(world):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        add_evidence(world["visit"], uploaded_file=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4"), by=world["member"])
    assert error.value.messages == ["“bien-ban.pdf” không phải là ảnh (JPEG, PNG, HEIC đã lưu thành JPEG…)."]

    big = SimpleUploadedFile("lon.jpg", b"0" * (15 * 1024 * 1024 + 1))
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        add_evidence(world["visit"], uploaded_file=big, by=world["member"])
    assert error.value.messages[0].startswith("Ảnh lớn hơn 15 MB")
    assert Evidence.objects.count() == 0


def test_no_on_qr_posted_needs_a_photo_before_submitting(world):
    visit = world["visit"]
    answer_all(visit, world["member"], {"b2": "no"})

    with translation.override("en"), pytest.raises(ValidationError) as error:
        fieldwork.submit_visit(visit, by=world["member"], key="k")
    assert error.value.messages == ["These answers need a photo: b2."]

    add_evidence(visit, uploaded_file=photo(), item=ChecklistItem.objects.get(code="b2"), by=world["member"])
    assert fieldwork.submit_visit(visit, by=world["member"], key="k") is True


def test_photos_are_uploaded_from_the_page_and_served_only_to_those_who_see_the_visit(client, world):
    visit = world["visit"]
    client.force_login(world["member"])

    client.post(reverse("inspections:evidence_add", args=[visit.pk]), {"photo": photo(800, 600), "note": "Lối vào"})

    evidence = Evidence.objects.get()
    url = reverse("inspections:evidence_file", args=[evidence.pk])
    response = client.get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == evidence.sha256
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404
    assert client.post(reverse("inspections:evidence_add", args=[visit.pk]), {"photo": photo()}).status_code == 404
