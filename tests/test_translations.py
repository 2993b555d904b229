"""Both languages complete for what exists: every interface string has its
Vietnamese translation (English is the source language)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require_tool

BASE_DIR = Path(__file__).resolve().parent.parent
CATALOGUE = Path("locale/vi/LC_MESSAGES/django.po")
SOURCE_DIRS = ["config", "accounts", "api", "units", "inspections", "reports", "webhooks", "templates"]


def msgids(po_file: Path) -> set[str]:
    """The msgids of a catalogue, with msgfmt's help (no own .po parser)."""
    require_tool("msgattrib", "gettext")
    result = subprocess.run(
        ["msgattrib", "--no-obsolete", "--no-wrap", str(po_file)], capture_output=True, text=True, check=True
    )
    ids, current = set(), None
    for line in result.stdout.splitlines():
        if line.startswith("msgid "):
            current = line[len("msgid "):]
        elif current is not None and line.startswith('"'):
            current += line
        elif current is not None:
            ids.add(current)
            current = None
    return ids - {'""'}


def test_every_vietnamese_entry_is_translated_and_none_is_fuzzy():
    require_tool("msgfmt", "gettext")
    result = subprocess.run(
        ["msgfmt", "--check-format", "--statistics", "-o", os.devnull, str(BASE_DIR / CATALOGUE)],
        capture_output=True, text=True,
    )

    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr
    assert "translated message" in result.stderr


def test_the_catalogue_holds_every_string_of_the_code(tmp_path):
    """makemessages over a copy of the sources finds no string the catalogue lacks."""
    for name in SOURCE_DIRS:
        shutil.copytree(BASE_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(BASE_DIR / "manage.py", tmp_path)
    shutil.copytree(BASE_DIR / "locale", tmp_path / "locale")

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-location"],
        cwd=tmp_path, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )

    missing = msgids(tmp_path / CATALOGUE) - msgids(BASE_DIR / CATALOGUE)
    assert missing == set()


# makemessages finds gettext's functions by these names only (Django's xgettext keywords): a
# `gettext_lazy as _lazy` hid the reconciliation's tab labels from the catalogue (issue #14).
KNOWN_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
               "npgettext", "npgettext_lazy", "gettext_noop"}


def test_no_module_renames_a_translation_function_to_a_name_makemessages_ignores():
    import re

    renamed = re.compile(r"from django\.utils\.translation import .*\b(?:n?p?gettext(?:_lazy|_noop)?) as (\w+)")
    found = sorted(f"{path.relative_to(BASE_DIR)}: {name}"
                   for folder in SOURCE_DIRS for path in (BASE_DIR / folder).rglob("*.py")
                   for name in renamed.findall(path.read_text(encoding="utf-8")) if name not in KNOWN_NAMES)
    assert found == []
