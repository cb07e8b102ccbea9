"""A browser session's work kept on the server, so a reload (or a laptop that slept) finds it again.

Each browser gets a random token in a cookie (`secrets.token_hex`, set by the page itself); its work is
saved under the results folder (the first --results folder, else the system's temporary folder) in a
folder named by a hash of that token, so nothing a person can see or guess names another session's folder
and the folder's name does not give the token away. What is kept: the edited scenario, each solved design
(a result folder with the scenario it was solved from) and the names. A folder that cannot be read back
is ignored: the session starts afresh, as before.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import tempfile
from pathlib import Path

from workbench.atomic import write_atomically
from workbench.errors import ScenarioInvalid
from workbench.results.io import read_result, write_result
from workbench.scenario.model import write_scenario
from workbench.scenario.validate import load_scenario

COOKIE = "workbench_session"
TOKEN = re.compile(r"^[0-9a-f]{64}$")
MAX_DESIGNS = 20   # a session keeps its last 20 designs


def new_token() -> str:
    return secrets.token_hex(32)


def valid_token(value: object) -> str | None:
    """The cookie's token when it is one this server could have made (64 hex digits), else None."""
    text = str(value or "")
    return text if TOKEN.fullmatch(text) else None


def store_folder(token: str, result_roots: list[Path]) -> Path:
    """Where a session's work lives: <results folder>/.workbench-sessions/<sha256 of the token>."""
    base = Path(result_roots[0]) if result_roots else Path(tempfile.gettempdir())
    return base / ".workbench-sessions" / hashlib.sha256(token.encode()).hexdigest()[:40]


def save(wb, folder: Path) -> None:
    """Write the session's edited scenario, its designs and its state.json (each file atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    state: dict = {"scenario_name": wb.scenario_name, "design_name": wb.design_name, "designs": []}
    if wb.scenario is not None and wb.scenario_name:
        write_scenario(wb.scenario, folder / "edited")
        state["edited"] = "edited"
    known = {}
    for n, (label, result) in enumerate(list(wb.results.items())[-MAX_DESIGNS:]):
        if label.endswith("(saved)") or label.endswith("(folder)"):
            continue
        name = f"design-{hashlib.sha256(label.encode()).hexdigest()[:16]}"
        if not (folder / name / "summary.json").exists():
            write_result(result, folder / name)
            made = wb.made_from.get(label)
            if made is not None:
                write_scenario(made, folder / f"{name}-scenario")
        known[label] = name
        state["designs"].append({"label": label, "folder": name, "order": n})
    state["current"] = next((label for label, r in wb.results.items() if r is wb.result), None)
    text = json.dumps(state, ensure_ascii=False, indent=1)
    write_atomically(folder / "state.json", lambda target: target.write_text(text, encoding="utf-8"))


def restore(wb, folder: Path) -> bool:
    """Put a saved session back into a fresh Workbench; False (and nothing changed) when there is none."""
    try:
        state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    results, made_from = {}, {}
    for design in state.get("designs", []):
        name = str(design.get("folder", ""))
        if not re.fullmatch(r"design-[0-9a-f]{16}", name):
            continue
        try:
            results[str(design["label"])] = read_result(folder / name)
            if (folder / f"{name}-scenario").is_dir():
                made_from[str(design["label"])] = load_scenario(folder / f"{name}-scenario")
        except (ScenarioInvalid, OSError, KeyError):
            continue
    picked = state.get("scenario_name")
    if picked in wb.paths and picked != wb.scenario_name:
        wb.open(picked)
    if state.get("edited") and (folder / "edited").is_dir() and picked == wb.scenario_name:
        try:
            edited = load_scenario(folder / "edited")
            edited.path = wb.scenario.path
            wb.scenario = edited
        except (ScenarioInvalid, OSError):
            pass
    wb.made_from.update(made_from)
    wb.results = {**wb.results, **results}
    current = state.get("current")
    if current in results:
        wb.result = results[current]
        wb._runs = len(results)
    wb.design_name = str(state.get("design_name") or "")
    if results:
        wb.status = f"Welcome back: {len(results)} design(s) of this browser's session restored."
    return True
