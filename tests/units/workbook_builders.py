"""Workbooks like the ones DIC staff receive, built with openpyxl for the tests."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

HEADER = ["STT", "Tên cơ sở", "Loại hình", "Huyện/TX/TP", "Xã, phường, thị trấn", "Địa chỉ", "Số điện thoại",
          "Mã địa điểm", "Ngày tạo mã"]


def workbook_bytes(rows, *, header=HEADER, title_rows=2) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title_rows:
        sheet.append(["UBND TỈNH HÀ TĨNH"])
        sheet.append(["DANH SÁCH CƠ SỞ TRIỂN KHAI QUÉT MÃ QR (dữ liệu thử)"])
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(header))
    sheet.append(header)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(rows, name="danh-sach.xlsx", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook_bytes(rows, **options),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
