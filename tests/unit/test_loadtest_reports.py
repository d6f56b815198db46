"""The report files from a result: PDFs parse, hold their sections as text, agree with the samples.

Synthetic samples (no load): the integration test does the same against the local cloud.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from powertune.loadtest import pdf_comparison, pdf_size
from powertune.loadtest.cost import cost_per_million
from powertune.loadtest.model import LoadTestResult, LoadTestSetup, SizeResult
from powertune.loadtest.report_files import write_reports
from powertune.loadtest.result_file import read_result, write_result
from powertune.loadtest.samples import RequestSample
from powertune.tuning.pricing import PriceRate

RATE = PriceRate(usd_per_gb_second=0.0000166667, usd_per_request=0.0000002)
ENDPOINTS = ("GET /items", "POST /items", "GET /items/export")


def size_result(memory_mb: int, median_ms: float, seed: int) -> SizeResult:
    rng = np.random.default_rng(seed)
    times = rng.lognormal(np.log(median_ms), 0.4, 300)
    samples = tuple(
        RequestSample(
            1000.0 + i * 0.2,
            ENDPOINTS[i % 3].split()[0],
            ENDPOINTS[i % 3],
            float(t),
            200,
            500 if i % 50 == 0 else 200,
            "HTTPError('500 Server Error')" if i % 50 == 0 else None,
        )
        for i, t in enumerate(times)
    )
    billed = tuple(int(t * 0.8) + 1 for t in times)
    return SizeResult(
        memory_mb,
        samples,
        billed,
        2,
        1000.0,
        1061.0,
        cost_per_million(billed, memory_mb, RATE, "us-east-1"),
    )


SETUP = LoadTestSetup(
    "20261201T000000Z",
    "2026-12-01T00:00:00+00:00",
    "items-api",
    "http://127.0.0.1:1/v1",
    "us-east-1",
    10,
    2.0,
    60.0,
    "items_api (bundled mixed scenario)",
    256,
    "test",
)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LoadTestResult]:
    folder = tmp_path_factory.mktemp("reports")
    result = LoadTestResult(SETUP, (size_result(512, 120, 1), size_result(1024, 60, 2)))
    files = write_reports(result, folder, RATE, baseline=None, no_change_pct=5.0)
    write_result(result, folder, [], list(files.files))
    return folder, result


def test_every_file_is_written(written: tuple[Path, LoadTestResult]) -> None:
    folder, _ = written
    assert sorted(p.name for p in folder.iterdir()) == [
        "1024MB.pdf",
        "512MB.pdf",
        "comparison-512-vs-1024MB.md",
        "comparison-512-vs-1024MB.pdf",
        "loadtest-20261201T000000Z-1024MB.csv",
        "loadtest-20261201T000000Z-512MB.csv",
        "loadtest-20261201T000000Z.json",
    ]


def test_size_pdf_has_its_sections_and_the_samples_numbers(
    written: tuple[Path, LoadTestResult],
) -> None:
    folder, result = written
    reader = PdfReader(folder / "512MB.pdf")
    assert reader.metadata is not None and reader.metadata.title == "items-api at 512 MB"
    text = pdf_text(folder / "512MB.pdf")
    for section in pdf_size.SECTIONS:
        assert section in text, section
    s = result.sizes[0].summary
    for number in (
        f"{s.p95_ms:,.1f} ms",
        f"{s.p99_ms:,.1f} ms",
        f"{s.avg_ms:,.1f} ms",
        f"{s.requests:,}",
        f"{s.error_rate_pct:.2f}%",
    ):
        assert number in text, number
    cost = result.sizes[0].cost
    assert cost is not None and f"{cost.lambda_total_usd:,.4f} USD" in text
    assert "3.5000 USD" in text  # API Gateway, apart


def test_comparison_pdf_and_markdown_agree(written: tuple[Path, LoadTestResult]) -> None:
    folder, result = written
    text = pdf_text(folder / "comparison-512-vs-1024MB.pdf")
    for section in pdf_comparison.SECTIONS:
        assert section in text, section
    markdown = (folder / "comparison-512-vs-1024MB.md").read_text()
    p95_a, p95_b = (f"{s.summary.p95_ms:,.1f} ms" for s in result.sizes)
    for doc in (text, markdown):
        assert p95_a in doc and p95_b in doc
        assert "better" in doc  # half the latency, 300 samples a side
    assert markdown.startswith("## Load-test comparison: 512 MB vs 1024 MB")


def test_the_result_reads_back_as_a_baseline(
    written: tuple[Path, LoadTestResult], tmp_path: Path
) -> None:
    folder, result = written
    doc = json.loads((folder / "loadtest-20261201T000000Z.json").read_text())
    assert (doc["format"], doc["format_version"]) == ("powertune-loadtest", 1)
    back = read_result(folder / "loadtest-20261201T000000Z.json")
    assert back == result
    files = write_reports(result, tmp_path, RATE, baseline=back, no_change_pct=5.0)
    assert "comparison-baseline-512-vs-512MB.pdf" in files.files
    same = files.comparisons[-1]
    assert same.metric("p95").verdict.value == "no change"
