"""Turn ``(zh, en)`` tuples in the kiosk's string tables into Qt Linguist messages.

Run from a checkout: ``.venv/bin/python tools/i18n_convert.py``. Repeatable: entries already
marked with ``QT_TRANSLATE_NOOP`` stay as they are; every ``"key": ("中文", "English")`` entry left
in ``STRINGS`` (kiosk/ui/strings.py) or ``COLLECT_STRINGS`` (kiosk/ui/strings_collect.py), e.g. one
appended by someone who does not run Qt Linguist, becomes ``"key": QT_TRANSLATE_NOOP("kiosk",
"中文")`` and its English goes into ``kiosk/ui/i18n/kiosk_en.ts``. Then lupdate brings every
``.ts`` file up to date with the code (zh_TW keeps what it has; new messages stay unfinished).

A message with a count belongs in ``PLURALS`` instead (its source says ``%n``): give it with
``--plural key=placeholder:"English singular with %n"`` and the tuple's English (``{placeholder}``
and ``{unit}`` read as ``%n`` and ``days``) becomes the plural form.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLES = {"kiosk/ui/strings.py": "STRINGS", "kiosk/ui/strings_collect.py": "COLLECT_STRINGS"}
"""The string tables, relative to the checkout, and the name of each one's dict."""
I18N = "kiosk/ui/i18n"
LANGUAGES = ("en", "zh_CN")
"""The .ts files filled from the tuples; any other kiosk_<lang>.ts is only brought up to date."""


def _table(tree: ast.Module, name: str) -> ast.Dict:
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == name:
            assert isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict)
            return node.value
    raise SystemExit(f"no {name} = {{...}} table found")


def convert(
    path: Path, name: str, plural: dict[str, tuple[str, str]]
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Rewrite the tuples of table ``name`` in ``path``: the English of each source, the plurals."""
    text = path.read_text(encoding="utf-8")
    data = text.encode("utf-8")  # the AST's column offsets count UTF-8 bytes
    lines = data.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    tree = ast.parse(text)
    english: dict[str, str] = {}
    edits: list[tuple[int, int, str]] = []
    plural_entries: list[tuple[str, str, str]] = []
    for key_node, value in zip(_table(tree, name).keys, _table(tree, name).values, strict=True):
        if not isinstance(value, ast.Tuple):
            continue
        assert isinstance(key_node, ast.Constant) and isinstance(key_node.value, str)
        key = key_node.value
        zh_node, en_node = value.elts
        zh, en = ast.literal_eval(zh_node), ast.literal_eval(en_node)
        start = offsets[value.lineno - 1] + value.col_offset
        assert value.end_lineno is not None and value.end_col_offset is not None
        end = offsets[value.end_lineno - 1] + value.end_col_offset
        if key in plural:
            placeholder, one = plural[key]
            source = zh.replace("{" + placeholder + "}", "%n")
            other = en.replace("{" + placeholder + "}", "%n")
            other = other.replace("{unit}", "days").replace("{" + placeholder + "_unit}", "days")
            english[source] = f"{one}\x00{other}"
            plural_entries.append((key, source, placeholder))
            # Drop the whole entry (key, value, trailing comma and comments on its lines).
            first = offsets[key_node.lineno - 1]
            last = offsets[value.end_lineno]
            edits.append((first, last, ""))
            continue
        if zh in english and english[zh] != en:
            raise SystemExit(f"{key}: the same Chinese as another message with other English")
        english[zh] = en
        segment = ast.get_source_segment(text, zh_node)
        assert segment is not None
        edits.append((start, end, f'QT_TRANSLATE_NOOP("kiosk", {segment})'))
    for first, last, new in sorted(edits, reverse=True):
        data = data[:first] + new.encode("utf-8") + data[last:]
    path.write_bytes(data)
    return english, plural_entries


def add_plurals(path: Path, entries: list[tuple[str, str, str]]) -> None:
    """Append the count messages to ``PLURALS`` and to ``_numerus_messages`` in ``path``."""
    text = path.read_text(encoding="utf-8")
    table = "PLURALS: dict[str, tuple[str, str]] = {"
    text = text.replace(table + "}\n", table + "\n}\n")  # as ruff formats an empty one
    table_end = text.index("\n}\n", text.index(table))
    rows = "".join(f"\n    {key!r}: ({source!r}, {p!r})," for key, source, p in entries)
    text = text[:table_end] + rows + text[table_end:]
    marker = '    """Shows ``pyside6-lupdate`` the messages that take a count (numerus forms)."""\n'
    at = text.index(marker) + len(marker)
    calls = "".join(
        f'    QCoreApplication.translate("kiosk", {source!r}, None, 1)\n'
        for _, source, _ in entries
    )
    path.write_text(text[:at] + calls + text[at:], encoding="utf-8")


def lupdate(english: dict[str, str], root: Path = ROOT) -> None:
    """Bring every .ts file of ``root`` up to date; fill English and Chinese where known."""
    ts_dir = root / I18N
    ts_dir.mkdir(parents=True, exist_ok=True)
    binary = Path(sys.executable).parent / "pyside6-lupdate"
    others = sorted(p.stem.removeprefix("kiosk_") for p in ts_dir.glob("kiosk_*.ts"))
    for suffix in dict.fromkeys([*LANGUAGES, *others]):
        ts = ts_dir / f"kiosk_{suffix}.ts"
        command = [
            str(binary),
            *(str(root / p) for p in TABLES),
            "-source-language",
            "zh_CN",
            "-target-language",
            suffix,
            "-no-obsolete",
            "-locations",
            "none",
            "-ts",
            str(ts),
        ]
        subprocess.run(command, check=True, capture_output=True)
        if suffix not in LANGUAGES:
            continue  # a translator's file: new messages stay unfinished (shown in zh_CN)
        tree = ET.parse(ts)
        for message in tree.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            if translation.get("type") != "unfinished":
                continue
            source = message.findtext("source") or ""
            if suffix == "zh_CN":
                forms = [source, source]
            elif source in english:
                forms = english[source].split("\x00")
            else:
                continue  # left unfinished: the test names it
            translation.attrib.pop("type")
            if message.get("numerus") == "yes":
                for form, text in zip(translation.findall("numerusform"), forms, strict=False):
                    form.text = text
            else:
                translation.text = forms[0]
        tree.write(ts, encoding="utf-8", xml_declaration=True)
        # Once more, so the file is in lupdate's own layout (the test compares with a fresh run).
        subprocess.run(command, check=True, capture_output=True)


def main() -> None:
    """Convert what is left, then update the .ts files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plural", action="append", default=[], metavar='KEY=P:"one %n"')
    parser.add_argument("--root", default=str(ROOT), help="the checkout (default: this one)")
    args = parser.parse_args()
    plural: dict[str, tuple[str, str]] = {}
    for spec in args.plural:
        key, rest = spec.split("=", 1)
        placeholder, one = rest.split(":", 1)
        plural[key] = (placeholder, one)
    english: dict[str, str] = {}
    plurals: list[tuple[str, str, str]] = []
    root = Path(args.root).resolve()
    for path, name in ((root / p, n) for p, n in TABLES.items()):
        table, entries = convert(path, name, plural)
        plurals += entries
        for source, en in table.items():
            if source in english and english[source] != en:
                raise SystemExit(f"{source!r}: two Englishes in two tables: make it unique")
            english[source] = en
    if plurals:
        add_plurals(root / "kiosk/ui/strings.py", plurals)
    lupdate(english, root)
    sys.stdout.write(f"converted {len(english)} messages\n")


if __name__ == "__main__":
    main()
