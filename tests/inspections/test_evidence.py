import datetime
import hashlib
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from inspections import fieldwork
from inspections.evidence import LOCAL_TIMEZONE, add_evidence
from inspections.models import ChecklistItem, Evidence
from tests.inspections.test_fieldwork import answer_all, build


@pytest.fixture
def world(db, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build(coordinator)
    world["visit"] = fieldwork.start_visit(world["market"], by=world["member"])
    return world


def photo(width=4000, height=3000, *, taken="2021:12:07 08:15:00", offset=None, gps=True, name="anh.jpg"):
    """A real JPEG as a phone writes it: EXIF DateTimeOriginal (and OffsetTimeOriginal),
    the GPS IFD, and a DateTime of its own (when the file was last changed)."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    data = image.getexif()
    data[306] = "2021:12:09 17:00:00"  # DateTime: an editor's, not the camera's
    if taken:
        exif = data.get_ifd(0x8769)
        exif[36867] = taken  # DateTimeOriginal
        if offset:
            exif[36881] = offset  # OffsetTimeOriginal
    if gps:
        data.get_ifd(0x8825).update({1: "N", 2: (18.0, 23.0, 24.0), 3: "E", 4: (105.0, 54.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def local(value):
    return timezone.localtime(value, LOCAL_TIMEZONE).strftime("%d/%m/%Y %H:%M")


def at(hour, minute=0, day=7):
    return datetime.datetime(2021, 12, day, hour, minute, tzinfo=LOCAL_TIMEZONE)


def test_a_photo_is_downscaled_to_1600_px_hashed_and_stripped_of_metadata(world):
    evidence = add_evidence(world["visit"], uploaded_file=photo(), by=world["member"])

    stored = evidence.file.read()
    assert (evidence.width, evidence.height) == (1600, 1200)
    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
    assert dict(Image.open(io.BytesIO(stored)).getexif()) == {}
    # The time is the camera's, always; the place only if the inspector allows.
    assert (local(evidence.taken_at), evidence.taken_at_source) == ("07/12/2021 08:15", "exif")
    assert (evidence.latitude, evidence.longitude, evidence.location_source) == (None, None, "")


def test_the_photo_s_place_is_kept_only_if_the_inspector_allows(world):
    evidence = add_evidence(world["visit"], uploaded_file=photo(), by=world["member"], keep_metadata=True)

    assert (float(evidence.latitude), float(evidence.longitude), evidence.location_source) == (18.39, 105.9, "exif")


def test_the_camera_s_offset_is_read_and_without_one_the_time_is_ha_tinh_s(world):
    utc = add_evidence(world["visit"], uploaded_file=photo(taken="2021:12:07 01:15:00", offset="+00:00"),
                       by=world["member"])
    bare = add_evidence(world["visit"], uploaded_file=photo(taken="2021:12:07 08:15:00"), by=world["member"])

    assert local(utc.taken_at) == local(bare.taken_at) == "07/12/2021 08:15"
    assert utc.taken_at == bare.taken_at == at(8, 15)


def test_without_a_camera_time_the_capture_moment_counts_then_the_upload(world):
    visit, member = world["visit"], world["member"]
    before = timezone.now()

    captured = add_evidence(visit, uploaded_file=photo(taken=None), by=member, captured_at=at(8, 40))
    uploaded = add_evidence(visit, uploaded_file=photo(taken=None), by=member)
    # Only DateTime (an editor's time) in the file: not the moment it was taken.
    edited = add_evidence(visit, uploaded_file=photo(taken=None), by=member, captured_at=None)

    assert (captured.taken_at, captured.taken_at_source) == (at(8, 40), "capture")
    assert uploaded.taken_at_source == edited.taken_at_source == "upload"
    assert before <= uploaded.taken_at <= timezone.now()


@pytest.mark.parametrize("moment", [
    pytest.param(lambda: at(23, 59, day=6), id="before the visit's day"),
    pytest.param(lambda: timezone.now() + datetime.timedelta(hours=1), id="in the future"),
])
def test_a_capture_moment_outside_the_visit_s_day_and_now_is_not_believed(world, moment):
    evidence = add_evidence(world["visit"], uploaded_file=photo(taken=None), by=world["member"],
                            captured_at=moment())

    assert evidence.taken_at_source == "upload"
    assert evidence.taken_at <= timezone.now()


def test_a_phone_clock_a_little_ahead_gives_now(world):
    ahead = timezone.now() + datetime.timedelta(minutes=2)

    evidence = add_evidence(world["visit"], uploaded_file=photo(taken=None), by=world["member"], captured_at=ahead)

    assert evidence.taken_at_source == "capture"
    assert evidence.taken_at <= timezone.now() < ahead


def test_the_phone_s_place_is_kept_when_the_photo_gives_none(world):
    visit, member = world["visit"], world["member"]

    sent = add_evidence(visit, uploaded_file=photo(gps=False), by=member, keep_metadata=True, latitude=18.3421,
                        longitude=105.9057)
    # The photo's own GPS (allowed) wins over the phone's.
    both = add_evidence(visit, uploaded_file=photo(), by=member, keep_metadata=True, latitude=1, longitude=2)

    assert (str(sent.latitude), str(sent.longitude), sent.location_source) == ("18.342100", "105.905700", "device")
    assert (float(both.latitude), both.location_source) == (18.39, "exif")
    with pytest.raises(ValidationError):
        add_evidence(visit, uploaded_file=photo(), by=member, latitude=18.3)
    with pytest.raises(ValidationError):
        add_evidence(visit, uploaded_file=photo(), by=member, latitude=91, longitude=105)


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


def test_the_page_shows_each_photo_s_time_its_source_and_place(client, world):
    visit = world["visit"]
    client.force_login(world["member"])

    client.post(reverse("inspections:evidence_add", args=[visit.pk]), {
        "photo": photo(800, 600, taken=None, gps=False), "captured_at": "2021-12-07T08:40:00+07:00",
        "latitude": "18.342100", "longitude": "105.905700"})
    client.post(reverse("inspections:evidence_add", args=[visit.pk]), {"photo": photo(800, 600), "keep_metadata": "on"})

    with translation.override("vi"):
        page = client.get(reverse("inspections:visit_detail", args=[visit.pk])).content.decode()
    facts = re.findall(r'<span class="photo-(?:time|place)">([^<]*)</span>', page)
    assert facts == ["07/12/2021 08:40, lúc chụp", "vị trí 18.34210, 105.90570 (theo điện thoại)",
                     "07/12/2021 08:15, theo ảnh", "vị trí 18.39000, 105.90000 (theo ảnh)"]
