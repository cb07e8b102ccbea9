"""The code's layers point one way: scenario → verify → plan → goals → results → app/cli/batch, and nothing below the
command line imports it. The contracts are in pyproject.toml ([tool.importlinter]); a lazy import inside a
function counts as much as one at the top of a module, so no cycle can hide there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_points_down_the_layers():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout
