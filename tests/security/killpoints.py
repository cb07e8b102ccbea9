"""Kill a result write at each of its steps, for test_result_folders.

`python killpoints.py NEW WORKDIR [PREVIOUS] [--two-renames] [--from-swap]` reads the result folder NEW once,
then for every step k of writing it (each call into the file system that `write_result` makes, before and
after the call) forks a child that writes NEW to WORKDIR/k/result (first filled with a copy of PREVIOUS, if
given), stops it at step k and kills it there with SIGKILL, as `kill -9` would. It prints the number of
steps and the step where the swap begins; WORKDIR/dry/result is the same write run to its end (it counts the
steps). `--two-renames` makes the child swap folders the way platforms without renameat2(RENAME_EXCHANGE)
do; `--from-swap` stops only at the steps from the swap on (those before it do not depend on the swap).

A separate, single-threaded process, so that forking is safe whatever the test process runs.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pandas as pd

import workbench.atomic as atomic
from workbench.results.io import read_result, write_result


def _stopping_at(step: int, pipe: int) -> list[int]:
    """Wrap the calls a write makes so that the child stops (and says so) at step `step`; the list holds
    the steps passed and the step at which the first rename (the swap) began."""
    count = [0, -1]

    def point() -> None:
        if count[0] == step:
            os.write(pipe, b"p")
            while True:
                time.sleep(1)
        count[0] += 1

    def wrapped(fn):
        def call(*args, **kwargs):
            if "rename" in fn.__name__ and count[1] < 0:
                count[1] = count[0]
            point()
            value = fn(*args, **kwargs)
            point()
            return value
        return call

    atomic._fsync = lambda path: None     # still a step below; a kill keeps the page cache, so syncing to
    for owner, name in [(os, "mkdir"), (os, "rename"), (os, "unlink"), (os, "rmdir"), (shutil, "rmtree"),
                        (fcntl, "flock"), (atomic, "rename2"), (atomic, "_fsync"), (pd.DataFrame, "to_csv"),
                        (Path, "write_text")]:     # the disk (most of the time taken) changes nothing here
        setattr(owner, name, wrapped(getattr(owner, name)))
    return count


def _child(result, target: Path, step: int, pipe: int, two_renames: bool) -> None:
    try:
        if two_renames:
            atomic._RENAMEAT2 = None
        steps = _stopping_at(step, pipe)
        write_result(result, target)
        os.write(pipe, f"d{steps[0]} {steps[1]}".encode())
    finally:
        os._exit(0)


def run(result, target: Path, step: int, two_renames: bool) -> str:
    """Write `result` to `target` in a child stopped and killed at `step`; 'p' (stopped) or 'd<steps>'."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(result, target, step, write_end, two_renames)
    os.close(write_end)
    said = b""
    while chunk := os.read(read_end, 64):
        said += chunk
        if said.startswith(b"p"):
            break
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read_end)
    return said.decode()


def main(new: str, workdir: str, previous: str | None, two_renames: bool, from_swap: bool) -> int:
    result = read_result(new)
    root = Path(workdir)

    def prepared(name: str) -> Path:
        target = root / name / "result"
        target.parent.mkdir(parents=True)
        if previous:
            shutil.copytree(previous, target)
        return target

    steps, swap = map(int, run(result, prepared("dry"), -1, two_renames)[1:].split())
    for step in range(swap - 1 if from_swap else 0, steps):
        assert run(result, prepared(str(step)), step, two_renames) == "p", f"step {step} was never reached"
    print(steps, swap)
    return 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    sys.exit(main(args[0], args[1], args[2] if len(args) > 2 else None, "--two-renames" in sys.argv,
                  "--from-swap" in sys.argv))
