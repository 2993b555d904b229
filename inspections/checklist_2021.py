"""The checklist of the 2021 plan: criteria (a), (b), (c) of its section II.1, with
items drawn from the plan and the findings of comparable inspections (domain-facts §7).

Which kinds of unit an item applies to follows the plan's emphasis: a People's
Committee or an agency is judged mainly on direction work (a) and the portal (c); a
shop, market or hospital mainly on the QR codes and scanning (b), which every unit has.
The 50 % threshold on installations is our default, editable by an administrator.
"""

from django.db import transaction
from django.utils import timezone

from inspections.models import ChecklistItem, ChecklistSection, ChecklistTemplate
from units.models import UnitCategory

NAME = "Bảng kiểm triển khai PC-Covid và quét mã QR (Kế hoạch tháng 11/2021)"
AGENCIES = ["so_ban_nganh", "co_quan_trung_uong", "ubnd_huyen", "ubnd_xa"]
YES_NO, NUMBER, PERCENTAGE, TEXT = (ChecklistItem.Kind.YES_NO, ChecklistItem.Kind.NUMBER,
                                    ChecklistItem.Kind.PERCENTAGE, ChecklistItem.Kind.TEXT)
SECTIONS = [
    ("a", "Công tác chỉ đạo cài đặt ứng dụng PC-Covid, tạo mã QR", [
        # (code, question, kind, required, categories, non-compliant when, photo when, help)
        ("a1", "Đơn vị đã ban hành văn bản chỉ đạo, tuyên truyền triển khai cài đặt PC-Covid, khai báo y tế, "
               "tạo và quét mã QR", YES_NO, True, AGENCIES, "no", None, "Ghi số, ngày văn bản vào phần ghi chú."),
        ("a2", "Đã quán triệt, phổ biến cài đặt ứng dụng PC-Covid trong cơ quan, đơn vị", YES_NO, True, [], "no",
         None, ""),
        ("a3", "Tỷ lệ cán bộ, nhân viên đã cài đặt PC-Covid (%)", PERCENTAGE, True, [], {"lt": 50}, None,
         "Theo số liệu đơn vị báo cáo tại thời điểm kiểm tra."),
    ]),
    ("b", "Tạo, niêm yết mã QR địa điểm và quét mã QR", [
        ("b1", "Đã tạo mã QR địa điểm trên PC-Covid (qr.pccovid.gov.vn hoặc ứng dụng)", YES_NO, True, [], "no",
         None, ""),
        ("b2", "Mã QR địa điểm được niêm yết ở lối vào, nơi dễ thấy, đúng kích thước", YES_NO, True, [], "no", "no",
         "Chụp ảnh vị trí niêm yết (bắt buộc khi trả lời Không)."),
        ("b3", "Còn niêm yết mã QR cũ không phải của PC-Covid (Bluezone, NCOVI, VHD, mã riêng của đơn vị)", YES_NO,
         True, [], "yes", "yes", ""),
        ("b4", "Có người hướng dẫn, nhắc nhở người đến giao dịch quét mã QR", YES_NO, True, [], "no", None, ""),
        ("b5", "Có khai hộ cho người không có điện thoại thông minh", YES_NO, False, [], None, None, ""),
        ("b6", "Số lượt quét mã QR ngày hôm trước", NUMBER, False, [], None, None,
         "Đã tạo mã nhưng không phát sinh lượt quét là một phát hiện cần ghi nhận."),
    ]),
    ("c", "Sử dụng phần mềm quanly.pccovid.gov.vn", [
        ("c1", "Có tài khoản quản lý trên quanly.pccovid.gov.vn", YES_NO, True, AGENCIES, "no", None, ""),
        ("c2", "Khai thác thống kê, báo cáo phục vụ chỉ đạo, tuyên truyền quét mã QR", YES_NO, True, AGENCIES, "no",
         None, ""),
        ("c3", "Đã sử dụng phần mềm phục vụ truy vết F1", YES_NO, False, AGENCIES, "no", None,
         "Ghi số trường hợp hoặc ví dụ vào phần ghi chú."),
        ("c4", "Ghi chú khác về việc sử dụng phần mềm", TEXT, False, AGENCIES, None, None, ""),
    ]),
]

# The English labels (issue #14.5): section code or item code → (text, help).
ENGLISH = {
    "a": ("Direction on installing PC-Covid and creating QR codes", ""),
    "a1": ("The unit has issued documents directing and promoting the installation of PC-Covid, health declarations, "
           "and the creation and scanning of QR codes", "Write the documents' numbers and dates in the note."),
    "a2": ("Installing PC-Covid has been explained and promoted within the agency or unit", ""),
    "a3": ("Share of staff who have installed PC-Covid (%)", "As reported by the unit at the time of the inspection."),
    "b": ("Creating, posting and scanning location QR codes", ""),
    "b1": ("A location QR code has been created on PC-Covid (qr.pccovid.gov.vn or the app)", ""),
    "b2": ("The location QR code is posted at the entrance, where it is easily seen, at the right size",
           "Photograph where it is posted (required when the answer is No)."),
    "b3": ("Old QR codes other than PC-Covid's are still posted (Bluezone, NCOVI, VHD, the unit's own code)", ""),
    "b4": ("Someone guides and reminds visitors to scan the QR code", ""),
    "b5": ("People without a smartphone are declared on their behalf", ""),
    "b6": ("Number of QR code scans the day before",
           "A code created but never scanned is a finding to record."),
    "c": ("Use of the quanly.pccovid.gov.vn software", ""),
    "c1": ("Has a management account on quanly.pccovid.gov.vn", ""),
    "c2": ("Uses its statistics and reports to direct and promote QR scanning", ""),
    "c3": ("Has used the software to trace close contacts (F1)",
           "Write the number of cases or an example in the note."),
    "c4": ("Other notes on the use of the software", ""),
}


def label_in_english(template) -> None:
    """Fill the English labels of the 2021 checklist's sections and items (those left
    empty only, so a label an administrator wrote stays)."""
    for section in template.sections.all():
        if not section.title_en and section.code in ENGLISH:
            section.title_en = ENGLISH[section.code][0]
            section.save(update_fields=["title_en"])
        for item in section.items.all():
            if not item.text_en and item.code in ENGLISH:
                item.text_en, english_help = ENGLISH[item.code]
                item.help_text_en = item.help_text_en or english_help
                item.save(update_fields=["text_en", "help_text_en"])


@transaction.atomic
def seed_checklist_2021() -> ChecklistTemplate:
    """Create and publish the 2021 checklist once; return it (existing or new)."""
    template, created = ChecklistTemplate.objects.get_or_create(name=NAME, version=1)
    if not created:
        return template
    categories = {category.code: category for category in UnitCategory.objects.all()}
    for order, (code, title, items) in enumerate(SECTIONS, start=1):
        section = ChecklistSection.objects.create(template=template, code=code, title=title, order=order)
        for position, (item_code, text, kind, required, applies_to, noncompliant, photo, help_text) in enumerate(
                items, start=1):
            item = ChecklistItem.objects.create(
                section=section, code=item_code, text=text, kind=kind, required=required, help_text=help_text,
                noncompliant_if=noncompliant, photo_required_if=photo, order=position)
            item.categories.set([categories[c] for c in applies_to])
    label_in_english(template)
    template.published_at = timezone.now()
    template.save(update_fields=["published_at"])
    return template
