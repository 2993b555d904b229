"""Evidence photos from the inspector's phone: checked, downscaled, hashed, with the
time and place they were taken.

The time, most trusted first: the photo's own EXIF DateTimeOriginal (its offset when the
camera wrote one, else Hà Tĩnh time); the capture moment the phone sent (`captured_at`,
believed only between the start of the visit's day and now); the upload. Which one it
was is kept (`Evidence.taken_at_source`) and shown with it. The place: the photo's EXIF
GPS only when the inspector allows it (`keep_metadata`), else the coordinates the phone
sent, if any. The stored file never carries metadata (it is re-encoded without it).
"""

import datetime
import hashlib
import io
import math
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from inspections.models import Evidence, Visit
from inspections.vocabulary import FILLABLE, applicable_items

MAX_BYTES = 15 * 1024 * 1024
MAX_SIDE = 1600
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 36867, 36881
# A photo without an offset was taken on a phone set to Hà Tĩnh's clock.
LOCAL_TIMEZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# A phone's clock a little ahead of the server's is not a capture in the future.
CLOCK_SKEW = datetime.timedelta(minutes=5)


def _offset(raw) -> datetime.tzinfo:
    """"+07:00" → UTC+7; anything else (absent, "   :  ") → Hà Tĩnh time."""
    text = str(raw or "").strip()
    try:
        sign = {"+": 1, "-": -1}[text[0]]
        hours, minutes = int(text[1:3]), int(text[4:6])
    except (IndexError, KeyError, ValueError):
        return LOCAL_TIMEZONE
    if text[3:4] != ":" or hours > 14 or minutes > 59:
        return LOCAL_TIMEZONE
    return datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))


def exif_time(exif) -> datetime.datetime | None:
    """When the photo was taken, by the camera (DateTimeOriginal, not DateTime: that one is
    when the file was last changed, by any editor)."""
    tags = exif.get_ifd(EXIF_IFD)
    raw = str(tags.get(DATETIME_ORIGINAL) or "").strip().rstrip("\x00")
    try:
        naive = datetime.datetime.strptime(raw, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return naive.replace(tzinfo=_offset(tags.get(OFFSET_TIME_ORIGINAL)))


def exif_place(exif) -> tuple[Decimal, Decimal] | None:
    """Latitude and longitude from the GPS IFD, if whole and on the globe."""
    gps = exif.get_ifd(GPS_IFD)

    def degrees(value, ref, limit):
        try:
            number = float(value[0]) + float(value[1]) / 60 + float(value[2]) / 3600
        except (TypeError, IndexError, ValueError, ZeroDivisionError):
            return None
        if not math.isfinite(number) or number > limit:
            return None
        return Decimal(f"{-number if str(ref).upper() in ('S', 'W') else number:.6f}")

    latitude, longitude = degrees(gps.get(2), gps.get(1, "N"), 90), degrees(gps.get(4), gps.get(3, "E"), 180)
    return (latitude, longitude) if latitude is not None and longitude is not None else None


def capture_window(visit: Visit, now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """When a photo of the visit can have been taken: from the start of its day (the day
    it is planned for, or the day it started if that was earlier), Hà Tĩnh time, until now."""
    first = min(moment for moment in (visit.starts_at, visit.started_at) if moment is not None)
    day = timezone.localtime(first, LOCAL_TIMEZONE).date()
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=LOCAL_TIMEZONE), now


def moment_in_window(visit: Visit, moment: datetime.datetime | None, now) -> datetime.datetime | None:
    """A moment the phone sent (a photo taken, a code scanned, offline perhaps, sent later),
    if it falls between the start of the visit's day and now; a moment a few minutes
    ahead is the phone's clock: now. None otherwise (not believed)."""
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=LOCAL_TIMEZONE)
    earliest, latest = capture_window(visit, now)
    return min(moment, latest) if earliest <= moment <= latest + CLOCK_SKEW else None


def photo_time(visit: Visit, *, from_exif, captured_at, now) -> tuple[datetime.datetime, str]:
    """(the photo's time, where it comes from): EXIF, else the capture moment if believed
    (moment_in_window), else the upload."""
    if from_exif is not None:
        return from_exif, Evidence.TimeSource.EXIF
    captured = moment_in_window(visit, captured_at, now)
    if captured is not None:
        return captured, Evidence.TimeSource.CAPTURE
    return now, Evidence.TimeSource.UPLOAD


def device_place(latitude, longitude) -> tuple[Decimal, Decimal] | None:
    """The coordinates the phone sent, both or none, on the globe."""
    if latitude is None and longitude is None:
        return None
    try:
        place = Decimal(str(latitude)).quantize(Decimal("0.000001")), Decimal(str(longitude)).quantize(
            Decimal("0.000001"))
    except ArithmeticError as error:
        raise ValidationError(_("The location sent is not a latitude and a longitude.")) from error
    if not (-90 <= place[0] <= 90 and -180 <= place[1] <= 180):
        raise ValidationError(_("The location sent is not a latitude and a longitude."))
    return place


@transaction.atomic
def add_evidence(visit: Visit, *, uploaded_file, by, item=None, keep_metadata: bool = False, note: str = "",
                 captured_at: datetime.datetime | None = None, latitude=None, longitude=None):
    """Keep a photo of the visit. Refuses a file over 15 MB or that is not an image
    (a clear message, nothing stored), and half a location. Side effects: the JPEG at
    most 1,600 px on its longer side, without metadata; its SHA-256; its time and the
    time's source (module docstring); its place from EXIF only if allowed, else the
    phone's `latitude`/`longitude` if sent."""
    if visit.status not in FILLABLE:
        raise ValidationError(_("Photos are added while the visit is under way or returned."))
    if uploaded_file.size > MAX_BYTES:
        raise ValidationError(_("The photo is larger than 15 MB. Take it again at a lower resolution."))
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("The location sent is not a latitude and a longitude."))
    try:
        image = Image.open(uploaded_file)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(_("“%(name)s” is not a photo (JPEG, PNG, HEIC saved as JPEG…).") % {
            "name": uploaded_file.name}) from error
    exif = image.getexif()
    taken_at, time_source = photo_time(visit, from_exif=exif_time(exif), captured_at=captured_at, now=timezone.now())
    place, place_source = (exif_place(exif) if keep_metadata else None), Evidence.PlaceSource.EXIF
    if place is None:
        place, place_source = device_place(latitude, longitude), Evidence.PlaceSource.DEVICE
    image = ImageOps.exif_transpose(image).convert("RGB")  # upright, as the phone showed it
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True)  # no exif= argument: no metadata kept in the file
    content = buffer.getvalue()
    evidence = Evidence(visit=visit, item=item, original_name=uploaded_file.name[:255], width=image.width,
                        height=image.height, sha256=hashlib.sha256(content).hexdigest(), uploaded_by=by,
                        note=note[:255], taken_at=taken_at, taken_at_source=time_source,
                        latitude=place[0] if place else None, longitude=place[1] if place else None,
                        location_source=place_source if place else "")
    evidence.file.save(f"{evidence.sha256[:16]}.jpg", ContentFile(content), save=False)
    evidence.save()
    return evidence


def photos_missing(visit: Visit) -> list[str]:
    """Codes of the items whose answer requires a photo that the visit lacks (e.g.
    "No" on "QR posted")."""
    answers = {a.item_id: a.value for a in visit.answers.all()}
    with_photo = set(visit.evidence.values_list("item_id", flat=True))
    return [item.code for item in applicable_items(visit)
            if item.photo_required_if is not None and answers.get(item.pk) == item.photo_required_if
            and item.pk not in with_photo]
