"""Build one broken scenario from tests/data/mini and a case of tests/broken/cases.yaml.

Kept beside the corpus so that the tests and anyone reproducing a case by hand use the same edits.
Edit kinds (each names a `file` of the scenario):
  replace / with      the text must occur exactly once (so a case cannot silently stop testing anything)
  replace_all / with  every occurrence (at least one)
  append              a line added at the end
  write               the file's whole new text
  delete: true        the file is removed
  mkdir: true         a folder takes the file's place
  add_column          {name, default, cells: {line: value}}: a column on every row
  encoding            the file is saved again in this encoding (e.g. latin-1)
  crlf_bom: true      (no file) every file is saved with CRLF line endings and a UTF-8 byte order mark
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
MINI = HERE.parent / "data" / "mini"


def load_cases() -> list[dict]:
    return yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))


def materialise(case: dict, target: Path) -> Path:
    shutil.copytree(MINI, target)
    for edit in case.get("edits", []):
        if edit.get("crlf_bom"):
            for path in target.iterdir():
                text = path.read_text(encoding="utf-8")
                path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
            continue
        path = target / edit["file"]
        if edit.get("delete"):
            path.unlink()
            continue
        if edit.get("mkdir"):
            path.unlink(missing_ok=True)
            path.mkdir()
            continue
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if "replace" in edit:
            assert text.count(edit["replace"]) == 1, f"{case['name']}: {edit['replace']!r} must occur once"
            text = text.replace(edit["replace"], edit["with"])
        if "replace_all" in edit:
            assert edit["replace_all"] in text, f"{case['name']}: {edit['replace_all']!r} not found"
            text = text.replace(edit["replace_all"], edit["with"])
        if "append" in edit:
            text = text + ("" if text.endswith("\n") or not text else "\n") + edit["append"] + "\n"
        if "write" in edit:
            text = edit["write"]
        if "add_column" in edit:
            column = edit["add_column"]
            lines = text.rstrip("\n").split("\n")
            cells = {int(k): str(v) for k, v in (column.get("cells") or {}).items()}
            lines = [f"{line},{column['name'] if n == 1 else cells.get(n, column.get('default', ''))}"
                     for n, line in enumerate(lines, start=1)]
            text = "\n".join(lines) + "\n"
        path.write_bytes(text.encode(edit.get("encoding", "utf-8")))
    return target
