"""The baseline engine: Debian's Tesseract (``tesseract-ocr``, ``tesseract-ocr-chi-sim``), by CLI.

Tesseract reads words; we join the words of each of its lines into one ``TextLine`` whose box is
the words' union and whose confidence is their mean (Tesseract scores 0..100).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from ocr.engine import TextLine
from ocr.engines import EngineOptions, EngineUnavailable
from ocr.engines.rapid import reading_order

Image = npt.NDArray[np.uint8]
TIMEOUT_S = 120.0


def _is_cjk(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"


def _join(words: list[str]) -> str:
    """Words joined as written: no space next to a Chinese character, one between Latin words."""
    text = ""
    for word in words:
        if text and not (_is_cjk(text[-1]) or _is_cjk(word[0])):
            text += " "
        text += word
    return text


class TesseractEngine:
    """Tesseract 5 with the ``chi_sim`` model, one process per photo."""

    name = "tesseract"

    def __init__(self, options: EngineOptions | None = None) -> None:
        """Check that the binary and the language data are installed."""
        self.options = options or EngineOptions()
        binary = shutil.which("tesseract")
        if binary is None:
            raise EngineUnavailable(
                "the tesseract engine needs Debian's tesseract-ocr and tesseract-ocr-chi-sim"
            )
        self.binary = binary
        listed = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
        langs = set(listed.stdout.split())
        missing = [lang for lang in self.options.tesseract_lang.split("+") if lang not in langs]
        if missing:
            raise EngineUnavailable(
                f"tesseract has no language data for {', '.join(missing)} "
                "(install tesseract-ocr-chi-sim)"
            )

    def recognize(self, image: Image) -> list[TextLine]:
        """Every text line Tesseract finds, in reading order."""
        with tempfile.TemporaryDirectory(prefix="kiosk-tess-") as tmp:
            path = Path(tmp) / "page.png"
            cv2.imwrite(str(path), image)
            env = {**os.environ, "OMP_THREAD_LIMIT": str(self.options.threads)}
            try:
                done = subprocess.run(
                    [self.binary, str(path), "stdout", "-l", self.options.tesseract_lang, "tsv"],
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT_S,
                    check=False,
                    env=env,
                )
            except subprocess.TimeoutExpired as err:
                raise EngineUnavailable(f"tesseract took longer than {TIMEOUT_S:.0f} s") from err
        if done.returncode != 0:
            raise EngineUnavailable(f"tesseract failed: {done.stderr.strip()[:200]}")
        return reading_order(self._lines(done.stdout))

    @staticmethod
    def _lines(tsv: str) -> list[TextLine]:
        groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
        for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
            text = (row.get("text") or "").strip()
            if row.get("level") != "5" or not text or float(row.get("conf") or -1) < 0:
                continue
            key = (row["block_num"], row["par_num"], row["line_num"])
            groups.setdefault(key, []).append(row)
        lines: list[TextLine] = []
        for words in groups.values():
            left = min(int(w["left"]) for w in words)
            top = min(int(w["top"]) for w in words)
            right = max(int(w["left"]) + int(w["width"]) for w in words)
            bottom = max(int(w["top"]) + int(w["height"]) for w in words)
            confidence = sum(float(w["conf"]) for w in words) / len(words) / 100.0
            box = ((left, top), (right, top), (right, bottom), (left, bottom))
            lines.append(
                TextLine(
                    _join([w["text"].strip() for w in words]),
                    tuple((float(x), float(y)) for x, y in box),  # type: ignore[arg-type]
                    min(max(confidence, 0.0), 1.0),
                )
            )
        return lines
