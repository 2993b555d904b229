"""Take the README's screenshots from a running demo (`make run` in another shell).

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE_URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "samples" / "danh-sach-don-vi-mau.xlsx"
SHOTS = [
    # (file, account or None, viewport, path to open after signing in)
    ("login.png", None, {"width": 1280, "height": 720}, "/"),
    ("home-coordinator.png", "dieuphoi", {"width": 1280, "height": 900}, "/"),
    ("home-inspector-phone.png", "thanhtra1", {"width": 360, "height": 740}, "/"),
    ("home-administrator.png", "admin", {"width": 1280, "height": 900}, "/"),
    ("registry.png", "dieuphoi", {"width": 1280, "height": 900}, "/don-vi/"),
    ("registry-phone.png", "lanhdao", {"width": 360, "height": 740}, "/don-vi/?q=cho"),
    ("import-preview.png", "dieuphoi", {"width": 1280, "height": 900}, "/don-vi/nhap/"),
    ("schedule.png", "dieuphoi", {"width": 1280, "height": 900}, "/ke-hoach/1/lich/"),
    ("nominations.png", "dieuphoi", {"width": 1280, "height": 900}, "/ke-hoach/1/cu-can-bo/"),
    ("home-inspector2-phone.png", "thanhtra2", {"width": 360, "height": 740}, "/"),
    ("dashboard.png", "lanhdao", {"width": 1280, "height": 900}, "/ke-hoach/1/tong-hop/"),
    ("dashboard-district-phone.png", "lanhdao", {"width": 360, "height": 740},
     "/ke-hoach/1/tong-hop/?district=442"),
    ("report.png", "lanhdao", {"width": 1280, "height": 900}, "/bao-cao/1/"),
    ("home-team-leader-phone.png", "totruong", {"width": 360, "height": 740}, "/"),
    ("audit.png", "lanhdao", {"width": 1280, "height": 900}, "/nhat-ky/"),
    ("proposal.png", "dieuphoi", {"width": 1280, "height": 900}, "/ke-hoach/1/lich/de-xuat/"),
    ("visit-approved.png", "dieuphoi", {"width": 1280, "height": 900}, "/luot-kiem-tra/VISIT/"),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, account, viewport, path in SHOTS:
            page = browser.new_context(viewport=viewport).new_page()
            page.goto(f"{BASE_URL}/")
            if account:
                page.get_by_label("Tên đăng nhập").fill(account)
                page.get_by_label("Mật khẩu").fill("demo12345")
                page.get_by_role("button", name="Đăng nhập").click()
                page.wait_for_url(f"{BASE_URL}/")
                if "VISIT" in path:  # an approved visit of the demo: its page with its history in words
                    page.goto(f"{BASE_URL}/ke-hoach/1/tong-hop/luot-kiem-tra/?status=approved")
                    path = page.locator("a[href^='/luot-kiem-tra/']").first.get_attribute("href")
                page.goto(f"{BASE_URL}{path}")
            if name == "import-preview.png":
                page.get_by_label("Tệp Excel (.xlsx)").set_input_files(SAMPLE)
                page.get_by_role("button", name="Tải lên và kiểm tra").click()
                page.get_by_role("button", name="Xác nhận nhập").wait_for()
            if name.startswith("dashboard"):
                page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 2")
                page.wait_for_timeout(500)  # the charts' animation
            page.screenshot(path=OUT / name, full_page=True)
            page.context.close()
        browser.close()


if __name__ == "__main__":
    main()
