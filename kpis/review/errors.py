"""What stops an export, with messages for people, and the time bound shared by its steps."""

from __future__ import annotations

import time
from dataclasses import dataclass


class ReviewError(Exception):
    """An export that cannot finish; the message says why, for people."""


class ChartsUnavailable(ReviewError):
    """The charts cannot be drawn; the message says why and what to do, for people."""


class ExportTimeout(ReviewError):
    """The export ran past its time bound; the message is for people."""


@dataclass
class Deadline:
    """A time bound shared by every step of one export."""

    seconds: float
    started: float = 0.0

    def __post_init__(self) -> None:
        self.started = time.monotonic()

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def expired(self, step: str) -> ExportTimeout:
        return ExportTimeout(
            f"Making the PDF took longer than {self.seconds:g} seconds and was stopped "
            f"while {step}. Try again with fewer stages or a shorter period."
        )

    def check(self, step: str) -> None:
        if self.remaining() <= 0:
            raise self.expired(step)
