"""How long a leader waits for each guided notebook to run top to bottom (Run → Run All Cells), measured by
executing it with a fresh kernel in a folder of its own (a copy, as a leader would have it), with nbclient.

Each figure is wall time from kernel start to the last cell done, including the kernel's start and the
imports; the saved size says what a run would add to the notebook file. Prints a table of medians.
Run: .venv/bin/python benchmarks/notebooks.py [--runs 3] [01 04 ...]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def run_once(notebook: Path) -> tuple[float, int]:
    """Seconds to run every cell, and the size in bytes of the notebook saved with its outputs."""
    with tempfile.TemporaryDirectory(prefix="nb-bench-") as folder:
        copy = Path(folder) / notebook.name
        shutil.copy(notebook, copy)
        nb = nbformat.read(copy, as_version=4)
        started = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": folder}}).execute()
        seconds = time.perf_counter() - started
        return seconds, len(nbformat.writes(nb).encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("only", nargs="*", help="notebook number prefixes, e.g. 01 04 (default: all)")
    args = parser.parse_args()
    chosen = [nb for nb in NOTEBOOKS if not args.only or nb.name[:2] in args.only]
    print(f"{'notebook':<34} {'run all (s, median)':>20} {'runs':>5} {'saved size (KB)':>16}")
    total = 0.0
    for notebook in chosen:
        times, size = [], 0
        for _ in range(args.runs):
            seconds, size = run_once(notebook)
            times.append(seconds)
        median = statistics.median(times)
        total += median
        print(f"{notebook.name:<34} {median:>20.1f} {args.runs:>5} {size / 1024:>16.0f}")
    print(f"{'all, one after another':<34} {total:>20.1f}")


if __name__ == "__main__":
    main()
