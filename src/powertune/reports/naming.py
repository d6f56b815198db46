"""The names of a run's report files, derived from its result file's own stamp.

`tuning-20261201T193000Z.json` gives `power-tuner-20261201T193000Z.html` (and
`.png`, `.md`, `.csv`) beside it; a second file of the same second,
`tuning-20261201T193000Z-1.json`, gives `power-tuner-20261201T193000Z-1.*`.
The stamp comes from the file name (or from the result's own times for a file
named otherwise), never from the clock, so rendering twice gives the same names.
Pure: PurePath arithmetic only; storage and the CLI write the files.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from pathlib import PurePath

from powertune.results.model import TuningResult

_STAMPED = re.compile(r"^tuning-(?P<stamp>\d{8}T\d{6}Z(?:-\d+)?)$")
#: a file of any other name: its stem, with characters a URL or a shell would trip on replaced
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ReportFormat(StrEnum):
    """The report files one result can be rendered to."""

    HTML = "html"
    PNG = "png"
    MD = "md"
    CSV = "csv"


#: what `powertune tune` writes next to its JSON unless --no-report
TUNE_FORMATS = (ReportFormat.HTML, ReportFormat.PNG, ReportFormat.MD)


def stamp_of(result_path: PurePath, result: TuningResult | None = None) -> str:
    """The `<ts>` of `result_path`'s reports: its `tuning-<ts>.json` stamp.

    A file named otherwise takes its result's finish (or start) time, else its stem.
    """
    match = _STAMPED.match(result_path.stem)
    if match:
        return match.group("stamp")
    when: datetime | None = None
    if result is not None:
        when = result.finished_at or result.started_at
    if when is not None:
        return when.strftime("%Y%m%dT%H%M%SZ")
    return _UNSAFE.sub("-", result_path.stem) or "result"


def report_name(stamp: str, fmt: ReportFormat) -> str:
    """`power-tuner-<stamp>.<fmt>`, the one naming rule of a run's reports."""
    return f"power-tuner-{stamp}.{fmt.value}"


def report_paths(
    result_path: PurePath,
    result: TuningResult | None = None,
    folder: PurePath | None = None,
) -> dict[ReportFormat, PurePath]:
    """Every report file of `result_path`, in `folder` (default: beside the result).

    `decide` links `memory-summary-<ts>.md` to `report_paths(p)[ReportFormat.HTML].name`.
    """
    stamp = stamp_of(result_path, result)
    where = result_path.parent if folder is None else folder
    return {fmt: where / report_name(stamp, fmt) for fmt in ReportFormat}
