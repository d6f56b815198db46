"""The lambda-power-tuning.show URL, encoded exactly as upstream's `buildVisualizationURL`.

The hash is `b64(Int16LE sizes);b64(Float32LE durations);b64(Float32LE costs)`,
standard base64 with padding, sizes sorted ascending; a cn- region adds
`?currency=CNY` before the hash. The hash never reaches the server: the page
decodes it in the browser. Our normal (non-compat) result carries the same URL.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Final

from powertune.tuning.compat.jsvalues import js_float32_bytes, js_to_int16, js_to_number

DEFAULT_VISUALIZATION_URL: Final = "https://lambda-power-tuning.show/"


def _encode_int16(values: Sequence[object]) -> str:
    raw = b"".join(js_to_int16(v).to_bytes(2, "little", signed=True) for v in values)
    return base64.b64encode(raw).decode("ascii")


def _encode_float32(values: Sequence[object]) -> str:
    return base64.b64encode(b"".join(js_float32_bytes(v) for v in values)).decode("ascii")


def build_visualization_url(
    memories: Sequence[object],
    durations_ms: Sequence[float],
    costs: Sequence[float],
    base_url: str = DEFAULT_VISUALIZATION_URL,
    cny: bool = False,
) -> str:
    """The URL for parallel lists of sizes, mean durations and mean costs.

    Entries are sorted by size (stable, as upstream's in-place sort); sizes go
    through Int16Array, so a size that does not fit 16 bits wraps as in upstream.
    """
    if not len(memories) == len(durations_ms) == len(costs):
        raise ValueError("memories, durations_ms and costs must have the same length")
    order = sorted(range(len(memories)), key=lambda i: js_to_number(memories[i]))
    url = base_url + ("?currency=CNY" if cny else "")
    return (
        url
        + "#"
        + ";".join(
            (
                _encode_int16([memories[i] for i in order]),
                _encode_float32([durations_ms[i] for i in order]),
                _encode_float32([costs[i] for i in order]),
            )
        )
    )


def build_visualization_url_from_stats(
    stats: list[dict[str, object]], base_url: str, tool_region: str
) -> str:
    """Upstream's `buildVisualizationURL(stats, baseURL)`: sorts `stats` by power IN PLACE.

    `tool_region` plays upstream's `AWS_REGION` (the region the tool runs in).
    """
    stats.sort(key=lambda stat: js_to_number(stat["power"]))
    return build_visualization_url(
        [stat["power"] for stat in stats],
        [js_to_number(stat["duration"]) for stat in stats],
        [js_to_number(stat["cost"]) for stat in stats],
        base_url,
        cny=tool_region.startswith("cn-"),
    )
