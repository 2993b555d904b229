"""Benchmark (not a test): import N rows (100,000 by default) and compare with a bare
openpyxl read-only pass over the same file.

    .venv/bin/python -m config.localdb -- .venv/bin/python scripts/bench_import.py [ROWS]

Works in a throwaway test database (created and dropped here). Prints, for each
phase, the wall time and the peak resident memory of a fresh process.
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def make_workbook(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    random.seed(2021)
    communes = [("Thành phố Hà Tĩnh", "Phường Trần Phú"), ("Huyện Can Lộc", "Thị trấn Nghèn"),
                ("Lộc Hà", "Xã Tân Lộc"), ("Huyện Đức Thọ", "Thị trấn Đức Thọ"), ("Thị xã Kỳ Anh", "Phường Hưng Trí")]
    kinds = ["Chợ", "Trường học", "Cơ sở sản xuất, kinh doanh", "Nhà hàng, quán ăn, quán cà phê", "Khác"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["DANH SÁCH CƠ SỞ (dữ liệu thử cho benchmark)"])
    sheet.append(["STT", "Tên cơ sở", "Loại hình", "Huyện/TX/TP", "Xã, phường, thị trấn", "Địa chỉ",
                  "Số điện thoại", "Mã địa điểm", "Ngày tạo mã", "Số lao động"])
    for number in range(1, rows + 1):
        district, commune = random.choice(communes)
        sheet.append([number, f"Cơ sở kinh doanh thử số {number}", random.choice(kinds), district, commune,
                      f"Số {number} đường Trần Phú", 912000000 + number, f"BENCH-{number:06d}",
                      f"{random.randint(1, 28):02d}/11/2021", random.randint(1, 200)])
    workbook.save(path)


BARE_READ = """
import resource, sys, time
from openpyxl import load_workbook
start = time.perf_counter()
workbook = load_workbook(sys.argv[1], read_only=True, data_only=True)
rows = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
workbook.close()
print(rows, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

PHASE = """
import json, os, resource, sys, time
sys.path.insert(0, os.environ["BASE_DIR"])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.conf import settings
settings.DATABASES["default"]["NAME"] = os.environ["BENCH_DB"]
from django.contrib.auth import get_user_model
from django.core.files import File
from units import imports
from units.models import ImportBatch, Unit

phase, path = sys.argv[1], sys.argv[2]
user = get_user_model().objects.get(username="bench")
start = time.perf_counter()
if phase == "parse":
    with open(path, "rb") as handle:
        batch = ImportBatch.objects.create(file=File(handle, name="bench.xlsx"), original_name="bench.xlsx",
                                           uploaded_by=user)
    imports.parse_import(batch)
    batch.refresh_from_db()
    result = batch.counts
else:
    batch = ImportBatch.objects.latest("pk")
    result = imports.commit_import(batch, by=user, only_valid_rows=True)
print(json.dumps([result, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))
"""


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    # Inline: Django's models can be imported only once django.setup() has run.
    from django.contrib.auth import get_user_model
    from django.test.utils import setup_databases, teardown_databases

    from units.services import load_divisions

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        started = time.perf_counter()
        make_workbook(path, rows)
        print(f"workbook: {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB, written in "
              f"{time.perf_counter() - started:.1f} s")

        bare = subprocess.run([sys.executable, "-c", BARE_READ, str(path)], capture_output=True, text=True,
                              check=True).stdout.split()
        print(f"openpyxl read-only pass:        {float(bare[1]):7.1f} s   peak RSS {int(bare[2]) / 1024:7.0f} MB")

        config = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
        try:
            from django.db import connection

            load_divisions()
            get_user_model().objects.create_user("bench")
            env = {**os.environ, "BASE_DIR": str(BASE_DIR), "BENCH_DB": connection.settings_dict["NAME"]}
            for phase, label in (("parse", "read + classify + preview rows"), ("commit", "commit (one transaction)")):
                out = subprocess.run([sys.executable, "-c", PHASE, phase, str(path)], capture_output=True,
                                     text=True, env=env, check=True).stdout.strip().splitlines()[-1]
                result, seconds, rss = json.loads(out)
                print(f"{label:31} {seconds:7.1f} s   peak RSS {rss / 1024:7.0f} MB   {result}")
        finally:
            teardown_databases(config, verbosity=0)


if __name__ == "__main__":
    main()
