"""XLSForm in and out (issue #15.3), the ODK / KoboToolbox standard, so that a checklist
moves between this product and those tools.

The mapping, one way and back:

- a section is a group (`begin_group` / `end_group`, its name the criterion code);
- yes / no / not applicable is `select_one yes_no`; a choice is `select_one <code>_choices`;
  a number `integer`; a percentage `decimal` with the constraint `. >= 0 and . <= 100`;
  a text `text`; a photo `image`;
- a rule "photo required when the answer is X" is an `image` question named `<code>_photo`,
  shown (`relevant`) when `${<code>} = 'X'` and required; "note required when" is a `text`
  question `<code>_note` the same way: that is how ODK asks for them;
- what XLSForm has no column for (the unit categories an item applies to, the answer that
  marks it non-compliant) goes in the extra columns `applies_to` and `noncompliant_if`, which
  ODK and KoboToolbox carry along and ignore;
- `label::Vietnamese (vi)` / `label::English (en)` (and `hint::…`) are the texts and their
  English labels; the `settings` sheet names the form and its version.

The import reads a workbook row by row into a preview (each row accepted or refused, and
why), and writes a draft checklist only when every row was accepted: nothing partial.
"""

import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from inspections.checklists import check_item
from inspections.models import ChecklistItem, ChecklistSection, ChecklistTemplate
from units.exporters import ListExporter, render_xlsx
from units.models import UnitCategory

VI, EN = "Vietnamese (vi)", "English (en)"
YES_NO_LIST = "yes_no"
YES_NO_CHOICES = [("yes", "Có", "Yes"), ("no", "Không", "No"), ("na", "Không áp dụng", "Not applicable")]
PERCENT_CONSTRAINT = ". >= 0 and . <= 100"
SURVEY_HEADERS = ["type", "name", f"label::{VI}", f"label::{EN}", f"hint::{VI}", f"hint::{EN}", "required",
                  "relevant", "constraint", "parameters", "applies_to", "noncompliant_if"]
# The server downscales a photo to this size anyway (inspections/evidence.py); ODK asks for it.
IMAGE_PARAMETERS = "max-pixels=1600"
CHOICES_HEADERS = ["list_name", "name", f"label::{VI}", f"label::{EN}"]
SETTINGS_HEADERS = ["form_title", "form_id", "version", "default_language"]
MAX_ROWS = 2_000  # a checklist has tens of questions; a workbook far beyond is not one
_RELEVANT = re.compile(r"^\s*\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}\s*=\s*'([^']*)'\s*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,9}$")


# ----------------------------------------------------------------------------------------
# Out: any version as an XLSForm workbook
# ----------------------------------------------------------------------------------------


def _rule_text(rule) -> str:
    if rule is None:
        return ""
    if isinstance(rule, dict):
        return f"< {rule['lt']}" if "lt" in rule else f"> {rule['gt']}"
    return str(rule)


def _sections(template):
    return template.sections.prefetch_related("items__categories").order_by("order", "code")


class SurveySheet(ListExporter):
    def __init__(self, template):
        self.template = template

    def title(self):
        return "survey"

    def headers(self):
        return SURVEY_HEADERS

    def _item_type(self, item) -> str:
        return {ChecklistItem.Kind.YES_NO: f"select_one {YES_NO_LIST}",
                ChecklistItem.Kind.CHOICE: f"select_one {item.code}_choices",
                ChecklistItem.Kind.NUMBER: "integer", ChecklistItem.Kind.PERCENTAGE: "decimal",
                ChecklistItem.Kind.TEXT: "text", ChecklistItem.Kind.PHOTO: "image"}[item.kind]

    def rows(self):
        for section in _sections(self.template):
            yield ["begin_group", section.code, section.title, section.title_en, "", "", "", "", "", "", "", ""]
            for item in section.items.all():
                categories = " ".join(sorted(category.code for category in item.categories.all()))
                constraint = PERCENT_CONSTRAINT if item.kind == ChecklistItem.Kind.PERCENTAGE else ""
                yield [self._item_type(item), item.code, item.text, item.text_en, item.help_text, item.help_text_en,
                       "yes" if item.required else "", "", constraint,
                       IMAGE_PARAMETERS if item.kind == ChecklistItem.Kind.PHOTO else "", categories,
                       _rule_text(item.noncompliant_if)]
                for suffix, kind, rule in (("photo", "image", item.photo_required_if),
                                           ("note", "text", item.note_required_if)):
                    if rule is not None and item.kind == ChecklistItem.Kind.CHOICE:
                        rule = choice_name(item.choices, rule)  # ODK compares the choice's name
                    if rule is not None:
                        yield [kind, f"{item.code}_{suffix}",
                               f"Ảnh cho câu {item.code}" if suffix == "photo" else f"Ghi chú cho câu {item.code}",
                               f"Photo for {item.code}" if suffix == "photo" else f"Note for {item.code}",
                               "", "", "yes", f"${{{item.code}}} = '{rule}'", "",
                               IMAGE_PARAMETERS if kind == "image" else "", categories, ""]
            yield ["end_group", section.code, "", "", "", "", "", "", "", "", "", ""]


class ChoicesSheet(ListExporter):
    def __init__(self, template):
        self.template = template

    def title(self):
        return "choices"

    def headers(self):
        return CHOICES_HEADERS

    def rows(self):
        for name, vietnamese, english in YES_NO_CHOICES:
            yield [YES_NO_LIST, name, vietnamese, english]
        for item in ChecklistItem.objects.filter(section__template=self.template, kind=ChecklistItem.Kind.CHOICE
                                                 ).order_by("section__order", "order", "code"):
            for position, choice in enumerate(item.choices, start=1):
                yield [f"{item.code}_choices", f"c{position}", choice, choice]


class SettingsSheet(ListExporter):
    def __init__(self, template):
        self.template = template

    def title(self):
        return "settings"

    def headers(self):
        return SETTINGS_HEADERS

    def rows(self):
        yield [self.template.name, f"checklist_{self.template.pk}", str(self.template.version), VI]


def choice_name(choices: list[str], answer: str) -> str:
    """A choice's name in the choices sheet: c1, c2… in its order."""
    return f"c{choices.index(answer) + 1}" if answer in choices else answer


def export_xlsform(template: ChecklistTemplate) -> bytes:
    """The version as an XLSForm workbook (survey, choices, settings)."""
    handle = io.BytesIO()
    render_xlsx([SurveySheet(template), ChoicesSheet(template), SettingsSheet(template)], handle)
    return handle.getvalue()


# ----------------------------------------------------------------------------------------
# In: a workbook, row by row, into a preview and then a draft
# ----------------------------------------------------------------------------------------


@dataclass
class RowVerdict:
    sheet: str
    row: int
    type: str
    name: str
    accepted: bool
    message: str


@dataclass
class ImportPreview:
    """What the import would create (`plan`: plain data, kept in the session until
    confirmed), and the verdict on each row."""

    name: str = ""
    rows: list[RowVerdict] = field(default_factory=list)
    plan: list[dict] = field(default_factory=list)

    @property
    def refused(self) -> list[RowVerdict]:
        return [row for row in self.rows if not row.accepted]

    @property
    def can_create(self) -> bool:
        return bool(self.plan) and not self.refused and any(section["items"] for section in self.plan)


def _sheet_rows(workbook, name: str) -> list[tuple[int, dict]]:
    """A sheet's rows as dicts by header (lower case, trimmed), with their row number."""
    if name not in workbook.sheetnames:
        return []
    rows = workbook[name].iter_rows(values_only=True)
    header = next(rows, None) or ()
    keys = [str(cell).strip() if cell is not None else "" for cell in header]
    found = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise ValidationError(_("The workbook has more than %(count)s rows: it is not a checklist.")
                                  % {"count": MAX_ROWS})
        record = {key: ("" if value is None else str(value).strip()) for key, value in zip(keys, values, strict=False)
                  if key}
        if any(record.values()):
            found.append((number, record))
    return found


def _text(record: dict, column: str, language: str) -> str:
    """`label::Vietnamese (vi)`, else a plain `label` for Vietnamese; the English label."""
    value = record.get(f"{column}::{language}", "")
    if not value and language == VI:
        value = record.get(column, "")
    return value


def _parse_rule(text: str, kind: str):
    text = text.strip()
    if not text:
        return None
    if text[0] in "<>":
        try:
            bound = float(text[1:].strip())
        except ValueError:
            raise ValidationError(_("“%(rule)s” is neither an answer nor a bound such as “< 50”.")
                                  % {"rule": text}) from None
        return {"lt" if text[0] == "<" else "gt": int(bound) if bound.is_integer() else bound}
    return text


def read_xlsform(content: bytes) -> ImportPreview:
    """Read an XLSForm workbook into a preview: every row of the survey sheet accepted or
    refused, with the reason in the interface's language. Raises ValidationError when the
    file is not a workbook with a survey sheet."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(_("The file is not an Excel workbook (.xlsx) that can be read.")) from None
    if "survey" not in workbook.sheetnames:
        raise ValidationError(_("The workbook has no “survey” sheet: it is not an XLSForm."))
    preview = ImportPreview()
    settings_rows = _sheet_rows(workbook, "settings")
    preview.name = (settings_rows[0][1].get("form_title", "") if settings_rows else "")[:255]
    # list name → [(name, Vietnamese label)]: the product keeps a choice by its label.
    choices: dict[str, list[tuple[str, str]]] = {}
    for _number, record in _sheet_rows(workbook, "choices"):
        choices.setdefault(record.get("list_name", ""), []).append(
            (record.get("name", ""), _text(record, "label", VI) or record.get("name", "")))
    categories = set(UnitCategory.objects.values_list("code", flat=True))
    _read_survey(preview, _sheet_rows(workbook, "survey"), choices, categories)
    if not preview.name:
        preview.rows.append(RowVerdict("settings", 2, "", "form_title", False,
                                       _("The settings sheet names no form_title: the checklist needs a name.")))
    return preview


def _read_survey(preview, rows, choices, categories) -> None:
    section, items, item_names, pending_help = None, {}, {}, ""

    def verdict(number, record, accepted, message):
        preview.rows.append(RowVerdict("survey", number, record.get("type", ""), record.get("name", ""), accepted,
                                       message))

    for number, record in rows:
        kind_text, name = record.get("type", "").split(), record.get("name", "")
        base = kind_text[0] if kind_text else ""
        if base == "begin_group":
            if section is not None:
                verdict(number, record, False, _("A group inside a group: a checklist has one level of sections."))
                continue
            title = _text(record, "label", VI)
            if not _NAME.match(name) or len(name) > 4 or not title:
                verdict(number, record, False, _("A section needs a code of at most 4 letters and a label."))
                continue
            section = {"code": name, "title": title[:255], "title_en": _text(record, "label", EN)[:255],
                       "items": []}
            preview.plan.append(section)
            verdict(number, record, True, _("Section %(code)s.") % {"code": name})
            continue
        if base == "end_group":
            section = None
            verdict(number, record, True, _("End of the section."))
            continue
        if section is None:
            verdict(number, record, False, _("A question outside any group: put it in a section (begin_group)."))
            continue
        relevant = record.get("relevant", "")
        if base in ("image", "text") and relevant:
            match = _RELEVANT.match(relevant)
            owner = items.get(match.group(1)) if match else None
            rule = "photo_required_if" if base == "image" else "note_required_if"
            if owner is None:
                verdict(number, record, False, _("“relevant” must be of the form ${question} = 'answer' and name a "
                                                 "question above it."))
            elif owner[rule] is not None:
                verdict(number, record, False, _("Question %(code)s already has this rule.") % {"code": owner["code"]})
            else:
                answer = match.group(2)
                if owner["kind"] == ChecklistItem.Kind.CHOICE:
                    answer = item_names[owner["code"]].get(answer, answer)
                owner[rule] = answer
                try:
                    _check(owner, section, preview)
                except ValidationError as error:
                    owner[rule] = None
                    verdict(number, record, False, " ".join(error.messages))
                    continue
                verdict(number, record, True, (_("A photo is required when %(code)s is answered “%(answer)s”.")
                                               if base == "image" else
                                               _("A note is required when %(code)s is answered “%(answer)s”."))
                        % {"code": owner["code"], "answer": answer})
            continue
        if base == "note":
            pending_help = _text(record, "label", VI)
            verdict(number, record, True, _("A note: shown as the help of the next question."))
            continue
        if relevant:
            verdict(number, record, False, _("The product does not hide questions by “relevant”; only a photo or a "
                                             "note required by an answer may have one."))
            continue
        kind = _kind(base, kind_text, record, choices)
        if kind is None:
            verdict(number, record, False, _("The type “%(type)s” is not supported: use select_one, integer, "
                                             "decimal, text, image or note.") % {"type": record.get("type", "")})
            continue
        text = _text(record, "label", VI)
        applies = record.get("applies_to", "").split()
        unknown = [code for code in applies if code not in categories]
        if not _NAME.match(name) or not text:
            verdict(number, record, False, _("A question needs a name of at most 10 letters, digits or _ and a "
                                             "Vietnamese label."))
            continue
        if unknown:
            verdict(number, record, False, _("Unknown kinds of unit in applies_to: %(codes)s.")
                    % {"codes": ", ".join(unknown)})
            continue
        item = {"code": name, "text": text, "text_en": _text(record, "label", EN),
                "help_text": _text(record, "hint", VI) or pending_help, "help_text_en": _text(record, "hint", EN),
                "kind": kind,
                "choices": [label for _name, label in choices.get(kind_text[1], [])]
                if kind == ChecklistItem.Kind.CHOICE else [],
                "required": record.get("required", "").lower() in ("yes", "true", "true()", "1"),
                "categories": applies, "noncompliant_if": None, "photo_required_if": None,
                "note_required_if": None}
        names = dict(choices.get(kind_text[1], [])) if kind == ChecklistItem.Kind.CHOICE else {}
        pending_help = ""
        try:
            item["noncompliant_if"] = _parse_rule(record.get("noncompliant_if", ""), kind)
            _check(item, section, preview)
        except ValidationError as error:
            verdict(number, record, False, " ".join(error.messages))
            continue
        items[name] = item
        item_names[name] = names
        section["items"].append(item)
        verdict(number, record, True, _("Question %(code)s: %(kind)s.") % {
            "code": name, "kind": ChecklistItem.Kind(kind).label})


def _kind(base, kind_text, record, choices) -> str | None:
    if base == "select_one" and len(kind_text) == 2:
        if kind_text[1] == YES_NO_LIST:
            return ChecklistItem.Kind.YES_NO
        return ChecklistItem.Kind.CHOICE if choices.get(kind_text[1]) else None
    if base == "decimal":
        return (ChecklistItem.Kind.PERCENTAGE if record.get("constraint", "").replace(" ", "") ==
                PERCENT_CONSTRAINT.replace(" ", "") else ChecklistItem.Kind.NUMBER)
    return {"integer": ChecklistItem.Kind.NUMBER, "text": ChecklistItem.Kind.TEXT,
            "image": ChecklistItem.Kind.PHOTO}.get(base)


def _check(item: dict, section: dict, preview: ImportPreview) -> None:
    """The builder's own rules (checklists.check_item) on the planned question, and its
    code once in the workbook."""
    codes = [other["code"] for planned in preview.plan for other in planned["items"] if other is not item]
    if item["code"] in codes:
        raise ValidationError(_("The name %(code)s is used twice.") % {"code": item["code"]})
    draft = ChecklistSection(code=section["code"])
    check_item(section=draft, **{key: value for key, value in item.items() if key != "categories"})


@transaction.atomic
def create_from_plan(*, name: str, plan: list[dict]) -> ChecklistTemplate:
    """Write the previewed checklist as a draft: version 1 of a new name, or the next
    version of an existing one. All or nothing. Side effects: the template, its sections,
    items and their categories."""
    latest = ChecklistTemplate.objects.filter(name=name).aggregate(last=Max("version"))["last"] or 0
    template = ChecklistTemplate.objects.create(name=name, version=latest + 1)
    categories = {category.code: category for category in UnitCategory.objects.all()}
    for order, planned in enumerate(plan, start=1):
        section = ChecklistSection.objects.create(template=template, code=planned["code"], title=planned["title"],
                                                  title_en=planned["title_en"], order=order)
        for position, data in enumerate(planned["items"], start=1):
            item = ChecklistItem.objects.create(
                section=section, order=position,
                **{key: value for key, value in data.items() if key != "categories"})
            item.categories.set([categories[code] for code in data["categories"]])
    return template
