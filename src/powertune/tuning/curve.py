"""The duration-versus-memory model the adaptive policy fits: t(m) = a + b / share(m).

Lambda gives CPU time in proportion to memory (1,769 MB = one vCPU) and code
can only use as many vCPUs as it has threads, so a warm duration is roughly
fixed time `a` (I/O, waiting) plus CPU work `b` divided by the CPU share
share(m) = min(m / 1769, k, visible vCPUs). `k` (usable parallelism, or a
plateau) is chosen among a few candidates by least squares; `a` and `b` are
fitted by weighted least squares on relative errors (noise is multiplicative).

Each size is predicted from a fit that leaves that size out, so the model's
prediction is independent evidence that can be pooled with the size's own
samples; the leave-one-out misfit measures how far the workload departs from
the model (steps, plateaus, bumps) and the policy falls back to per-size
evidence as it grows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from powertune.lambda_model import MB_PER_VCPU, cpu_share


def share(memory_mb: float, cap: float) -> float:
    """CPU share a workload that can use `cap` vCPUs gets at `memory_mb` (Lambda's model)."""
    return cpu_share(memory_mb, cap)


@dataclass(frozen=True, slots=True)
class SizeMean:
    """Observed mean warm duration at one size and how many samples it rests on."""

    memory_mb: int
    mean_ms: float
    samples: int


@dataclass(frozen=True, slots=True)
class CurveFit:
    """A fitted curve: t(m) = fixed_ms + cpu_ms / share(m, cap)."""

    fixed_ms: float
    cpu_ms: float
    cap: float
    #: (X'WX)^-1 scaled by the relative noise variance: covariance of (fixed_ms, cpu_ms)
    covariance: tuple[tuple[float, float], tuple[float, float]]

    def predict_ms(self, memory_mb: float) -> float:
        return self.fixed_ms + self.cpu_ms / share(memory_mb, self.cap)

    def predict_var(self, memory_mb: float) -> float:
        x = 1.0 / share(memory_mb, self.cap)
        (caa, cab), (_, cbb) = self.covariance
        return max(0.0, caa + 2 * x * cab + x * x * cbb)


def _wls(points: Sequence[SizeMean], cap: float, rel_var: float) -> tuple[CurveFit, float] | None:
    """Weighted least squares for one cap; returns the fit and its weighted residual sum."""
    if len(points) < 2:
        return None
    y = np.array([p.mean_ms for p in points])
    x = np.array([1.0 / share(p.memory_mb, cap) for p in points])
    n = np.array([p.samples for p in points], dtype=float)
    scale = y.copy()
    fit: CurveFit | None = None
    for _ in range(2):  # re-weight once with the fitted values (relative errors)
        w = n / np.maximum(scale, 1e-9) ** 2
        design = np.column_stack([np.ones_like(x), x])
        xtwx = design.T @ (design * w[:, None])
        try:
            inv = np.linalg.inv(xtwx)
        except np.linalg.LinAlgError:
            return None
        coef = inv @ (design.T @ (w * y))
        a, b = float(coef[0]), float(coef[1])
        if a < 0 or b < 0:  # physically meaningless: refit with one term
            # keep the two-term covariance: the clamped term is not known to be 0,
            # only not measurably above it
            if a < 0:
                a, b = 0.0, float(np.sum(w * x * y) / np.sum(w * x * x))
            else:
                a, b = float(np.sum(w * y) / np.sum(w)), 0.0
        cov = inv * rel_var
        fit = CurveFit(a, b, cap, ((cov[0, 0], cov[0, 1]), (cov[1, 0], cov[1, 1])))
        scale = np.array([fit.predict_ms(p.memory_mb) for p in points])
    assert fit is not None
    w = n / np.maximum(scale, 1e-9) ** 2
    resid = float(np.sum(w * (y - scale) ** 2))
    return fit, resid


def fit_curve(points: Sequence[SizeMean], rel_var: float) -> CurveFit | None:
    """Best fit over the candidate caps (parallelism 1, each observed size's share, 6)."""
    caps = {1.0, 6.0} | {p.memory_mb / MB_PER_VCPU for p in points}
    best: tuple[CurveFit, float] | None = None
    for cap in sorted(caps):
        result = _wls(points, cap, rel_var)
        if result is not None and (best is None or result[1] < best[1] - 1e-12):
            best = result
    return None if best is None else best[0]


@dataclass(frozen=True, slots=True)
class CurveCheck:
    """Leave-one-out predictions per size and how well the model explains the data."""

    full: CurveFit
    loo_mean_ms: dict[int, float]
    loo_var: dict[int, float]
    #: relative variance the model does not explain (0 when it fits within noise)
    misfit_rel_var: float
    #: p-value of "the data follow the model" (small: it does not)
    p_value: float


def check_curve(points: Sequence[SizeMean], rel_var: float) -> CurveCheck | None:
    """Fit with every size left out in turn and test the model against each left-out size."""
    if len(points) < 4:
        return None
    full = fit_curve(points, rel_var)
    if full is None:
        return None
    loo_mean: dict[int, float] = {}
    loo_var: dict[int, float] = {}
    chi2 = 0.0
    excess: list[float] = []
    for i, p in enumerate(points):
        rest = [q for j, q in enumerate(points) if j != i]
        fit = fit_curve(rest, rel_var)
        if fit is None:
            return None
        pred = max(fit.predict_ms(p.memory_mb), 1e-9)
        var_pred = fit.predict_var(p.memory_mb)
        var_obs = rel_var * pred * pred / max(p.samples, 1)
        loo_mean[p.memory_mb], loo_var[p.memory_mb] = pred, var_pred
        chi2 += (p.mean_ms - pred) ** 2 / max(var_pred + var_obs, 1e-18)
        excess.append(((p.mean_ms - pred) ** 2 - var_pred - var_obs) / (pred * pred))
    p_value = float(scipy_stats.chi2.sf(chi2, len(points)))
    return CurveCheck(full, loo_mean, loo_var, max(0.0, float(np.mean(excess))), p_value)


def predict_averaged(
    points: Sequence[SizeMean], targets_mb: Sequence[int], rel_var: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Predicted mean durations at `targets_mb` and their covariance, averaged over caps.

    The parallelism cap is not known: each candidate's fit is weighted by its
    likelihood (exp(-chi²/2)), and the spread between the candidates' predictions
    joins the covariance, so two sizes past a cap are not predicted *exactly*
    equal when another cap also fits the data.
    """
    caps = {1.0, 6.0} | {p.memory_mb / MB_PER_VCPU for p in points}
    caps |= {m / MB_PER_VCPU for m in targets_mb}
    fits: list[tuple[float, np.ndarray, np.ndarray]] = []
    for cap in sorted(caps):
        result = _wls(points, cap, rel_var)
        if result is None:
            continue
        fit, resid = result
        x = np.array([[1.0, 1.0 / share(m, cap)] for m in targets_mb])
        cov = np.array(fit.covariance)
        fits.append((resid / max(rel_var, 1e-12), x @ [fit.fixed_ms, fit.cpu_ms], x @ cov @ x.T))
    if not fits:
        return None
    best = min(f[0] for f in fits)
    weights = np.array([math.exp(-(chi2 - best) / 2) for chi2, _, _ in fits])
    weights /= weights.sum()
    mean = sum(w * mu for w, (_, mu, _) in zip(weights, fits, strict=True))
    second = sum(
        w * (cov + np.outer(mu, mu)) for w, (_, mu, cov) in zip(weights, fits, strict=True)
    )
    return np.asarray(mean), np.asarray(second) - np.outer(mean, mean)
