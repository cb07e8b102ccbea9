"""Progress reporting shared by the CLI (a rich progress line) and the app (a Panel indicator)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from workbench.errors import SolveCancelled


@dataclass(frozen=True)
class ProgressEvent:
    phase: str                     # "staffing", "schedule", "groups", "budget", "goals"
    message: str                   # a sentence for the person watching
    fraction: float | None = None  # 0..1 within the phase, when known
    elapsed_s: float = 0.0
    incumbent: float | None = None  # best objective so far, when a solver reports one


ProgressFn = Callable[[ProgressEvent], None]


class Reporter:
    """Passed to each planning step: `report(...)` sends an event; `check_cancel()` raises when asked to stop."""

    def __init__(self, callback: ProgressFn | None = None, cancel: threading.Event | None = None):
        self.callback = callback
        self.cancel = cancel
        self.start = time.perf_counter()

    def report(self, phase: str, message: str, fraction: float | None = None,
               incumbent: float | None = None) -> None:
        self.check_cancel()
        if self.callback is not None:
            self.callback(ProgressEvent(phase, message, fraction, time.perf_counter() - self.start, incumbent))

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise SolveCancelled("the solve was cancelled")


SILENT = Reporter()
