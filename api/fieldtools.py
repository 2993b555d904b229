"""The field tools' write endpoints (inspections/fieldtools.py), the ones the visit page's
signature pad and QR scanner send through the phone's outbox: each fetches the visit
through its scope (404), checks that the caller travels on it (403), and writes once per
`Idempotency-Key` (api/idempotency.py), as api/writes.py does. A refusal is 409 when the
visit's state forbids it now (submitted, approved, cancelled), 422 otherwise."""

from typing import Literal

from django.core.exceptions import ValidationError
from ninja import File, Form, Router, UploadedFile

from api import idempotency
from api.schemas import ErrorOut, QrScanIn, QrScanOut, SignatureOut
from api.writes import KEY, REFUSALS, answered, refused
from inspections import fieldtools
from inspections.views.scope import visit_for_team  # the pages' own first line: 404 outside, 403 off the visit

router = Router(tags=["field work"])


def _once(request, key, visit, write, schema):
    def attempt():
        try:
            return 201, schema.from_orm(write()).model_dump(mode="json")
        except ValidationError as error:
            return refused(visit, error)
    return answered(*idempotency.once(request, key, attempt))


@router.post("/visits/{visit_id}/signatures", response={201: SignatureOut, REFUSALS: ErrorOut},
             url_name="signature_add")
def signature_add(request, visit_id: int, image: File[UploadedFile],
                  role: Form[Literal["unit_representative", "team_leader"]],
                  signer_name: Form[str, dict(min_length=1, max_length=fieldtools.SIGNER_NAME_MAX)],
                  idempotency_key: str = KEY):
    """The signature (multipart/form-data: a PNG drawn on the phone, or a photo of one on
    paper) of the unit's representative or the team leader, printed in the minutes. One
    per role: a second replaces the first while the visit can be filled."""
    visit = visit_for_team(request, visit_id)
    return _once(request, idempotency_key, visit, lambda: fieldtools.save_signature(
        visit, role=role, signer_name=signer_name, image_file=image, by=request.user), SignatureOut)


@router.post("/visits/{visit_id}/qr-scans", response={201: QrScanOut, REFUSALS: ErrorOut}, url_name="qr_scan_add")
def qr_scan_add(request, visit_id: int, payload: QrScanIn, idempotency_key: str = KEY):
    """The location QR code read at the unit's door, compared with the registry's portal
    code: match, the code of another place, or not a PC-Covid code (evidence for criterion b)."""
    visit = visit_for_team(request, visit_id)
    return _once(request, idempotency_key, visit, lambda: fieldtools.record_qr_scan(
        visit, code=payload.code, method=payload.method, scanned_at=payload.scanned_at, by=request.user), QrScanOut)

