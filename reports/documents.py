"""Official documents in the layout of Decree 30/2020/NĐ-CP (Phụ lục I).

The one place for the pieces every document shares: the header (governing and
issuing bodies, number and symbol, national name and motto, place and date line),
the legal basis lines, the signature block and the "Nơi nhận" list. The PDF
documents render `templates/documents/base.html` through `render_pdf`; the DOCX
exports take the same dataclasses and strings.

Document text is Vietnamese whatever the user's language: these are official
Vietnamese documents, so their own words are written here in Vietnamese, and a model's
choice (a team member's position, a campaign's form) prints its Vietnamese label,
taken from the catalogue under `vietnamese_labels`, whatever language is active.
"""

import datetime
import functools
import mimetypes
import unicodedata
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone, translation
from fontTools.ttLib import TTFont
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from accounts.roles import display_name
from inspections.fieldtools import qr_scan_in_words, signature_data_uri, visit_code
from inspections.fieldwork import FIGURES, compute_conclusion, is_noncompliant
from inspections.models import Campaign, ChecklistItem, ChecklistSection, Signature, TeamMembership, Visit
from inspections.permissions import approved_in_place_of_leader
from inspections.vocabulary import CONCLUSION_TEXT, SHORT_OF_COMPLIANCE, applicable_items

# Hà Tĩnh's documents are dated and timed in Hà Tĩnh, whatever timezone a user chose.
LOCAL_TIMEZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Defaults of the header; a deployment may set DOCUMENT_* in its settings (domain facts
# §3.1: the issuing code is the client's to confirm, so it is configurable).
GOVERNING_BODY = "UBND TỈNH HÀ TĨNH"
ISSUING_BODY = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
ISSUER_CODE = "STTTT"
PLACE = "Hà Tĩnh"
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
# What the number looks like before the records office (Văn thư) writes it in.
BLANK_NUMBER = "      "

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def _setting(name: str, default: str) -> str:
    return getattr(settings, name, default)


def vietnamese_labels(choices) -> dict[str, str]:
    """A TextChoices' labels as the Vietnamese catalogue gives them, whatever language the
    person asking for the document uses (read when the document is built, not at import)."""
    with translation.override("vi"):
        return {value: str(label) for value, label in choices.choices}


# ----------------------------------------------------------------------------------------
# Dates and times
# ----------------------------------------------------------------------------------------


def vietnamese_date(day: datetime.date) -> str:
    """"ngày 05 tháng 12 năm 2021": Decree 30 pads a day below 10 and the months
    1 and 2 with a zero ("tháng 01", "tháng 02"); other months are not padded."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def vietnamese_date_line(place: str, day: datetime.date) -> str:
    """The place and date line of a document: "Hà Tĩnh, ngày 05 tháng 12 năm 2021"."""
    return f"{place}, {vietnamese_date(day)}"


def vietnamese_weekday(day: datetime.date) -> str:
    """"thứ Ba" for a Tuesday, "Chủ nhật" for a Sunday."""
    return WEEKDAYS[day.weekday()]


def clock(value: datetime.time | datetime.datetime) -> str:
    """A time as Vietnamese schedules write it: "07h30". A datetime is read in Hà Tĩnh time."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value, LOCAL_TIMEZONE)
    return f"{value.hour:02d}h{value.minute:02d}"


# ----------------------------------------------------------------------------------------
# The shared pieces: header, title, legal basis, signature, recipients
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentHeader:
    """The two-column header of Decree 30: bodies and number on the left, national name,
    motto and the place and date line on the right.

    `type_code` is the document type's abbreviation (Phụ lục III: "TB", "KH", "BB",
    "BC"; empty for a công văn). `number` stays empty for the records office to fill;
    `day` may be None to leave the date for the signing day.
    """

    type_code: str = ""
    day: datetime.date | None = None
    number: str = ""
    unit_code: str = ""  # a công văn's drafting unit, e.g. "TTr" in "Số: …/STTTT-TTr"
    governing_body: str = ""
    issuing_body: str = ""
    issuer_code: str = ""
    place: str = ""
    national_name: str = NATIONAL_NAME
    national_motto: str = NATIONAL_MOTTO

    def __post_init__(self):
        # Settings are read when a header is made, so that tests and deployments can change them.
        for name, setting, default in (("governing_body", "DOCUMENT_GOVERNING_BODY", GOVERNING_BODY),
                                       ("issuing_body", "DOCUMENT_ISSUING_BODY", ISSUING_BODY),
                                       ("issuer_code", "DOCUMENT_ISSUER_CODE", ISSUER_CODE),
                                       ("place", "DOCUMENT_PLACE", PLACE)):
            if not getattr(self, name):
                object.__setattr__(self, name, _setting(setting, default))

    @property
    def symbol(self) -> str:
        """"TB-STTTT" for a notice, "STTTT-TTr" for a công văn of the Inspectorate."""
        if self.type_code:
            return f"{self.type_code}-{self.issuer_code}"
        return "-".join(part for part in (self.issuer_code, self.unit_code) if part)

    @property
    def number_line(self) -> str:
        """"Số:      /TB-STTTT" until the records office numbers it; "Số: 05/TB-STTTT" after
        (a number below 10 takes a leading zero)."""
        number = self.number.strip()
        if number.isdigit():
            number = f"{int(number):02d}"
        return f"Số: {number or BLANK_NUMBER}/{self.symbol}"

    @property
    def date_line(self) -> str:
        if self.day is None:
            return f"{self.place}, ngày      tháng      năm      "
        return vietnamese_date_line(self.place, self.day)


@dataclass(frozen=True)
class DocumentTitle:
    """The type name in capitals ("THÔNG BÁO") and the subject line (trích yếu) under it."""

    kind: str
    subject: str = ""


@dataclass(frozen=True)
class SignatureBlock:
    """The signing authority ("KT. GIÁM ĐỐC"), the signer's title ("PHÓ GIÁM ĐỐC") and
    name. The name is left empty when the leader who signs is not yet known. `note` is
    the italic line a form puts under the title ("(Ký, ghi rõ họ tên)"), if any."""

    authority: str = "KT. GIÁM ĐỐC"
    title: str = "PHÓ GIÁM ĐỐC"
    signer: str = ""
    note: str = ""
    image: str = ""  # a data: URL of the signature drawn for it (the minutes), printed above the name

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.authority, self.title) if line]


def recipient_lines(recipients) -> list[str]:
    """The "Nơi nhận" list as Decree 30 writes it: "- Như trên;" … "- Lưu: VT, TTr."."""
    items = [item.strip().rstrip(";.").strip() for item in recipients]
    items = [item for item in items if item]
    return [f"- {item}{'.' if index == len(items) - 1 else ';'}" for index, item in enumerate(items)]


def legal_basis_lines(bases) -> list[str]:
    """Each legal basis on its own line, starting "Căn cứ", ending ";" and the last ".".

    `bases` are strings, each of which may hold several lines (a campaign's legal basis
    is free text).
    """
    items = []
    for basis in bases:
        for line in str(basis).splitlines():
            line = line.strip().lstrip("-–•").strip().rstrip(";.,").strip()
            if not line:
                continue
            if not line.lower().startswith(("căn cứ", "thực hiện")):
                line = f"Căn cứ {line}"
            items.append(line)
    return [f"{item}{'.' if index == len(items) - 1 else ';'}" for index, item in enumerate(items)]


def document_context(*, header: DocumentHeader, title: DocumentTitle, signature: SignatureBlock,
                     recipients, **extra) -> dict:
    """The context `documents/base.html` expects, plus the document's own keys."""
    return {"header": header, "title": title, "signature": signature,
            "recipients": recipient_lines(recipients), **extra}


# ----------------------------------------------------------------------------------------
# PDF rendering: WeasyPrint with the Tinos font embedded
# ----------------------------------------------------------------------------------------

# Tinos has the metrics of Times New Roman (Decree 30's font) and covers Vietnamese. The
# files come from the npm package @fontsource/tinos (`make vendor`), split in subsets;
# these are the subsets' unicode-range values from that package's CSS.
#
# Each subset is its own font family: WeasyPrint keys the fonts it writes into the PDF
# by family, weight and style, so three files all called "Tinos" would share one PDF
# font and mix up their glyph ids (a "ư" drawn from the Vietnamese file came out as a
# "B" of the Latin one). FONT_FAMILY lists them; Pango takes each character from the
# first family that has it, and nothing is left for a fallback font.
FONT_SUBSETS = {
    "latin": ("Tinos", "U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,"
                       "U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD"),
    "vietnamese": ("Tinos Vietnamese", "U+0102-0103,U+0110-0111,U+0128-0129,U+0168-0169,U+01A0-01A1,"
                                       "U+01AF-01B0,U+0300-0301,U+0303-0304,U+0308-0309,U+0323,U+0329,"
                                       "U+1EA0-1EF9,U+20AB"),
    "latin-ext": ("Tinos Latin Ext", "U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+0304,U+0308,"
                                     "U+0329,U+1D00-1DBF,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,"
                                     "U+2113,U+2C60-2C7F,U+A720-A7FF"),
}
FONT_FAMILY = ", ".join(f'"{family}"' for family, _ranges in FONT_SUBSETS.values())
FONT_FACES = [(weight, style) for weight in (400, 700) for style in ("normal", "italic")]


def font_dir() -> Path:
    return Path(settings.BASE_DIR) / "static" / "vendor" / "fonts" / "tinos"


def _parse_ranges(ranges: str) -> set[int]:
    codepoints = set()
    for part in ranges.split(","):
        start, _dash, end = part.strip().removeprefix("U+").partition("-")
        codepoints.update(range(int(start, 16), int(end or start, 16) + 1))
    return codepoints


def _format_ranges(codepoints: set[int]) -> str:
    runs, ordered = [], sorted(codepoints)
    start = previous = ordered[0]
    for codepoint in [*ordered[1:], None]:
        if codepoint is not None and codepoint == previous + 1:
            previous = codepoint
            continue
        runs.append(f"U+{start:04X}" if start == previous else f"U+{start:04X}-{previous:04X}")
        if codepoint is not None:
            start = previous = codepoint
    return ",".join(runs)


@functools.cache
def _font_face_css(directory: Path) -> str:
    rules = []
    for subset, (family, declared) in FONT_SUBSETS.items():
        for weight, style in FONT_FACES:
            path = directory / f"tinos-{subset}-{weight}-{style}.woff"
            if not path.is_file():
                raise ImproperlyConfigured(f"The document font {path} is missing: run `make vendor`.")
            # A face claims only what it declares AND draws: a declared character the
            # subset lacks would otherwise come out as an empty box.
            covered = _parse_ranges(declared) & set(TTFont(path).getBestCmap())
            rules.append(
                f"@font-face {{ font-family: '{family}'; "
                f"font-style: {style}; font-weight: {weight}; "
                f"src: url('{path.as_uri()}') format('woff'); "
                f"unicode-range: {_format_ranges(covered)}; }}")
    # Every box, page numbers included, uses the Tinos families only.
    rules.append(f"html {{ font-family: {FONT_FAMILY}; }}")
    rules.append(f"@page {{ font-family: {FONT_FAMILY}; @top-center {{ font-family: {FONT_FAMILY}; }} }}")
    return "\n".join(rules)


def font_face_css() -> str:
    """The Tinos faces (regular, bold, italic, bold italic of each subset) from the
    vendored files, and FONT_FAMILY on the page."""
    return _font_face_css(font_dir())


class StaticFilesFetcher(URLFetcher):
    """Lets a document load static files (and data: URLs) only: rendering never reaches
    the network, nor any file outside the static directories. `{% static %}` URLs are
    found through the staticfiles finders."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"})

    @staticmethod
    def _roots() -> list[Path]:
        roots = [Path(settings.BASE_DIR) / "static", *map(Path, settings.STATICFILES_DIRS)]
        if settings.STATIC_ROOT:
            roots.append(Path(settings.STATIC_ROOT))
        return [root.resolve() for root in roots]

    def _path(self, url: str) -> Path:
        static_url = static("")
        if url.startswith(static_url) and "://" in static_url:
            relative = url.removeprefix(static_url)
        else:
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(root) for root in self._roots()) and path.is_file():
                return path
            prefix = urlsplit(static_url).path
            if not urlsplit(url).path.startswith(prefix):
                raise ValueError(f"A document may only load static files, not {url}")
            relative = url2pathname(urlsplit(url).path.removeprefix(prefix))
        found = finders.find(relative)
        if not found:
            raise ValueError(f"No static file {relative}")
        return Path(found).resolve()

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self._path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to an A4 PDF with Tinos embedded.

    Text is normalised to NFC first: Vietnamese typed in the decomposed form (as some
    Windows keyboards and spreadsheets do) then uses Tinos's precomposed letters rather
    than combining marks another font would have to draw.
    """
    html = unicodedata.normalize("NFC", render_to_string(template_name, context))
    font_config = FontConfiguration()
    fetcher = StaticFilesFetcher()
    fonts = CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher)
    base_url = (Path(settings.BASE_DIR) / "static").as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[fonts], font_config=font_config)


# ----------------------------------------------------------------------------------------
# The schedule notice: one itinerary, to the people on it
# ----------------------------------------------------------------------------------------

# The order a team is listed in (not the choices' order): the leader, the deputy, the secretary, the members.
POSITION_ORDER = (TeamMembership.Position.LEADER, TeamMembership.Position.DEPUTY, TeamMembership.Position.SECRETARY,
                  TeamMembership.Position.MEMBER)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def plan_reference(campaign) -> str:
    """"Kế hoạch số …/KH-STTTT của Sở … về kiểm tra …": the campaign's plan as a legal basis."""
    plan_title = campaign.title.removeprefix("Kế hoạch ").strip()
    plan_number = campaign.number or DocumentHeader(type_code="KH").number_line.removeprefix("Số: ")
    return (f"Kế hoạch số {plan_number} của "
            f"{campaign.issuing_body or 'Sở Thông tin và Truyền thông tỉnh Hà Tĩnh'} về {_lower_first(plan_title)}")


def team_people(itinerary) -> list[dict]:
    """The people on an itinerary, leader first: name, nominating body, position."""
    people = sorted(itinerary.people.select_related("user", "organization"),
                    key=lambda m: (POSITION_ORDER.index(m.position) if m.position in POSITION_ORDER else 9, m.pk))
    positions = vietnamese_labels(TeamMembership.Position)
    return [{"name": display_name(m.user), "organization": m.organization.name,
             "position": positions.get(m.position, ""), "is_leader": m.position == TeamMembership.Position.LEADER}
            for m in people]


def unit_address(unit) -> str:
    """"Khối 1, Thị trấn Nghèn, Huyện Can Lộc": the unit's address, commune and district."""
    commune = unit.commune
    district = commune.parent
    return ", ".join(part for part in (unit.address, commune.name, district.name if district else "") if part)


def schedule_notice_context(itinerary, *, issued_on: datetime.date | None = None) -> dict:
    """What the schedule notice shows. `issued_on` defaults to the day the schedule was
    sent, or today (Hà Tĩnh time) for one not yet sent."""
    campaign = itinerary.campaign
    if issued_on is None:
        issued_on = timezone.localdate(itinerary.schedule_sent_at or timezone.now(), LOCAL_TIMEZONE)
    visits = (itinerary.visits.exclude(status=Visit.Status.CANCELLED)
              .select_related("unit__commune__parent").order_by("position", "starts_at"))
    rows = [{"position": visit.position,
             "time": f"{clock(visit.starts_at)} – {clock(visit.ends_at)}",
             "unit": visit.unit.name,
             "address": unit_address(visit.unit)} for visit in visits]
    return document_context(
        header=DocumentHeader(type_code="TB", day=issued_on),
        title=DocumentTitle("THÔNG BÁO", "Lịch kiểm tra việc triển khai hệ thống PC-Covid và quét mã QR"),
        signature=SignatureBlock("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", ""),
        recipients=["Như trên", "Lãnh đạo Sở (b/c)", "Lưu: VT, TTr"],
        # A schedule not yet sent is not a notice anyone received: it says DỰ THẢO.
        draft=itinerary.schedule_sent_at is None,
        legal_basis=legal_basis_lines([campaign.legal_basis, plan_reference(campaign)]),
        surprise=campaign.form == Campaign.Form.SURPRISE,
        people=team_people(itinerary),
        day=f"{vietnamese_weekday(itinerary.date)}, {vietnamese_date(itinerary.date)}",
        departs_at=clock(itinerary.departs_at),
        returns_at=clock(itinerary.returns_at),
        departure_place=itinerary.departure_place,
        vehicle=itinerary.vehicle,
        visits=rows,
    )


def schedule_notice_pdf(itinerary, *, issued_on: datetime.date | None = None) -> bytes:
    """"THÔNG BÁO Lịch kiểm tra…" for one itinerary, addressed to its people only."""
    return render_pdf("documents/schedule_notice.html", schedule_notice_context(itinerary, issued_on=issued_on))


# ----------------------------------------------------------------------------------------
# The minutes of a visit: "BIÊN BẢN KIỂM TRA" (domain facts §3.2)
# ----------------------------------------------------------------------------------------

MINUTES_SUBJECT = ("Việc triển khai hệ thống PC-Covid và quét mã QR phục vụ công tác phòng, "
                   "chống dịch COVID-19")
YES_NO_TEXT = {"yes": "Có", "no": "Không", "na": "Không áp dụng"}
UNIT_SIGNATURE = "ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA"
LEADER_SIGNATURE = "TỔ TRƯỞNG TỔ KIỂM TRA"
SECRETARY_SIGNATURE = "THƯ KÝ"
# An item left unanswered: a dash, as a form's empty cell is written (not a word that reads
# like a finding).
UNANSWERED = "—"
MINUTES_RECIPIENTS = ["Đơn vị được kiểm tra", "Tổ kiểm tra", "Lưu: VT, Hồ sơ"]
# A line the people at the meeting fill in by hand (the PDF draws its dots on to the margin).
HANDWRITTEN = "……"


def vietnamese_number(value) -> str:
    """1234 → "1.234", 72.5 → "72,5": Vietnamese separators."""
    if isinstance(value, float) and not value.is_integer():
        whole, _dot, decimals = f"{value:,.2f}".rstrip("0").partition(".")
        return f"{whole.replace(',', '.')},{decimals}"
    return f"{int(value):,}".replace(",", ".")


def moment(value: datetime.datetime) -> str:
    """"08h20 ngày 07/12/2021", in Hà Tĩnh time."""
    local = timezone.localtime(value, LOCAL_TIMEZONE)
    return f"{clock(local)} ngày {local:%d/%m/%Y}"


def answer_text(item, value) -> str:
    """An answer as the minutes print it: "Có", "12", "80%", the text typed."""
    if value in (None, ""):
        return UNANSWERED
    if item.kind == ChecklistItem.Kind.YES_NO:
        return YES_NO_TEXT.get(value, str(value))
    if item.kind in (ChecklistItem.Kind.NUMBER, ChecklistItem.Kind.PERCENTAGE) and isinstance(value, int | float):
        return vietnamese_number(value) + ("%" if item.kind == ChecklistItem.Kind.PERCENTAGE else "")
    return str(value)


def text_lines(text: str) -> list[str]:
    """Free text as paragraphs: one per non-empty line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@dataclass(frozen=True)
class SignatureRow:
    """Signature blocks side by side at the foot of a document, left to right (a
    biên bản is signed by both sides: the unit on the left, the team on the right)."""

    blocks: tuple[SignatureBlock, ...]

    @property
    def width(self) -> str:
        return f"{100 / max(len(self.blocks), 1):.4g}%"


def _visit_figures(visit) -> list[str]:
    figures = []
    if visit.staff_total is not None:
        figures.append(f"Tổng số cán bộ, nhân viên: {vietnamese_number(visit.staff_total)}")
    if visit.staff_with_app is not None:
        line = f"Số cán bộ, nhân viên đã cài đặt ứng dụng PC-Covid: {vietnamese_number(visit.staff_with_app)}"
        if visit.staff_total:
            line += f" (đạt {vietnamese_number(round(100 * visit.staff_with_app / visit.staff_total, 1))}%)"
        figures.append(line)
    if visit.qr_codes is not None:
        figures.append(f"Số mã QR địa điểm đã tạo: {vietnamese_number(visit.qr_codes)}")
    if visit.scans_last_7_days is not None:
        figures.append(f"Số lượt quét mã QR trong 07 ngày gần nhất: {vietnamese_number(visit.scans_last_7_days)}")
    if visit.portal_accounts is not None:
        figures.append(f"Số tài khoản trên phần mềm quanly.pccovid.gov.vn: {vietnamese_number(visit.portal_accounts)}")
    return figures


def _minutes_sections(visit, conclusion: dict) -> list[dict]:
    """Each criterion (a, b, c) of the visit's checklist with the items that apply to
    the unit, their answers and notes, and the criterion's conclusion."""
    template = visit.checklist or visit.campaign.checklist
    if template is None:
        return []
    answers = {answer.item_id: answer for answer in visit.answers.all()}
    items_by_section: dict[int, list] = {}
    for item in applicable_items(visit):
        items_by_section.setdefault(item.section_id, []).append(item)
    sections = []
    for section in ChecklistSection.objects.filter(template=template).order_by("order", "code"):
        rows = []
        for item in items_by_section.get(section.pk, []):
            answer = answers.get(item.pk)
            value = answer.value if answer else None
            rows.append({"code": item.code, "text": item.text, "answer": answer_text(item, value),
                         "note": answer.note.strip() if answer else "",
                         "short": value not in (None, "") and is_noncompliant(item, value)})
        sections.append({"code": section.code, "title": section.title, "rows": rows,
                         "conclusion": CONCLUSION_TEXT.get(conclusion.get(section.code), "")})
    return sections


def _evidence_time(photo) -> str:
    """"chụp lúc 08h20 ngày 07/12/2021 (theo ảnh)" from the photo's EXIF, "chụp lúc …" at the
    moment the phone sent, "tải lên lúc …" at upload (inspections/evidence.py), and its
    place when it has one: "tọa độ 18.39000, 105.90000"."""
    source = getattr(photo, "taken_at_source", None) or ("exif" if photo.taken_at else "upload")
    taken_at = photo.taken_at or getattr(photo, "uploaded_at", None)
    if taken_at is None:
        text = "không rõ thời điểm chụp"
    elif source == "upload":
        text = f"tải lên lúc {moment(taken_at)}"
    else:
        text = f"chụp lúc {moment(taken_at)}{' (theo ảnh)' if source == 'exif' else ''}"
    latitude, longitude = getattr(photo, "latitude", None), getattr(photo, "longitude", None)
    if latitude is not None and longitude is not None:
        text += f", tọa độ {float(latitude):.5f}, {float(longitude):.5f}"
    return text


def _team_leader_name(visit, people: list[dict]) -> str:
    for person in people:
        if person["is_leader"]:
            return person["name"]
    return display_name(visit.reviewed_by) if visit.reviewed_by_id else ""


def _secretary_name(people: list[dict]) -> str:
    secretary = vietnamese_labels(TeamMembership.Position)[TeamMembership.Position.SECRETARY]
    return next((person["name"] for person in people if person["position"] == secretary), "")


def _shortcomings(visit, sections: list[dict], conclusion: dict) -> list[str]:
    """What the team wrote under "Tồn tại, hạn chế"; when it wrote nothing for a visit short
    of compliance, each criterion short of it with the answers that make it so (a biên bản
    of a non-compliant unit never says "không" there)."""
    written = text_lines(visit.shortcomings)
    if written:
        return written
    lines = []
    for section in sections:
        if conclusion.get(section["code"]) not in SHORT_OF_COMPLIANCE:
            continue
        missing = [f"{row['code']} {row['text'].rstrip('.')}: {row['answer']}" for row in section["rows"]
                   if row["short"]]
        line = f"- Tiêu chí {section['code']}) {section['title']}: {section['conclusion'].lower()}"
        lines.append(line + (f" ({'; '.join(missing)})" if missing else "") + ";")
    if lines:
        lines[-1] = lines[-1][:-1] + "."
    return lines


def minutes_context(visit, *, evidence=()) -> dict:
    """What the minutes of one visit show (see `minutes_pdf`)."""
    campaign, unit = visit.campaign, visit.unit
    approved = visit.status == Visit.Status.APPROVED
    started = timezone.localtime(visit.started_at, LOCAL_TIMEZONE) if visit.started_at else None
    day = started.date() if started else timezone.localdate(visit.starts_at, LOCAL_TIMEZONE)
    # Submitted: the conclusion kept at submission (or as the team overrode it); before,
    # the one the answers give so far.
    conclusion = visit.conclusion or compute_conclusion(visit)
    people = team_people(visit.itinerary) if visit.itinerary_id else []
    # The unit's statement is written at submission, with the unit present: the
    # submission's time is the end of the meeting when it is the same day.
    submitted = timezone.localtime(visit.submitted_at, LOCAL_TIMEZONE) if visit.submitted_at else None
    ends_at = clock(submitted) if submitted and started and submitted.date() == day and submitted > started else ""
    signed = {signature.role: signature for signature in visit.signatures.all()}
    unit_signature, leader_signature = (signed.get(Signature.Role.UNIT_REPRESENTATIVE),
                                        signed.get(Signature.Role.TEAM_LEADER))
    # The one who signed is the one named under the signature.
    representative = unit_signature.signer_name if unit_signature else unit.representative_name.strip()
    leader = leader_signature.signer_name if leader_signature else _team_leader_name(visit, people)
    override_reason = visit.conclusion_override_reason.strip().rstrip(".")
    sections = _minutes_sections(visit, conclusion)
    with translation.override("vi"):
        qr_scans = [f"{qr_scan_in_words(scan)} (mã đọc được: {scan.code_read}; {moment(scan.scanned_at)})"
                    for scan in visit.qr_scans.all()]
    return document_context(
        header=DocumentHeader(type_code="BB", day=day),
        title=DocumentTitle("BIÊN BẢN KIỂM TRA", MINUTES_SUBJECT),
        signature=SignatureBlock(LEADER_SIGNATURE, "", leader),
        recipients=MINUTES_RECIPIENTS,
        signatures=SignatureRow((
            SignatureBlock(UNIT_SIGNATURE, "", representative, "(Ký, ghi rõ họ tên, đóng dấu nếu có)",
                           signature_data_uri(unit_signature) if unit_signature else ""),
            # Mẫu 1.9: the one who wrote the minutes signs them too.
            SignatureBlock(SECRETARY_SIGNATURE, "", _secretary_name(people), "(Ký, ghi rõ họ tên)"),
            SignatureBlock(LEADER_SIGNATURE, "", leader, "(Ký, ghi rõ họ tên)",
                           signature_data_uri(leader_signature) if leader_signature else ""))),
        draft=not approved,
        legal_basis=legal_basis_lines([campaign.legal_basis, plan_reference(campaign)]),
        started_at=clock(started) if started else "…… giờ ……",
        day=vietnamese_date(day),
        unit=unit.name,
        address=unit_address(unit),
        people=people,
        representative=representative,
        representative_title=unit.representative_title.strip(),
        handwritten=HANDWRITTEN,
        secretary=_secretary_name(people),
        sections=sections,
        figures=_visit_figures(visit),
        figures_taken_at=moment(visit.figures_taken_at) if visit.figures_taken_at else "",
        overall=CONCLUSION_TEXT.get(conclusion.get("overall"), ""),
        override_reason=f"{override_reason}." if override_reason else "",
        shortcomings=_shortcomings(visit, sections, conclusion),
        recommendations=text_lines(visit.recommendations),
        # The corrections the team required, with their deadlines: what the reminder and
        # the annex cite later.
        corrections=[{"description": correction.description.strip().rstrip(".;"),
                      "deadline": f"trước {vietnamese_date(correction.deadline)}"}
                     for correction in visit.corrections.order_by("deadline", "pk")],
        unit_statement=text_lines(visit.unit_statement),
        evidence=[{"name": item.original_name, "time": _evidence_time(item), "sha256": item.sha256}
                  for item in evidence],
        ends_at=ends_at,
        approved_in_place=_approved_in_place(visit),
        qr_scans=qr_scans,
        transcribed=(f"Nội dung kiểm tra được nhập từ phiếu kiểm tra giấy bởi {display_name(visit.transcribed_by)} "
                     f"lúc {moment(visit.transcribed_at)}." if visit.transcribed_at else ""),
    )


def _approved_in_place(visit) -> str:
    """The line of the minutes that says the Inspectorate approved them in place of the
    team leader (issue #14), empty otherwise."""
    if not approved_in_place_of_leader(visit):
        return ""
    when = vietnamese_date(timezone.localdate(visit.reviewed_at, LOCAL_TIMEZONE)) if visit.reviewed_at else ""
    return " ".join(filter(None, [f"Biên bản do {display_name(visit.reviewed_by)}, cán bộ Thanh tra Sở, duyệt thay "
                                  "Trưởng đoàn kiểm tra", when])) + "."


def minutes_pdf(visit, *, evidence=()) -> bytes:
    """"BIÊN BẢN KIỂM TRA" of one visit: the team, the unit, the answers by criterion,
    the conclusion, the unit's statement, both sides' signatures. `evidence` holds
    objects with `.taken_at`, `.sha256` and `.original_name` (the visit's photos),
    listed as attachments. A visit the team leader has not approved carries "DỰ THẢO"."""
    return render_pdf("documents/minutes.html", minutes_context(visit, evidence=evidence))


# ----------------------------------------------------------------------------------------
# The paper checklist of a visit: the phone's fallback, transcribed later by its code
# ----------------------------------------------------------------------------------------

PAPER_TITLE = "PHIẾU KIỂM TRA"
PAPER_FIGURES = {
    "staff_total": "Tổng số cán bộ, nhân viên",
    "staff_with_app": "Số cán bộ, nhân viên đã cài đặt ứng dụng PC-Covid",
    "qr_codes": "Số mã QR địa điểm đã tạo",
    "scans_last_7_days": "Số lượt quét mã QR trong 07 ngày gần nhất",
    "portal_accounts": "Số tài khoản trên phần mềm quanly.pccovid.gov.vn",
}
NOTE_LINES = 2


def qr_svg_data_uri(text: str) -> str:
    """A QR code of `text` as an SVG data: URL (segno; a vector, sharp at any print size)."""
    return segno.make_qr(text, error="m").svg_data_uri(scale=4, border=4)


def paper_checklist_context(visit) -> dict:
    """What the printed checklist shows: the unit and the team, each item that applies
    with boxes to tick (Có / Không / Không áp dụng), a box for a number or lines for a text,
    lines for notes, the figures, and the visit's code as a QR code and in letters (the
    transcription page finds the visit by it)."""
    campaign, unit = visit.campaign, visit.unit
    template = visit.checklist or campaign.checklist
    items_by_section: dict[int, list] = {}
    for item in applicable_items(visit):
        items_by_section.setdefault(item.section_id, []).append(item)
    sections = [{"code": section.code, "title": section.title,
                 "rows": [{"code": item.code, "text": item.text, "kind": item.kind, "choices": item.choices,
                           "unit": "%" if item.kind == ChecklistItem.Kind.PERCENTAGE else ""}
                          for item in items_by_section.get(section.pk, [])]}
                for section in (ChecklistSection.objects.filter(template=template).order_by("order", "code")
                                if template else [])]
    starts = timezone.localtime(visit.starts_at, LOCAL_TIMEZONE)
    people = team_people(visit.itinerary) if visit.itinerary_id else []
    code = visit_code(visit)
    return document_context(
        header=DocumentHeader(day=None), title=DocumentTitle(PAPER_TITLE, MINUTES_SUBJECT),
        signature=SignatureBlock(LEADER_SIGNATURE, "", ""), recipients=[],
        signatures=SignatureRow((SignatureBlock(UNIT_SIGNATURE, "", "", "(Ký, ghi rõ họ tên)"),
                                 SignatureBlock("NGƯỜI KIỂM TRA", "", "", "(Ký, ghi rõ họ tên)"))),
        code=code, qr=qr_svg_data_uri(code), unit=unit.name, address=unit_address(unit), category=str(unit.category),
        representative=unit.representative_name.strip(), people=people,
        day=f"{clock(starts)} {vietnamese_weekday(starts.date())}, {vietnamese_date(starts.date())}",
        sections=sections, figures=[PAPER_FIGURES[name] for name in FIGURES], note_lines=range(NOTE_LINES),
        yes_no=list(YES_NO_TEXT.values()), campaign=campaign.title)


def paper_checklist_pdf(visit) -> bytes:
    """"PHIẾU KIỂM TRA" of one visit on A4, to fill by hand when the phone cannot be used."""
    return render_pdf("documents/paper_checklist.html", paper_checklist_context(visit))


# ----------------------------------------------------------------------------------------
# The reminder letter (công văn nhắc nhở) of a follow-up, as PDF and DOCX
# ----------------------------------------------------------------------------------------

REMINDER_SUBJECT = "V/v đôn đốc khắc phục tồn tại sau kiểm tra việc triển khai PC-Covid và quét mã QR"


def reminder_context(follow_up, *, issued_on: datetime.date | None = None) -> dict:
    """A công văn of the Inspectorate to the unit: what the visit found, what to correct
    and by when. It names no fine and no legal clause (DESIGN §3 rule 7): the signer adds
    any by hand. Dated `issued_on`, else the day of the latest reminder recorded (the letter
    that step sent), else today."""
    correction = follow_up.correction
    visit = correction.visit
    if issued_on is None:
        reminder = follow_up.steps.filter(kind="reminder").order_by("-date", "-id").values_list("date", flat=True)
        issued_on = reminder.first() or timezone.localdate(timezone.now(), LOCAL_TIMEZONE)
    visit_day = timezone.localtime(visit.starts_at, LOCAL_TIMEZONE).date()
    paragraphs = [
        f"Thực hiện {plan_reference(visit.campaign)}, {vietnamese_date(visit_day)}, "
        f"Tổ kiểm tra của Sở Thông tin và Truyền thông đã "
        f"kiểm tra việc triển khai hệ thống PC-Covid và quét mã QR tại {follow_up.unit.name} "
        f"({unit_address(follow_up.unit)}).",
        f"Qua kiểm tra, Tổ kiểm tra đã yêu cầu đơn vị khắc phục: {correction.description.rstrip('.')}; "
        f"thời hạn khắc phục: {vietnamese_date(follow_up.deadline)}.",
        "Sở Thông tin và Truyền thông đề nghị đơn vị khẩn trương thực hiện nội dung nêu trên và báo cáo kết quả "
        "khắc phục về Sở (qua Thanh tra Sở) để tổng hợp, báo cáo UBND tỉnh.",
    ]
    return document_context(
        header=DocumentHeader(day=issued_on, unit_code="TTr"),
        title=DocumentTitle("", ""),
        signature=SignatureBlock("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", ""),
        recipients=["Như trên", "Lãnh đạo Sở (b/c)", "Lưu: VT, TTr"],
        subject=REMINDER_SUBJECT, addressee=follow_up.unit.name, paragraphs=paragraphs)


def reminder_pdf(follow_up, **options) -> bytes:
    return render_pdf("documents/reminder.html", reminder_context(follow_up, **options))


def reminder_docx(follow_up, **options) -> bytes:
    return render_docx(reminder_context(follow_up, **options))


@dataclass(frozen=True)
class Heading:
    """A bold heading of a document's body ("I. KẾT QUẢ KIỂM TRA")."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table of a document's body: a bold header row, then the rows (the last one bold
    when it is a total). Numbers print in the Vietnamese form (1.080) and align right; a
    first column "STT" is narrow."""

    headers: list
    rows: list
    total_row: bool = False


# The DOCX page: A4, margins of the decree (top and bottom 20–25 mm, left 30–35, right 15–20).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165
# The header's two columns (as documents.css): at 12 pt bold, "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
# takes 73.6 mm and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" 87.7 mm in Times New Roman, so each
# keeps one line in Word and LibreOffice (the cells have no inner margins).
HEADER_COLUMNS_MM = (75, 90)
HEADER_SIZE, MOTTO_SIZE = 12, 13
# The rules under the issuing body (2/5 of its 73.6 mm: the decree asks 1/3–1/2) and under
# the motto (as long as its 56 mm at 13 pt).
ISSUING_RULE_MM, MOTTO_RULE_MM = 30, 57
STT_COLUMN_MM = 12
BODY_SPACE_AFTER_PT = 6  # the decree: at least 6 pt between the body's paragraphs


def _docx_rule(cell, length_mm: float, column_mm: float) -> None:
    """A solid line `length_mm` long centred in a header column: the top border of an empty
    1-pt paragraph, its width set by the paragraph's indents (readable back from the file:
    w:pBdr/w:top on the paragraph after the text it underlines)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    rule = cell.add_paragraph()
    rule.paragraph_format.left_indent = rule.paragraph_format.right_indent = Mm((column_mm - length_mm) / 2)
    rule.paragraph_format.space_before = Pt(2)
    rule.add_run().font.size = Pt(1)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(name), value)
    borders.append(top)
    rule._p.get_or_add_pPr().append(borders)


def _docx_row_flags(row, *, header: bool = False) -> None:
    """A row that never splits across pages (w:cantSplit); a header row repeats on every
    page the table runs onto (w:tblHeader)."""
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def _docx_fixed_widths(grid, widths_mm) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    grid.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    grid._tbl.tblPr.append(layout)
    for column, width in zip(grid.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _docx_no_cell_margins(grid) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    grid._tbl.tblPr.append(margins)


def _docx_page_header(section, *, draft: bool) -> None:
    """Page numbers centred at the top from page 2 (a PAGE field in the header, none on the
    first page's), and "DỰ THẢO" at the right of both when the document is a draft."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section.different_first_page_header_footer = True
    section.header_distance = Mm(10)
    for header, numbered in ((section.header, True), (section.first_page_header, False)):
        # The Header style's own stops (centre at 82.5 mm, right at 165 mm: this text area's
        # middle and edge) place the number and the mark; a second stop a few twips off
        # would catch the mark in the middle.
        paragraph = header.paragraphs[0]
        paragraph.add_run("\t")
        if numbered:
            field = OxmlElement("w:fldSimple")
            field.set(qn("w:instr"), "PAGE")
            run = paragraph.add_run("2")
            run.font.size = Pt(13)
            field.append(run._r)
            paragraph._p.append(field)
        if draft:
            paragraph.add_run("\t")
            mark = paragraph.add_run("DỰ THẢO")
            mark.bold, mark.font.size = True, Pt(11)


def render_docx(context: dict) -> bytes:
    """A Word file in the Decree 30/2020 layout from the same context as the PDF: the
    two-column header with its two rules, number and date line, the title (a báo cáo's
    "BÁO CÁO" and subject) or a công văn's "V/v …" under its number, addressee, body
    (paragraphs, headings and tables that survive page breaks), "Nơi nhận" and the
    signature block kept with the last paragraph, page numbers from page 2 and "DỰ THẢO"
    on every page of a draft. Times New Roman (the decree's font, present where it is
    opened); no space after the header's and Nơi nhận's lines, 6 pt in the body."""
    import io

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    header, signature, title = context["header"], context["signature"], context.get("title")
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(14)
    style.element.rPr.rFonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia",
                                 "Times New Roman")
    # python-docx's template puts 10 pt after every paragraph; the decree has none in the
    # header and Nơi nhận (the body sets its own 6 pt).
    style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(0), Pt(0)
    style.paragraph_format.line_spacing = 1.0
    _docx_page_header(section, draft=bool(context.get("draft")))
    center = WD_ALIGN_PARAGRAPH.CENTER

    def paragraph(cell_or_doc, text, *, bold=False, italic=False, size=None, align=None):
        target = cell_or_doc.add_paragraph() if hasattr(cell_or_doc, "add_paragraph") else cell_or_doc
        run = target.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if align is not None:
            target.alignment = align
        return target

    def body(text, *, bold=False, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True):
        line = paragraph(document, text, bold=bold, align=align)
        line.paragraph_format.space_after = Pt(BODY_SPACE_AFTER_PT)
        if indent:
            line.paragraph_format.first_line_indent = Mm(10)
        return line

    def table(block: Table):
        columns = len(block.headers)
        narrow = str(block.headers[0]) == "STT"
        rest = TEXT_WIDTH_MM - (STT_COLUMN_MM if narrow else 0)
        widths = ([STT_COLUMN_MM] if narrow else []) + [rest / (columns - narrow)] * (columns - narrow)
        grid = document.add_table(rows=1 + len(block.rows), cols=columns)
        grid.style = "Table Grid"
        _docx_fixed_widths(grid, widths)
        _docx_row_flags(grid.rows[0], header=True)
        for cell, text in zip(grid.rows[0].cells, block.headers, strict=True):
            paragraph(cell.paragraphs[0], str(text), bold=True, size=12, align=center)
        for index, (row, values) in enumerate(zip(grid.rows[1:], block.rows, strict=True)):
            _docx_row_flags(row)
            last = block.total_row and index == len(block.rows) - 1
            for cell, value in zip(row.cells, values, strict=True):
                number = isinstance(value, int | float) and not isinstance(value, bool)
                paragraph(cell.paragraphs[0], vietnamese_number(value) if number else str(value), bold=last,
                          size=12, align=WD_ALIGN_PARAGRAPH.RIGHT if number else None)
        document.add_paragraph().paragraph_format.space_after = Pt(BODY_SPACE_AFTER_PT)

    heading = document.add_table(rows=2, cols=2)
    _docx_fixed_widths(heading, HEADER_COLUMNS_MM)
    _docx_no_cell_margins(heading)
    left, right = heading.rows[0].cells
    left.paragraphs[0].alignment = right.paragraphs[0].alignment = center
    paragraph(left.paragraphs[0], header.governing_body, size=HEADER_SIZE)
    paragraph(left, header.issuing_body, bold=True, size=HEADER_SIZE, align=center)
    _docx_rule(left, ISSUING_RULE_MM, HEADER_COLUMNS_MM[0])
    paragraph(right.paragraphs[0], header.national_name, bold=True, size=HEADER_SIZE)
    paragraph(right, header.national_motto, bold=True, size=MOTTO_SIZE, align=center)
    _docx_rule(right, MOTTO_RULE_MM, HEADER_COLUMNS_MM[1])
    number, date = heading.rows[1].cells
    paragraph(number.paragraphs[0], header.number_line, size=13, align=center)
    number.paragraphs[0].paragraph_format.space_before = Pt(6)
    if context.get("subject"):
        paragraph(number, context["subject"], size=12, align=center)
    paragraph(date.paragraphs[0], header.date_line, italic=True, size=14, align=center)
    date.paragraphs[0].paragraph_format.space_before = Pt(6)

    if title and title.kind:
        kind = paragraph(document, title.kind, bold=True, align=center)
        kind.paragraph_format.space_before = Pt(18)
        if title.subject:
            paragraph(document, title.subject, bold=True, align=center)
            _docx_rule(document, TEXT_WIDTH_MM * 0.35, TEXT_WIDTH_MM)
    if context.get("addressee"):
        addressee = paragraph(document, f"Kính gửi: {context['addressee']}", align=center)
        addressee.paragraph_format.space_before, addressee.paragraph_format.space_after = Pt(12), Pt(12)
    last = None
    for block in context.get("paragraphs", []):
        if isinstance(block, Table):
            table(block)
            last = None
        elif isinstance(block, Heading):
            body(block.text, bold=True, indent=False).paragraph_format.keep_with_next = True
        else:
            last = body(block)
    if last is not None:
        last.paragraph_format.keep_with_next = True  # the signature never stands alone on a page
    closing = document.add_table(rows=1, cols=2)
    _docx_fixed_widths(closing, (TEXT_WIDTH_MM * 0.45, TEXT_WIDTH_MM * 0.55))
    _docx_row_flags(closing.rows[0])
    recipients, signing = closing.rows[0].cells
    paragraph(recipients.paragraphs[0], "Nơi nhận:", bold=True, italic=True, size=12)
    for line in context.get("recipients", []):
        paragraph(recipients, line, size=11)
    signing.paragraphs[0].alignment = center
    paragraph(signing.paragraphs[0], signature.lines[0] if signature.lines else "", bold=True)
    for line in signature.lines[1:]:
        paragraph(signing, line, bold=True, align=center)
    for _blank in range(4):
        signing.add_paragraph()
    paragraph(signing, signature.signer, bold=True, align=center)
    # The file says when it was issued (its properties), not when the server wrote it.
    if header.day:
        issued = datetime.datetime.combine(header.day, datetime.time(8))
        document.core_properties.created = document.core_properties.modified = issued
    document.core_properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
