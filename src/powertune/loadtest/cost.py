"""Cost per million requests from the billed durations of a load test's REPORT lines.

Lambda's part is priced with the tool's own price table (tuning/pricing.py):
each REPORT line's Billed Duration × memory × the GB-second price, plus the
request charge, averaged and scaled to a million. API Gateway's request price
is shown apart: it does not depend on the memory size, so it must not blur the
comparison, but a reviewer still wants the whole bill per million requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from powertune.tuning.pricing import PriceRate, invocation_cost_usd

MILLION = 1_000_000

#: API Gateway REST API request price per million, first 333 million requests a month.
#: Source: https://aws.amazon.com/api-gateway/pricing/ ("REST APIs", "$3.50" per million
#: for the first 333 million in US East (N. Virginia)), copied 2026-12-01. Regions not
#: listed are shown as unpriced rather than guessed.
API_GATEWAY_REST_USD_PER_MILLION: dict[str, float] = {"us-east-1": 3.50}
API_GATEWAY_PRICE_SOURCE = (
    "https://aws.amazon.com/api-gateway/pricing/ (REST API, first 333 million requests)"
)


@dataclass(frozen=True, slots=True)
class CostPerMillion:
    """What a million requests cost at one size, in `currency`."""

    invocations: int
    mean_billed_ms: float
    lambda_compute_usd: float
    lambda_requests_usd: float
    #: None when the region has no API Gateway price in our table
    api_gateway_usd: float | None
    currency: str = "USD"

    @property
    def lambda_total_usd(self) -> float:
        return self.lambda_compute_usd + self.lambda_requests_usd


def cost_per_million(
    billed_ms: Sequence[int], memory_mb: int, rate: PriceRate, region: str
) -> CostPerMillion | None:
    """The cost per million requests at `memory_mb`; None without any billed duration."""
    if not billed_ms:
        return None
    per_invocation = [invocation_cost_usd(b, memory_mb, rate) for b in billed_ms]
    mean_cost = sum(per_invocation) / len(per_invocation)
    requests = rate.usd_per_request * MILLION
    return CostPerMillion(
        invocations=len(billed_ms),
        mean_billed_ms=sum(billed_ms) / len(billed_ms),
        lambda_compute_usd=mean_cost * MILLION - requests,
        lambda_requests_usd=requests,
        api_gateway_usd=API_GATEWAY_REST_USD_PER_MILLION.get(region),
        currency=rate.currency,
    )
