"""The inspector's field tools beside the checklist (issue #12): the signatures of the
minutes, the location QR code read at the unit's door, and the paper fallback (the
visit's code on the printed checklist, and the answers typed in from it later).

Each tool is its own part of this module; the page parts are
templates/inspections/_signatures.html and _qr_scan.html, the views
inspections/views/fieldtools.py, the API api/fieldtools.py.
"""

import base64
import hashlib
import hmac
import io
import re
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from config.validation import check_text
from inspections import fieldwork
from inspections.evidence import moment_in_window
from inspections.models import ChecklistItem, QrScan, Signature, Visit
from inspections.vocabulary import STARTABLE, is_fillable, refuse_if_locked
from units.models import Unit

# ----------------------------------------------------------------------------------------
# Signatures: the unit's representative and the team leader sign the minutes on the phone
# ----------------------------------------------------------------------------------------

SIGNATURE_MAX_BYTES = 5 * 1024 * 1024
SIGNATURE_BOX = (1200, 600)  # px: ample for a finger's signature, small in the minutes' PDF
SIGNER_NAME_MAX = 120


def _signature_png(uploaded_file) -> Image.Image:
    """The signature as an image to store: a drawing keeps its transparency, a photo of a
    signature on paper becomes grey levels; refused when blank or not an image."""
    if uploaded_file.size > SIGNATURE_MAX_BYTES:
        raise ValidationError(_("The signature's file is larger than 5 MB."))
    try:
        image = Image.open(uploaded_file)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(_("The signature is not an image (a drawing or a photo of it).")) from error
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        blank = image.getchannel("A").getbbox() is None
    else:
        image = image.convert("L")
        blank = ImageOps.invert(image).getbbox() is None  # all white
    if blank:
        raise ValidationError(_("The signature is empty: sign in the box first."))
    image.thumbnail(SIGNATURE_BOX)
    return image


@transaction.atomic
def save_signature(visit: Visit, *, role: str, signer_name: str, image_file, by) -> Signature:
    """The signature of the unit's representative or of the team leader for the minutes,
    one per role: a second one replaces the first while the visit can be filled, never
    once it is submitted or approved. Side effects: the PNG (no metadata) and its SHA-256,
    who captured it and when; the earlier signature stays in the history, its file kept."""
    visit = Visit.objects.locked().get(pk=visit.pk)
    refuse_if_locked(visit)
    if not is_fillable(visit):
        raise ValidationError(_("Signatures are taken while the visit is under way or returned (now: %(status)s).")
                              % {"status": visit.get_status_display()})
    if role not in Signature.Role.values:
        raise ValidationError(_("Say who signs: the unit's representative or the team leader."))
    name = " ".join(str(signer_name or "").split())
    if not name:
        raise ValidationError(_("Write the signer's full name."))
    if len(name) > SIGNER_NAME_MAX:
        raise ValidationError(_("The name is too long (at most %(max)s characters).") % {"max": SIGNER_NAME_MAX})
    check_text(name, multiline=False)
    image = _signature_png(image_file)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    content = buffer.getvalue()
    signature = Signature.objects.filter(visit=visit, role=role).first() or Signature(visit=visit, role=role)
    signature.signer_name, signature.width, signature.height = name, image.width, image.height
    signature.sha256 = hashlib.sha256(content).hexdigest()
    signature.signed_at, signature.captured_by = timezone.now(), by
    signature.image.save(f"{role}-{signature.sha256[:16]}.png", ContentFile(content), save=False)
    signature._history_user = by
    signature.save()
    return signature


def signature_data_uri(signature: Signature) -> str:
    """The stored PNG as a data: URL for a document (the PDF loads nothing else); empty
    when its file is missing (a database restored without its media)."""
    try:
        with signature.image.open("rb") as stored:
            content = stored.read()
    except (FileNotFoundError, ValueError):
        return ""
    return "data:image/png;base64," + base64.b64encode(content).decode("ascii")


# ----------------------------------------------------------------------------------------
# The location QR code at the door (plan II.1 b), against the registry's portal code
# ----------------------------------------------------------------------------------------

# docs/decisions.md "What counts as a PC-Covid location code": the portal's own addresses,
# the registry's form of a portal code, or a code the registry holds for any unit.
PORTAL_HOSTS = ("pccovid.gov.vn", "tokhaiyte.vn")
PORTAL_CODE = re.compile(r"[A-Z]{2}\d{5}-\d{4,6}")  # HT18070-0001: province, commune (GSO), serial
CODE_READ_MAX = 512


def _portal_url(text: str):
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme in ("http", "https") and any(host == h or host.endswith(f".{h}") for h in PORTAL_HOSTS):
        return parts
    return None


def location_code(text: str) -> str:
    """The location code a QR code's text carries, as the registry writes codes (upper
    case, no spaces): the text itself, or from a portal address its `code` or `id`
    parameter, else its last path segment."""
    text = text.strip()
    parts = _portal_url(text)
    if parts is not None:
        query = parse_qs(parts.query)
        found = (query.get("code") or query.get("id") or [parts.path.rstrip("/").rsplit("/", 1)[-1]])[0]
        text = found
    return re.sub(r"\s+", "", text).upper()


def qr_result(unit: Unit, text: str) -> str:
    """match: the unit's portal code in the registry; other_code: a PC-Covid location code,
    but not the unit's (or the registry has none for it); not_pccovid: anything else."""
    code = location_code(text)
    registry = location_code(unit.qr_location_code or "")
    if registry and code == registry:
        return QrScan.Result.MATCH
    if _portal_url(text.strip()) is not None or PORTAL_CODE.fullmatch(code) or (
            code and Unit.objects.filter(qr_location_code__iexact=code).exists()):
        return QrScan.Result.OTHER_CODE
    return QrScan.Result.NOT_PCCOVID


@transaction.atomic
def record_qr_scan(visit: Visit, *, code: str, method: str, by, scanned_at=None) -> QrScan:
    """Record what the inspector read from the QR code posted at the unit's door, compared
    with the registry: evidence for criterion b, while the visit can be filled. A scan
    time sent by the phone (scanned offline, sent later) counts from the start of the
    visit's day until now, else it is now. Side effects: the QrScan, with the registry's
    code at this moment."""
    visit = Visit.objects.locked().select_related("unit").get(pk=visit.pk)
    refuse_if_locked(visit)
    if not is_fillable(visit):
        raise ValidationError(_("The QR code is recorded while the visit is under way or returned (now: %(status)s).")
                              % {"status": visit.get_status_display()})
    if method not in QrScan.Method.values:
        raise ValidationError(_("Say how the code was read: camera or typed."))
    text = str(code or "").strip()
    if not text:
        raise ValidationError(_("No code was read: scan the QR code again or type what it says."))
    if len(text) > CODE_READ_MAX:
        raise ValidationError(_("The code read is too long (at most %(max)s characters): it is not a location "
                                "code.") % {"max": CODE_READ_MAX})
    check_text(text)
    now = timezone.now()
    return QrScan.objects.create(
        visit=visit, code_read=text, registry_code=visit.unit.qr_location_code, method=method,
        result=qr_result(visit.unit, text), scanned_at=moment_in_window(visit, scanned_at, now) or now,
        scanned_by=by)


def qr_scan_in_words(scan: QrScan) -> str:
    """"Khớp mã của đơn vị trong sổ đăng ký", "Mã của địa điểm khác: HT18070-0002",
    "Không phải mã PC-Covid"; a unit the registry has no code for says so."""
    if scan.result == QrScan.Result.OTHER_CODE:
        words = _("The code of another place: %(code)s") % {"code": scan.code_read}
    else:
        words = str(scan.get_result_display())
    if not scan.registry_code and scan.result != QrScan.Result.NOT_PCCOVID:
        words += " " + _("(the registry has no code for this unit)")
    return words


# ----------------------------------------------------------------------------------------
# The paper fallback: the visit's code on the printed checklist, and the transcription
# ----------------------------------------------------------------------------------------

CODE_SALT = "inspections.fieldtools.visit_code"
CODE_MAC_LENGTH = 8  # base32 characters: 40 bits, not guessed by trying codes
VISIT_CODE = re.compile(rf"KT-?(\d{{1,10}})-?([A-Z2-7]{{{CODE_MAC_LENGTH}}})")


def _mac(pk: int) -> str:
    digest = salted_hmac(CODE_SALT, str(pk), algorithm="sha256").digest()
    return base64.b32encode(digest).decode("ascii")[:CODE_MAC_LENGTH]


def visit_code(visit: Visit) -> str:
    """"KT-123-ABCD2345": the visit's number and a short HMAC of it with SECRET_KEY, so a
    code on paper leads to its own visit and no code can be made up for another."""
    return f"KT-{visit.pk}-{_mac(visit.pk)}"


def visit_pk_from_code(text: str) -> int | None:
    """The visit a typed or scanned code names (any case, spaces or dashes left out), or
    None for a code that is not one the product printed."""
    match = VISIT_CODE.fullmatch(re.sub(r"\s+", "", str(text or "")).upper())
    if match is None:
        return None
    pk = int(match.group(1))
    return pk if hmac.compare_digest(_mac(pk), match.group(2)) else None


@transaction.atomic
def transcribe_paper(visit: Visit, *, entries: list[tuple[ChecklistItem, object, str]], by,
                     started_at=None) -> int:
    """Type in the answers written on the printed checklist: each (item, answer, note)
    through the same service as the phone (fieldwork.save_answer). A visit not yet started
    starts now, at the time the paper gives (on the visit's day) if any. Returns the
    number of answers changed; when any, the visit is marked transcribed by `by` now (with
    history). Nothing is saved if one answer is refused."""
    visit = Visit.objects.locked().get(pk=visit.pk)
    refuse_if_locked(visit)
    answers = {answer.item_id: answer for answer in visit.answers.all()}
    changes = []
    for item, raw, note in entries:
        current = answers.get(item.pk)
        if current is None and raw in (None, "") and not note:
            continue  # left blank on the paper, and never answered
        if current is not None and current.value == fieldwork.clean_value(item, raw) and current.note == note:
            continue
        changes.append((item, raw, note))
    if not changes:
        return 0
    if visit.status in STARTABLE:
        visit = fieldwork.start_visit(visit, by=by)
        moment = moment_in_window(visit, started_at, timezone.now())
        if moment is not None:
            Visit.objects.filter(pk=visit.pk).update(started_at=moment)
    for item, raw, note in changes:
        fieldwork.save_answer(visit, item=item, raw=raw, note=note, by=by)
    changed = len(changes)
    if changed:
        visit.refresh_from_db()
        visit.transcribed_by, visit.transcribed_at = by, timezone.now()
        visit._history_user = by
        visit.save(update_fields=["transcribed_by", "transcribed_at"])
    return changed
