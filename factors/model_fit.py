"""Least-squares fit of the finish regression, ``finish = intercept + Σ coefficient·z``, with every
coefficient kept at or below zero (a better skill may not predict a worse finish).

With four factors the constrained problem is solved exactly by trying every subset of factors
that may carry a coefficient (16 ordinary least-squares fits) and keeping the best fit whose
coefficients are all non-positive; factors outside the subset get 0.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class FinishFit:
    intercept: float
    coefficients: dict[str, float]
    r_squared: float
    mae: float
    observations: int


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float] | None:
    """Gauss-Jordan elimination with partial pivoting; None when the system is singular."""
    size = len(vector)
    rows = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        if abs(rows[pivot][col]) < 1e-12:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(size):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][size] / rows[i][i] for i in range(size)]


def _least_squares(x: list[list[float]], y: list[float]) -> list[float] | None:
    width = len(x[0])
    normal = [[sum(row[i] * row[j] for row in x) for j in range(width)] for i in range(width)]
    right = [sum(row[i] * target for row, target in zip(x, y, strict=True)) for i in range(width)]
    return _solve(normal, right)


def fit_finish(*, observations: Sequence[tuple[Mapping[str, float], float]], factors: Sequence[str]) -> FinishFit:
    """Fit on (z-scores by factor, finish) pairs."""
    if len(observations) <= len(factors) + 1:
        raise ValueError(f"{len(observations)} observations cannot fit {len(factors)} coefficients and an intercept")
    y = [finish for _, finish in observations]
    best: tuple[float, list[float], tuple[str, ...]] | None = None
    for size in range(len(factors) + 1):
        for subset in combinations(factors, size):
            x = [[1.0, *(z[f] for f in subset)] for z, _ in observations]
            beta = _least_squares(x, y)
            if beta is None or any(b > 0 for b in beta[1:]):
                continue
            residual = sum(
                (t - sum(b * v for b, v in zip(beta, row, strict=True))) ** 2 for row, t in zip(x, y, strict=True)
            )
            if best is None or residual < best[0]:
                best = (residual, beta, subset)
    assert best is not None  # the intercept-only fit is always feasible
    residual, beta, subset = best
    coefficients = dict.fromkeys(factors, 0.0)
    coefficients.update(zip(subset, beta[1:], strict=True))
    mean = sum(y) / len(y)
    total = sum((t - mean) ** 2 for t in y)
    predictions = [beta[0] + sum(coefficients[f] * z[f] for f in factors) for z, _ in observations]
    return FinishFit(
        intercept=beta[0],
        coefficients=coefficients,
        r_squared=1 - residual / total if total else 1.0,
        mae=sum(abs(p - t) for p, t in zip(predictions, y, strict=True)) / len(y),
        observations=len(y),
    )
