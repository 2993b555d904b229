"""Evidence photos from the inspector's phone: checked, downscaled, hashed.

Location and time from the photo's EXIF are kept only when the inspector allows it;
the stored file never carries them (it is re-encoded without metadata).
"""

import datetime
import hashlib
import io

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
EXIF_DATETIME, EXIF_DATETIME_ORIGINAL, EXIF_IFD, GPS_IFD = 306, 36867, 0x8769, 0x8825


def _metadata(image) -> dict:
    """Time and place from EXIF, if the photo has them."""
    exif = image.getexif()
    found = {}
    raw_time = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
    if raw_time:
        try:
            found["taken_at"] = datetime.datetime.strptime(str(raw_time), "%Y:%m:%d %H:%M:%S").replace(
                tzinfo=timezone.get_current_timezone())
        except ValueError:
            pass
    gps = exif.get_ifd(GPS_IFD)
    if gps.get(2) and gps.get(4):
        def degrees(value, ref):
            number = float(value[0]) + float(value[1]) / 60 + float(value[2]) / 3600
            return round(-number if ref in ("S", "W") else number, 6)

        found["latitude"] = degrees(gps[2], gps.get(1, "N"))
        found["longitude"] = degrees(gps[4], gps.get(3, "E"))
    return found


@transaction.atomic
def add_evidence(visit: Visit, *, uploaded_file, by, item=None, keep_metadata: bool = False, note: str = ""):
    """Keep a photo of the visit. Refuses a file over 15 MB or that is not an image
    (a clear message, nothing stored). Side effects: the JPEG at most 1,600 px on its
    longer side, without metadata; its SHA-256; time and place only if allowed."""
    if visit.status not in FILLABLE:
        raise ValidationError(_("Photos are added while the visit is under way or returned."))
    if uploaded_file.size > MAX_BYTES:
        raise ValidationError(_("The photo is larger than 15 MB. Take it again at a lower resolution."))
    try:
        image = Image.open(uploaded_file)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(_("“%(name)s” is not a photo (JPEG, PNG, HEIC saved as JPEG…).") % {
            "name": uploaded_file.name}) from error
    metadata = _metadata(image) if keep_metadata else {}
    image = ImageOps.exif_transpose(image).convert("RGB")  # upright, as the phone showed it
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True)  # no exif= argument: no metadata kept in the file
    content = buffer.getvalue()
    evidence = Evidence(visit=visit, item=item, original_name=uploaded_file.name[:255], width=image.width,
                        height=image.height, sha256=hashlib.sha256(content).hexdigest(), uploaded_by=by,
                        note=note[:255], **metadata)
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
