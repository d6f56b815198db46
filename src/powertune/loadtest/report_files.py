"""Every report file of a run: `<size>MB.pdf`, `comparison-<a>-vs-<b>MB.{pdf,md}`, baseline ones.

The first size is the reference (A, usually the current size) and each other
size is compared with it; with `--baseline`, each size is also compared with
the baseline's run at the same size (or with its only size).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from powertune.errors import ConfigError
from powertune.loadtest.compare import Comparison, Side, compare
from powertune.loadtest.markdown import comparison_markdown
from powertune.loadtest.model import LoadTestResult, SizeResult
from powertune.loadtest.pdf_comparison import write_comparison_pdf
from powertune.loadtest.pdf_size import write_size_pdf
from powertune.tuning.pricing import PriceRate


@dataclass(frozen=True, slots=True)
class Written:
    files: tuple[str, ...]
    comparisons: tuple[Comparison, ...]
    markdown: tuple[str, ...]


def side(size: SizeResult, label: str, rate: PriceRate) -> Side:
    return Side(label, size.memory_mb, size.samples, size.cost_samples_per_million(rate))


def baseline_partner(baseline: LoadTestResult, memory_mb: int) -> SizeResult:
    """The baseline's size to hold `memory_mb` against: the same size, or its only one."""
    same = baseline.size(memory_mb)
    if same is not None:
        return same
    if len(baseline.sizes) == 1:
        return baseline.sizes[0]
    sizes = ", ".join(str(s.memory_mb) for s in baseline.sizes)
    raise ConfigError(
        f"the baseline has no {memory_mb} MB run (it has {sizes} MB); test the same sizes, "
        "or give a baseline with a single size"
    )


def write_reports(
    result: LoadTestResult,
    directory: Path,
    rate: PriceRate,
    *,
    baseline: LoadTestResult | None,
    no_change_pct: float,
) -> Written:
    """Write every PDF and Markdown file into `directory`; return their names."""
    directory.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    comparisons: list[Comparison] = []
    markdown: list[str] = []
    for size in result.sizes:
        name = f"{size.memory_mb}MB.pdf"
        write_size_pdf(directory / name, result.setup, size)
        files.append(name)
    pairs: list[tuple[str, SizeResult, str, SizeResult]] = []
    first = result.sizes[0]
    for other in result.sizes[1:]:
        pairs.append((f"{first.memory_mb}", first, f"{other.memory_mb}", other))
    if baseline is not None:
        for size in result.sizes:
            partner = baseline_partner(baseline, size.memory_mb)
            pairs.append((f"baseline-{partner.memory_mb}", partner, f"{size.memory_mb}", size))
    for a_key, a, b_key, b in pairs:
        a_label = f"{a.memory_mb} MB" + (" (baseline)" if a_key.startswith("baseline") else "")
        c = compare(
            side(a, a_label, rate), side(b, f"{b.memory_mb} MB", rate), no_change_pct=no_change_pct
        )
        stem = f"comparison-{a_key}-vs-{b_key}MB"
        write_comparison_pdf(directory / f"{stem}.pdf", result.setup, c, (a.cost, b.cost))
        text = comparison_markdown(result.setup, c, (a.cost, b.cost))
        (directory / f"{stem}.md").write_text(text, encoding="utf-8")
        files += [f"{stem}.pdf", f"{stem}.md"]
        comparisons.append(c)
        markdown.append(text)
    return Written(tuple(files), tuple(comparisons), tuple(markdown))
