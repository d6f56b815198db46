"""The progress bar of a tuning run on stderr (shown only on a terminal) and its warnings."""

from __future__ import annotations

import sys
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from powertune.tuning.models import InvocationRecord
from powertune.tuning.plan import TuningPlan
from powertune.tuning.session import total_invocations


class TerminalProgress:
    """A `RunProgress` drawing a rich progress bar; use it as a context manager."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        self._task = self._bar.add_task("tuning", total=None)

    def __enter__(self) -> TerminalProgress:
        self._bar.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bar.__exit__(exc_type, exc, tb)

    def started(self, plan: TuningPlan) -> None:
        self._bar.update(
            self._task, description=f"tuning {plan.target.name}", total=total_invocations(plan)
        )

    def invoked(self, record: InvocationRecord, count: int) -> None:
        self._bar.update(self._task, completed=count)

    def warned(self, message: str) -> None:
        self.console.print(f"[yellow]warning:[/] {message}")
