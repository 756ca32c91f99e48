#!/usr/bin/python3
"""Generates ece_golden.jsonl: expected calibration error reference values.

Run with Debian's Python and packages (python3-numpy 1.24.2, python3-sklearn 1.2.1):

    apt-get install -y python3-sklearn
    /usr/bin/python3 tests/metrics/data/generate_ece_golden.py > tests/metrics/data/ece_golden.jsonl

Binning is sklearn.calibration.calibration_curve's (design/STATISTICS.md section 7): edges
np.linspace(0, 1, M + 1) ("uniform") or np.percentile(p, np.linspace(0, 1, M + 1) * 100)
("quantile"), bin = np.searchsorted(edges[1:-1], p) -> (lo, hi] bins, empty bins dropped.
calibration_curve does not return bin counts, so they are recomputed with np.bincount exactly as
it does (and the recomputed prob_true / prob_pred are asserted equal to calibration_curve's), then

    ECE = np.sum(bin_total[nonzero] / n * np.abs(prob_true - prob_pred))
    MCE = np.max(np.abs(prob_true - prob_pred))

The "[lo,hi)" edge convention (np.searchsorted side="right") has no sklearn counterpart; its values
come from the same numpy code with side="right".

Modes: "binary" (y_true 0/1 or -1/1, p = p(y=1)) and "top_label" (rows of class probabilities;
confidence = max, outcome = argmax == y_true, then the binary computation on (outcome, confidence)).
Every line: {"id", "source", "mode", "inputs", "calls": [{"options": {"n_bins", "strategy",
"edges"}, "expected": {"ece", "mce", "edges", "bins": [{"index", "count", "mean_confidence",
"accuracy"}]}}]}. Floats are Python repr (round-trip exact).
"""

import json
import sys

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve

assert sklearn.__version__ == "1.2.1", sklearn.__version__
assert np.__version__ == "1.24.2", np.__version__


def reference(y_true, y_prob, n_bins, strategy, edges):
    y_true = np.asarray(y_true)
    y_prob = np.asarray(y_prob, dtype=np.float64)
    pos = y_true == 1
    if strategy == "quantile":
        bins = np.percentile(y_prob, np.linspace(0, 1, n_bins + 1) * 100)
    else:
        bins = np.linspace(0.0, 1.0, n_bins + 1)
    side = "left" if edges == "(lo,hi]" else "right"
    binids = np.searchsorted(bins[1:-1], y_prob, side=side)
    bin_sums = np.bincount(binids, weights=y_prob, minlength=len(bins))
    bin_true = np.bincount(binids, weights=pos, minlength=len(bins))
    bin_total = np.bincount(binids, minlength=len(bins))
    nonzero = bin_total != 0
    prob_true = bin_true[nonzero] / bin_total[nonzero]
    prob_pred = bin_sums[nonzero] / bin_total[nonzero]
    if side == "left":
        ref_true, ref_pred = calibration_curve(y_true, y_prob, n_bins=n_bins, strategy=strategy)
        assert np.array_equal(ref_true, prob_true) and np.array_equal(ref_pred, prob_pred)
    gaps = np.abs(prob_true - prob_pred)
    ece = np.sum(bin_total[nonzero] / len(y_prob) * gaps)
    return {
        "ece": float(ece),
        "mce": float(np.max(gaps)),
        "edges": [float(e) for e in bins],
        "bins": [
            {"index": int(i), "count": int(bin_total[i]), "mean_confidence": float(pp),
             "accuracy": float(pt)}
            for i, pt, pp in zip(np.flatnonzero(nonzero), prob_true, prob_pred)
        ],
    }


def top_label(y_true, proba):
    proba = np.asarray(proba, dtype=np.float64)
    conf = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == np.asarray(y_true)).astype(int)
    return correct, conf


def calls(y_true, y_prob, grid):
    out = []
    for n_bins, strategy, edges in grid:
        out.append({"options": {"n_bins": n_bins, "strategy": strategy, "edges": edges},
                    "expected": reference(y_true, y_prob, n_bins, strategy, edges)})
    return out


FULL_GRID = [(m, s, e) for m in (5, 10, 15, 20) for s in ("uniform", "quantile")
             for e in ("(lo,hi]", "[lo,hi)")]
SMALL_GRID = [(m, s, e) for m in (1, 3, 10, 15) for s in ("uniform", "quantile")
              for e in ("(lo,hi]", "[lo,hi)")]


def main():
    rng = np.random.default_rng(20240517)
    lines = []

    # Binary, overconfident model: p ~ Beta(0.6, 0.6), y ~ Bernoulli(0.5 + 0.6 (p - 0.5)).
    p = rng.beta(0.6, 0.6, 1000)
    y = (rng.random(1000) < 0.5 + 0.6 * (p - 0.5)).astype(int)
    lines.append({"id": "binary-overconfident-1000", "source": "seeded synthetic",
                  "mode": "binary", "inputs": {"y_true": y.tolist(), "y_prob": p.tolist()},
                  "calls": calls(y, p, FULL_GRID)})

    # Binary, well calibrated, skewed towards 0, labels -1/+1.
    p = rng.beta(1.0, 4.0, 600)
    y = np.where(rng.random(600) < p, 1, -1)
    lines.append({"id": "binary-calibrated-pm1-600", "source": "seeded synthetic, labels -1/+1",
                  "mode": "binary", "inputs": {"y_true": y.tolist(), "y_prob": p.tolist()},
                  "calls": calls(y, p, FULL_GRID)})

    # Probabilities exactly on the uniform edges (np.linspace values), 0 and 1.
    for m in (5, 10, 15):
        p = np.concatenate([np.linspace(0.0, 1.0, m + 1)] * 3)
        y = (rng.random(len(p)) < p).astype(int)
        grid = [(m, s, e) for s in ("uniform", "quantile") for e in ("(lo,hi]", "[lo,hi)")]
        lines.append({"id": f"binary-on-edges-{m}", "source": f"p = np.linspace(0, 1, {m + 1}) x3",
                      "mode": "binary", "inputs": {"y_true": y.tolist(), "y_prob": p.tolist()},
                      "calls": calls(y, p, grid + [(20, "uniform", "(lo,hi]")])})

    # Decimal probabilities k/10 (not exactly the float edges i * 0.1), many ties.
    p = np.array([k / 10 for k in range(11)] * 4)
    y = (rng.random(len(p)) < p).astype(int)
    lines.append({"id": "binary-decimal-tenths", "source": "p = k/10, k = 0..10, x4",
                  "mode": "binary", "inputs": {"y_true": y.tolist(), "y_prob": p.tolist()},
                  "calls": calls(y, p, SMALL_GRID)})

    # Hand-written degenerate inputs.
    edge_cases = [
        ("binary-all-zero-prob", [0, 0, 1, 0], [0.0, 0.0, 0.0, 0.0]),
        ("binary-all-one-prob", [1, 1, 0, 1, 1], [1.0, 1.0, 1.0, 1.0, 1.0]),
        ("binary-one-sample", [1], [0.7]),
        ("binary-all-positive", [1, 1, 1, 1, 1, 1], [0.05, 0.2, 0.5, 0.51, 0.99, 1.0]),
        ("binary-constant-mid", [0, 1, 1, 0, 1], [0.5] * 5),
        ("binary-perfect", [0, 0, 1, 1], [0.0, 0.0, 1.0, 1.0]),
        ("binary-tiny-values", [0, 1, 0, 1], [5e-324, 1e-300, 1 - 2 ** -53, 0.5 + 2 ** -53]),
    ]
    for name, y, p in edge_cases:
        lines.append({"id": name, "source": "hand-written edge case", "mode": "binary",
                      "inputs": {"y_true": y, "y_prob": p}, "calls": calls(y, p, SMALL_GRID)})

    # Top-label multiclass: 5 classes, Dirichlet probabilities, labels drawn from a tempered
    # version of the model's own distribution (so the model is miscalibrated).
    n, k = 500, 5
    proba = rng.dirichlet(np.full(k, 0.7), n)
    tempered = proba ** 0.6
    tempered /= tempered.sum(axis=1, keepdims=True)
    y = np.array([rng.choice(k, p=row) for row in tempered])
    correct, conf = top_label(y, proba)
    lines.append({"id": "top-label-dirichlet-5x500", "source": "seeded synthetic", "mode": "top_label",
                  "inputs": {"y_true": y.tolist(), "proba": proba.tolist()},
                  "calls": calls(correct, conf, FULL_GRID)})

    # Top-label with ties in a row (argmax takes the first maximum) and exact edge confidences.
    proba = [[0.5, 0.5, 0.0], [0.2, 0.4, 0.4], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0],
             [1 / 3, 1 / 3, 1 / 3], [0.6, 0.2, 0.2], [0.1, 0.1, 0.8], [0.4, 0.4, 0.2]]
    y = [1, 2, 0, 0, 0, 0, 2, 0]
    correct, conf = top_label(y, proba)
    lines.append({"id": "top-label-ties", "source": "hand-written edge case", "mode": "top_label",
                  "inputs": {"y_true": y, "proba": proba}, "calls": calls(correct, conf, SMALL_GRID)})

    for line in lines:
        sys.stdout.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
