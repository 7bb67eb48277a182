"""The certificate as printed: a real hall-issued certificate rendered to PDF and read back.

Bilingual labels fit their column whole, no bracket or closing mark is orphaned at a line's start
or end, the issuing body is at body size, a red seal is drawn, the validity note is there, and
the QR code on the page scans to a URL that checks as genuine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from assets import load_catalog
from devices.a4.document import CertificateDocument
from devices.a4.render import render_certificate_pdf, split_label
from devices.a4.seal import MAX_ARC_DEGREES, arc_angles
from devices.camera.qr import PyzbarDecoder, decode_text
from devices.linebreak import NO_LINE_END, NO_LINE_START
from hall.certificates import SigningKey, format_certificate_id, issue_certificate
from hall.schema import verify_certificate_qr
from kiosk.services.documents import certificate_document, seal_name
from tests.fixtures.hall import demo_applicant, demo_person

TODAY = dt.date(2026, 11, 22)
KEY = SigningKey.generate()


def _document(item: str = "si-insured-certificate", name: str = "李建国") -> CertificateDocument:
    cert = issue_certificate(
        certificate_id=format_certificate_id("SB", TODAY, 3),
        case_number="K001-20261122-00003",
        item=load_catalog().item(item),
        applicant=demo_applicant(name),
        insurance=demo_person(name).insurance,
        issued_at=dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC),
        today=TODAY,
        key=KEY,
        base_url="https://zwfw.example.gov.cn",
    )
    return certificate_document(cert)


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def _pdf(tmp_path: Path, doc: CertificateDocument) -> Path:
    path = tmp_path / "c.pdf"
    path.write_bytes(render_certificate_pdf(doc))
    return path


def _lines(pdf: Path) -> list[str]:
    return [line.strip() for line in _run("pdftotext", str(pdf), "-").splitlines() if line.strip()]


def _word_heights(pdf: Path) -> dict[str, float]:
    heights: dict[str, float] = {}
    for match in re.finditer(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
        _run("pdftotext", "-bbox", str(pdf), "-"),
    ):
        heights.setdefault(match.group(3), float(match.group(2)) - float(match.group(1)))
    return heights


def test_english_labels_are_never_broken_mid_phrase(tmp_path: Path) -> None:
    doc = _document()
    lines = _lines(_pdf(tmp_path, doc))
    english = [split_label(label)[1] for label, _ in doc.rows]
    assert "Citizen ID number" in english
    for phrase in english:
        # Each English label is one phrase on one line (alone or after its Chinese label).
        assert any(line.endswith(phrase) or line == phrase for line in lines), (phrase, lines)


def test_the_issuer_is_at_body_size_and_the_note_and_date_are_printed(tmp_path: Path) -> None:
    doc = _document()
    pdf = _pdf(tmp_path, doc)
    heights = _word_heights(pdf)
    assert heights["区人力资源和社会保障局"] >= heights["北京中关村科技有限公司"] - 0.5
    text = " ".join(_lines(pdf))
    assert "本证明有效期至2027年2月20日" in text
    assert "Valid until 2027-02-20." in text
    assert "2026-11-22" in text and "District Human Resources" in text


@pytest.mark.parametrize("offset", range(0, 24, 3))
def test_no_bracket_or_closing_mark_is_orphaned(tmp_path: Path, offset: int) -> None:
    # A value whose natural break falls at every position round its brackets and commas.
    value = "甲" * offset + "正常（退休，享受养老保险待遇）。另附说明（见背面）、其他。"
    doc = dataclasses.replace(_document(), rows=[("参保状态 Status", value)] * 3)
    for line in _lines(_pdf(tmp_path, doc)):
        assert line[0] not in NO_LINE_START, line
        assert line[-1] not in NO_LINE_END, line


def _red_pixels(pdf: Path, tmp_path: Path) -> int:
    _run("pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page"))
    image = cv2.imread(str(tmp_path / "page-1.png")).astype(np.int32)
    blue, green, red = image[..., 0], image[..., 1], image[..., 2]
    lower = image.shape[0] * 2 // 3  # the footer: below the title and the frame's top
    seal = (red > 170) & (green < 120) & (blue < 120)
    return int(seal[lower:, 60:-60].sum())


def test_a_red_seal_of_the_issuing_body_is_drawn(tmp_path: Path) -> None:
    doc = _document()
    assert doc.seal_text == "区人力资源和社会保障局"
    with_seal = _red_pixels(_pdf(tmp_path, doc), tmp_path)
    without = _red_pixels(_pdf(tmp_path, dataclasses.replace(doc, seal_text="")), tmp_path)
    assert with_seal > 10 * max(1, without)


def test_the_seal_names_the_body_without_its_aside() -> None:
    assert seal_name("区民政局（区老龄工作委员会办公室）") == "区民政局"
    assert seal_name("区人力资源和社会保障局") == "区人力资源和社会保障局"
    assert _document("elder-card", "王秀英").seal_text == "区民政局"


@pytest.mark.parametrize("count", [1, 2, 4, 11, 30])
def test_the_name_on_the_seal_is_centred_on_top_and_leaves_the_bottom_open(count: int) -> None:
    angles = arc_angles(count, 20.0)
    assert len(angles) == count
    assert abs((angles[0] + angles[-1]) / 2 - 90) < 1e-9
    assert angles == sorted(angles, reverse=True)  # read left to right
    assert angles[0] - angles[-1] <= MAX_ARC_DEGREES + 1e-9


def test_the_printed_code_scans_and_checks_as_genuine(tmp_path: Path) -> None:
    doc = _document()
    pdf = _pdf(tmp_path, doc)
    _run("pdftoppm", "-png", "-r", "200", str(pdf), str(tmp_path / "scan"))
    frame = cv2.imread(str(tmp_path / "scan-1.png"))
    decoded = [decode_text(p) for p in PyzbarDecoder().decode(frame)]
    assert decoded == [doc.qr_payload]
    check = verify_certificate_qr(decoded[0], {KEY.kid: KEY.public_key_raw}, TODAY)
    assert check.status == "genuine"
    assert check.claims is not None
    # What the paper prints is what the code signs, row by row.
    assert [value for _, value in doc.rows] == [value for _, value in check.claims.f]
