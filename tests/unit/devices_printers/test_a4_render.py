"""The certificate PDF itself: text, fonts and a QR code that scans."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2

from devices.a4.cupsd import cups_pdf_output_dir
from devices.a4.document import CertificateDocument
from devices.a4.render import render_certificate_pdf
from devices.camera.qr import PyzbarDecoder, decode_text

DOCUMENT = CertificateDocument(
    title_zh="老年人优待证",
    title_en="Senior Citizen Card",
    certificate_id="LN-2024-000777",
    rows=[("姓名 Name", "李〇"), ("有效期 Valid until", "长期 Long-term & <none>")],
    qr_payload="GK1.LN-2024-000777.c2lnbmF0dXJl",
    issuer="某某区民政局",
    issued_at="2024-05-01",
    note="凭此证可享受公共交通优待。",
)


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=30).stdout


def test_pdf_text_fonts_and_qr(tmp_path: Path) -> None:
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(render_certificate_pdf(DOCUMENT))

    text = _run("pdftotext", str(pdf), "-")
    for expected in ["老年人优待证", "LN-2024-000777", "李〇", "扫码验真"]:
        assert expected in text
    assert "Long-term & <none>" in text
    fonts = _run("pdffonts", str(pdf))
    assert "WenQuanYiMicroHei" in fonts
    assert "DejaVuSans" in fonts

    _run("pdftoppm", "-png", "-r", "100", str(pdf), str(tmp_path / "page"))
    frame = cv2.imread(str(tmp_path / "page-1.png"))
    assert [decode_text(p) for p in PyzbarDecoder().decode(frame)] == [DOCUMENT.qr_payload]


def test_rendering_is_deterministic() -> None:
    assert render_certificate_pdf(DOCUMENT) == render_certificate_pdf(DOCUMENT)


def test_cups_pdf_output_dir_follows_the_out_line(tmp_path: Path) -> None:
    conf = tmp_path / "cups-pdf.conf"
    conf.write_text("# Out /ignored\nOut ${HOME}/PDF\n", encoding="utf-8")
    assert cups_pdf_output_dir(conf, user="root") == Path("/root/PDF")
    conf.write_text("Out /var/spool/cups-pdf/${USER}\n", encoding="utf-8")
    assert cups_pdf_output_dir(conf, user="root") == Path("/var/spool/cups-pdf/root")
