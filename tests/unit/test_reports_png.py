"""The PNG chart: its size, and its pixels against a golden image (not its bytes).

The golden PNG is tests/data/reports/fixed.png (regenerate with POWERTUNE_UPDATE_GOLDEN=1
and look at it). Pixels are compared with a tolerance: anti-aliasing may differ by a
few levels between FreeType builds, a moved curve or label does not stay under it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from PIL import Image

from powertune.reports.charts import COST, DURATION, WINNER
from powertune.reports.model import build_report
from powertune.reports.png import HEIGHT_PX, WIDTH_PX, render_png
from powertune.storage.results import read_result

DATA = Path(__file__).parents[1] / "data"
GOLDEN = DATA / "reports" / "fixed.png"


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def near(image: np.ndarray, colour: str, tolerance: int = 12) -> int:
    """How many pixels are within `tolerance` of `colour` in every channel."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    return int(np.all(np.abs(image - rgb) <= tolerance, axis=2).sum())


def render(fixture: str) -> bytes:
    return render_png(build_report(read_result(DATA / "results" / f"{fixture}.json"), "x"))


def test_png_is_large_enough_and_matches_the_golden_pixels() -> None:
    png = render("fixed")
    if os.environ.get("POWERTUNE_UPDATE_GOLDEN") == "1":
        GOLDEN.write_bytes(png)
    image = pixels(png)
    assert image.shape == (HEIGHT_PX, WIDTH_PX, 3)
    assert WIDTH_PX >= 1200 and HEIGHT_PX >= 700
    golden = pixels(GOLDEN.read_bytes())
    assert golden.shape == image.shape
    differ = np.any(np.abs(image - golden) > 40, axis=2).mean()
    assert differ < 0.002, f"{differ:.2%} of the pixels differ from {GOLDEN.name}"


def test_both_curves_and_the_recommendation_are_drawn() -> None:
    image = pixels(render("fixed"))
    assert near(image, DURATION) > 2000
    assert near(image, COST) > 2000
    assert near(image, WINNER) > 300  # the recommendation's label


def test_a_different_result_gives_different_pixels() -> None:
    a, b = pixels(render("fixed")), pixels(render("onefail"))
    assert np.any(np.abs(a - b) > 40, axis=2).mean() > 0.01


def test_same_result_same_pixels() -> None:
    assert np.array_equal(pixels(render("adaptive")), pixels(render("adaptive")))
