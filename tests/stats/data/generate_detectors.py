#!/usr/bin/python3
"""Generates the golden vectors of change detection and drift (tests/stats/data/change_detection.jsonl
and drift.jsonl).

Run with Debian 12's /usr/bin/python3 (apt-get install -y python3-numpy python3-scipy):
numpy 1.24.2, scipy 1.10.1. The script is deterministic: re-running it reproduces both files byte
for byte.

change_detection.jsonl: no library implements tabular CUSUM, Page-Hinkley or the EWMA chart, so the
functions below implement them straight from STATISTICS.md section 4 with plain loops (written
independently of the C++ code), including the restart after an alarm.

drift.jsonl: two-sample Kolmogorov-Smirnov, Jensen-Shannon, chi-square homogeneity and Wasserstein-1
come from scipy; PSI (which scipy lacks) is computed with numpy from STATISTICS.md's definition and
Evidently's zero-share convention.

Output: one JSON object per line, {"id", "fn", "inputs", "options", "expected"}, or "error" instead
of "expected" when the input must be rejected. Floats are written with Python's repr (round-trip
exact); non-finite values as the strings "NaN", "Infinity", "-Infinity".
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import scipy.stats as st
from scipy.spatial.distance import jensenshannon

OUT = os.path.dirname(os.path.abspath(__file__))


def num(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def nums(xs):
    return [num(x) for x in xs]


def write(name, records):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{name}: {len(records)} cases", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Change detection, from STATISTICS.md section 4. After an alarm every detector restarts from its
# initial state before the next observation.


def cusum(xs, target, sigma, k, h):
    K = k * sigma
    H = h * sigma
    cp, cm, restart = 0.0, 0.0, False
    upper, lower, direction, alarms = [], [], [], []
    for i, x in enumerate(xs):
        if restart:
            cp, cm = 0.0, 0.0
        cp = max(0.0, x - (target + K) + cp)
        cm = max(0.0, (target - K) - x + cm)
        d = "up" if cp > H else ("down" if cm > H else "none")
        restart = d != "none"
        if restart:
            alarms.append(i)
        upper.append(cp)
        lower.append(cm)
        direction.append(d)
    return {"upper": nums(upper), "lower": nums(lower), "direction": direction, "alarms": alarms}


def page_hinkley(xs, delta, threshold, alpha, min_instances, mode):
    n, mean, su, sd, restart = 0, 0.0, 0.0, 0.0, False
    means, ups, downs, direction, alarms = [], [], [], [], []
    for i, x in enumerate(xs):
        if restart:
            n, mean, su, sd = 0, 0.0, 0.0, 0.0
        n += 1
        mean = mean + (x - mean) / n
        su = max(0.0, alpha * su + (x - mean - delta))
        sd = max(0.0, alpha * sd + (mean - x - delta))
        ready = n + 1 >= min_instances
        d = "none"
        if ready and mode in ("up", "both") and su >= threshold:
            d = "up"
        elif ready and mode in ("down", "both") and sd >= threshold:
            d = "down"
        restart = d != "none"
        if restart:
            alarms.append(i)
        means.append(mean)
        ups.append(su)
        downs.append(sd)
        direction.append(d)
    return {"mean": nums(means), "up": nums(ups), "down": nums(downs), "direction": direction,
            "alarms": alarms}


def ewma(xs, target, sigma, lam, L):
    z, t, restart = target, 0, False
    zs, lo, hi, direction, alarms = [], [], [], [], []
    for i, x in enumerate(xs):
        if restart:
            z, t = target, 0
        t += 1
        z = lam * x + (1 - lam) * z
        width = L * sigma * math.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * t)))
        u, l = target + width, target - width
        d = "up" if z > u else ("down" if z < l else "none")
        restart = d != "none"
        if restart:
            alarms.append(i)
        zs.append(z)
        lo.append(l)
        hi.append(u)
        direction.append(d)
    return {"z": nums(zs), "lower": nums(lo), "upper": nums(hi), "direction": direction,
            "alarms": alarms}


def change_cases():
    rng = np.random.default_rng(2024)
    series = {
        "normal-shift-up": list(np.concatenate([rng.normal(10, 2, 60), rng.normal(12, 2, 60)])),
        "normal-shift-down": list(np.concatenate([rng.normal(0, 1, 50), rng.normal(-1.5, 1, 50)])),
        "in-control-200": list(rng.normal(5, 1, 200)),
        "constant": [3.0] * 40,
        "spikes": [0.0] * 20 + [50.0] + [0.0] * 20 + [-50.0] + [0.0] * 20,
        "integers-ramp": [float(i % 7) for i in range(90)],
        "latency-ms": list(np.round(np.concatenate([rng.lognormal(5, 0.3, 80),
                                                    rng.lognormal(5.4, 0.3, 80)]), 1)),
    }
    # river's legacy PageHinkley doctest stream: numpy RandomState(12345), 1000 x randint(2) then
    # 1000 x randint(4, 8); its documented change at index 1009 is checked below.
    legacy = np.random.RandomState(12345)
    series["river-doctest"] = [float(v) for v in np.concatenate(
        [legacy.randint(2, size=1000), legacy.randint(4, 8, size=1000)])]
    out = []
    for name, xs in series.items():
        xs = [float(v) for v in xs]
        if name == "river-doctest":
            cusum_opts, ewma_opts = [], []
        else:
            m, s = float(np.mean(xs[:20])), float(np.std(xs[:20], ddof=1)) or 1.0
            cusum_opts = [
                {"target": m, "sigma": s, "k": 0.5, "h": 4.0},
                {"target": m, "sigma": s, "k": 0.5, "h": 5.0},
                {"target": m, "sigma": 1.0, "k": 0.25, "h": 2.0},
                {"target": m, "sigma": s, "k": 0.0, "h": 0.5},
            ]
            ewma_opts = [
                {"target": m, "sigma": s, "lambda": 0.2, "L": 3.0},
                {"target": m, "sigma": s, "lambda": 0.05, "L": 2.7},
                {"target": m, "sigma": s, "lambda": 1.0, "L": 3.0},
                {"target": m, "sigma": s, "lambda": 0.5, "L": 1.0},
            ]
        ph_opts = [
            {"delta": 0.005, "threshold": 50.0, "alpha": 0.9999, "min_instances": 30, "mode": "up"},
            {"delta": 0.005, "threshold": 5.0, "alpha": 0.9999, "min_instances": 30,
             "mode": "both"},
            {"delta": 0.1, "threshold": 3.0, "alpha": 0.99, "min_instances": 10, "mode": "down"},
            {"delta": 0.0, "threshold": 1.0, "alpha": 1.0, "min_instances": 1, "mode": "both"},
        ]
        for j, o in enumerate(cusum_opts):
            out.append({"id": f"cusum-{name}-{j}", "fn": "cusum", "inputs": {"x": nums(xs)},
                        "options": o, "expected": cusum(xs, **o)})
        for j, o in enumerate(ph_opts[:1] if name == "river-doctest" else ph_opts):
            e = page_hinkley(xs, **o)
            if name == "river-doctest" and j == 0:
                assert e["alarms"][0] == 1009, e["alarms"]
            out.append({"id": f"page-hinkley-{name}-{j}", "fn": "page_hinkley",
                        "inputs": {"x": nums(xs)}, "options": o, "expected": e})
        for j, o in enumerate(ewma_opts):
            e = ewma(xs, o["target"], o["sigma"], o["lambda"], o["L"])
            out.append({"id": f"ewma-{name}-{j}", "fn": "ewma", "inputs": {"x": nums(xs)},
                        "options": o, "expected": e})
    return out


# ---------------------------------------------------------------------------------------------
# Drift.


def zero_fill(shares):
    """Evidently's convention: zero shares become 1e-4, or min/1e6 if the smallest nonzero share
    is <= 1e-4."""
    shares = shares.copy()
    smallest = shares[shares != 0].min()
    np.place(shares, shares == 0, smallest / 10**6 if smallest <= 0.0001 else 0.0001)
    return shares


def psi_from_counts(ref_counts, cur_counts):
    ref = np.asarray(ref_counts, dtype=float)
    cur = np.asarray(cur_counts, dtype=float)
    e = zero_fill(ref / ref.sum())
    a = zero_fill(cur / cur.sum())
    return float(np.sum((a - e) * np.log(a / e)))


def quantile_edges(ref, n_bins):
    """Inner edges: the reference's percentiles 100*i/n_bins (linear), duplicates removed; the
    outer edges are -inf and +inf."""
    q = [100.0 * i / n_bins for i in range(1, n_bins)]
    return np.unique(np.percentile(np.asarray(ref, dtype=float), q))


def counts_by_inner_edges(x, inner):
    """Bin i is [inner[i-1], inner[i]) with inner[-1] = -inf and inner[n] = +inf."""
    idx = np.searchsorted(inner, np.asarray(x, dtype=float), side="right")
    return np.bincount(idx, minlength=len(inner) + 1).astype(float)


def binned(ref, cur, binning, n_bins=10, edges=None):
    if binning == "quantiles":
        inner = quantile_edges(ref, n_bins)
        return (counts_by_inner_edges(ref, inner), counts_by_inner_edges(cur, inner),
                [-math.inf] + list(inner) + [math.inf])
    if binning == "sturges":
        e = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
    else:
        e = np.asarray(edges, dtype=float)
    return (np.histogram(ref, e)[0].astype(float), np.histogram(cur, e)[0].astype(float), list(e))


def ks_case(name, x, y, alternative="two-sided", method="auto"):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = st.ks_2samp(x, y, alternative=alternative, method=method)
    fell_back = any("Switching to" in str(w.message) for w in caught)
    n1, n2 = len(x), len(y)
    used = method if method != "auto" else ("exact" if max(n1, n2) <= 10000 else "asymp")
    if fell_back:
        used = "asymp"
    e = {"statistic": num(r.statistic), "pvalue": num(r.pvalue),
         "method": "exact" if used == "exact" else "asymptotic",
         "sign": int(r.statistic_sign), "location": num(r.statistic_location)}
    if used == "asymp" and alternative == "two-sided":
        # scipy uses kstwo.sf(d, round(en)); Yardstick the limiting Kolmogorov distribution with
        # Stephens' small-sample correction, Q((sqrt(en) + 0.12 + 0.11 / sqrt(en)) d). Both are
        # recorded, and the exact p-value for comparison.
        m, n = sorted([float(n1), float(n2)], reverse=True)
        sqrt_en = math.sqrt(m * n / (m + n))
        e["stephens_pvalue"] = num(st.kstwobign.sf((sqrt_en + 0.12 + 0.11 / sqrt_en) *
                                                   r.statistic))
        e["exact_pvalue"] = num(st.ks_2samp(x, y, method="exact").pvalue)
    return {"id": f"ks-{name}-{alternative}-{method}", "fn": "ks_2samp",
            "inputs": {"x": nums(x), "y": nums(y)},
            "options": {"alternative": alternative, "method": method}, "expected": e}


def drift_cases():
    rng = np.random.default_rng(777)
    out = []

    # Kolmogorov-Smirnov.
    samples = {
        "normal-40-50": (rng.normal(0, 1, 40), rng.normal(0.5, 1, 50)),
        "normal-100-100": (rng.normal(0, 1, 100), rng.normal(0.2, 1, 100)),
        "ties-30-45": (rng.integers(0, 5, 30).astype(float), rng.integers(1, 6, 45).astype(float)),
        "identical-25": (np.arange(25.0), np.arange(25.0)),
        "tiny-1-3": (np.array([1.0]), np.array([0.0, 2.0, 3.0])),
        "tiny-3-3": (np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])),
        "separated-7-11": (rng.normal(0, 1, 7), rng.normal(10, 1, 11)),
        "lognormal-300-1000": (np.round(rng.lognormal(3, 1, 300), 2),
                               np.round(rng.lognormal(3.1, 1, 1000), 2)),
        "uniform-2000-3000": (np.round(rng.uniform(0, 1, 2000), 4),
                              np.round(rng.uniform(0.01, 1, 3000), 4)),
        "big-10020-60": (np.round(rng.normal(0, 1, 10020), 3), np.round(rng.normal(0.3, 1, 60), 3)),
    }
    for name, (x, y) in samples.items():
        x = [float(v) for v in x]
        y = [float(v) for v in y]
        out.append(ks_case(name, x, y))
        if name in ("normal-40-50", "ties-30-45", "tiny-3-3", "separated-7-11",
                    "lognormal-300-1000", "normal-100-100", "uniform-2000-3000"):
            out.append(ks_case(name, x, y, "less"))
            out.append(ks_case(name, x, y, "greater"))
        if name in ("normal-40-50", "ties-30-45", "lognormal-300-1000"):
            out.append(ks_case(name, x, y, "two-sided", "asymp"))
            out.append(ks_case(name, x, y, "less", "asymp"))
        if name == "big-10020-60":
            out.append(ks_case(name, x, y, "two-sided", "exact"))

    # Random small sizes, both orders, with and without ties, every alternative (exact path).
    for k in range(24):
        n1, n2 = (int(v) for v in rng.integers(1, 90, 2))
        x = rng.normal(0, 1, n1)
        y = rng.normal(float(rng.choice([0.0, 0.4, 1.0])), 1, n2)
        if k % 2:
            x, y = np.round(x, 1), np.round(y, 1)
        x = [float(v) for v in x]
        y = [float(v) for v in y]
        for alternative in ("two-sided", "less", "greater"):
            out.append(ks_case(f"random-{k}-{n1}-{n2}", x, y, alternative))

    # The limiting Kolmogorov distribution used by the asymptotic two-sided p-value.
    zs = [0.05, 0.2, 0.35, 0.5, 0.7, 0.81, 0.82, 0.83, 1.0, 1.2, 1.36, 1.63, 2.0, 3.0, 4.0, 6.0]
    out.append({"id": "kolmogorov-sf", "fn": "kolmogorov_sf", "inputs": {"z": zs}, "options": {},
                "expected": {"sf": nums(st.kstwobign.sf(zs))}})

    # PSI, Jensen-Shannon and chi-square on counts.
    count_pairs = {
        "shift-10": ([120, 95, 110, 100, 90, 105, 98, 102, 87, 93],
                     [80, 70, 100, 110, 95, 120, 130, 105, 90, 100]),
        "zero-bins": ([50, 0, 30, 20, 0], [40, 10, 0, 50, 0]),
        "tiny-shares": ([1, 100000, 50000, 3], [0, 90000, 60000, 10]),
        "identical": ([5, 10, 15, 20], [5, 10, 15, 20]),
        "proportional": ([1, 2, 3], [10, 20, 30]),
        "two-bins": ([30, 70], [45, 55]),
        "two-bins-small": ([3, 1], [1, 3]),
        "one-bin": ([7], [9]),
        "disjoint": ([10, 0], [0, 10]),
        "fractional": ([0.5, 2.25, 3.0, 0.0], [1.5, 0.25, 2.0, 4.0]),
    }
    for name, (ref, cur) in count_pairs.items():
        out.append({"id": f"psi-counts-{name}", "fn": "psi_counts",
                    "inputs": {"reference": ref, "current": cur}, "options": {},
                    "expected": {"psi": num(psi_from_counts(ref, cur))}})
        for base in (None, 2.0):
            d = float(jensenshannon(np.asarray(ref, float), np.asarray(cur, float), base=base))
            out.append({"id": f"js-counts-{name}-{base}", "fn": "js_counts",
                        "inputs": {"reference": ref, "current": cur},
                        "options": {"base": num(base) if base else None},
                        "expected": {"distance": num(d), "divergence": num(d * d)}})
        table = np.asarray([ref, cur], dtype=float)
        keep = table.sum(axis=0) > 0
        for correction in (True, False):
            rec = {"id": f"chi2-{name}-{correction}", "fn": "chi2_homogeneity",
                   "inputs": {"reference": ref, "current": cur},
                   "options": {"correction": correction}}
            res = st.chi2_contingency(table[:, keep], correction=correction)
            rec["expected"] = {"statistic": num(res[0]), "pvalue": num(res[1]),
                               "df": num(res[2])}
            out.append(rec)
    # A larger table: chi-square over 3 samples.
    t3 = [[10, 20, 30, 40], [15, 15, 35, 35], [20, 10, 40, 30]]
    res = st.chi2_contingency(np.asarray(t3, float))
    out.append({"id": "chi2-table-3x4", "fn": "chi2_table", "inputs": {"table": t3},
                "options": {"correction": True},
                "expected": {"statistic": num(res[0]), "pvalue": num(res[1]), "df": num(res[2])}})

    # PSI and JS on raw samples with each binning.
    raw = {
        "normal-shift": (rng.normal(0, 1, 500), rng.normal(0.3, 1.2, 400)),
        "identical": (np.round(rng.normal(0, 1, 200), 2),) * 2,
        "ties-discrete": (rng.integers(0, 4, 300).astype(float),
                          rng.integers(0, 5, 250).astype(float)),
        "latency": (np.round(rng.lognormal(5, 0.5, 1000), 1),
                    np.round(rng.lognormal(5.2, 0.5, 800), 1)),
        "small": (np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([2.0, 2.0, 9.0])),
        "power-of-two-16": (np.arange(8.0), np.arange(8.0) + 0.5),
    }
    for name, (ref, cur) in raw.items():
        ref = [float(v) for v in ref]
        cur = [float(v) for v in cur]
        configs = [("quantiles", 10, None), ("quantiles", 4, None), ("sturges", 0, None)]
        lo, hi = min(ref + cur), max(ref + cur)
        configs.append(("edges", 0, list(np.linspace(lo, hi, 6))))
        for binning, n_bins, edges in configs:
            rc, cc, used_edges = binned(np.asarray(ref), np.asarray(cur), binning, n_bins, edges)
            opts = {"binning": binning}
            if binning == "quantiles":
                opts["bins"] = n_bins
            if binning == "edges":
                opts["edges"] = nums(edges)
            tag = f"{binning}{n_bins or ''}"
            out.append({"id": f"psi-{name}-{tag}", "fn": "psi", "inputs": {"reference": ref,
                        "current": cur}, "options": opts,
                        "expected": {"psi": num(psi_from_counts(rc, cc)),
                                     "edges": nums(used_edges),
                                     "reference_counts": nums(rc), "current_counts": nums(cc)}})
            d = float(jensenshannon(rc, cc))
            out.append({"id": f"js-{name}-{tag}", "fn": "js", "inputs": {"reference": ref,
                        "current": cur}, "options": opts,
                        "expected": {"distance": num(d), "divergence": num(d * d)}})

    # Categorical PSI / JS / chi-square from labels.
    ref_labels = ["gpt-4o"] * 50 + ["claude"] * 30 + ["llama"] * 20
    cur_labels = ["gpt-4o"] * 40 + ["claude"] * 45 + ["mistral"] * 15
    cats = sorted(set(ref_labels) | set(cur_labels))
    rc = [ref_labels.count(c) for c in cats]
    cc = [cur_labels.count(c) for c in cats]
    res = st.chi2_contingency(np.asarray([rc, cc], float))
    out.append({"id": "categorical-models", "fn": "categorical",
                "inputs": {"reference": ref_labels, "current": cur_labels}, "options": {},
                "expected": {"categories": cats, "reference_counts": rc, "current_counts": cc,
                             "psi": num(psi_from_counts(rc, cc)),
                             "js_distance": num(jensenshannon(np.asarray(rc, float),
                                                              np.asarray(cc, float))),
                             "chi2_statistic": num(res[0]), "chi2_pvalue": num(res[1]),
                             "chi2_df": num(res[2])}})

    # Wasserstein-1, unweighted and weighted (histograms).
    wpairs = {
        "normal": (rng.normal(0, 1, 300), rng.normal(0.5, 2, 200)),
        "ties": (np.array([0.0, 1.0, 1.0, 3.0]), np.array([1.0, 1.0, 2.0])),
        "identical": (np.arange(10.0),) * 2,
        "single": (np.array([3.5]), np.array([-1.0])),
        "latency": (np.round(rng.lognormal(5, 0.5, 700), 1), np.round(rng.lognormal(5.1, 0.6, 900),
                                                                       1)),
    }
    for name, (u, v) in wpairs.items():
        u = [float(a) for a in u]
        v = [float(a) for a in v]
        out.append({"id": f"wasserstein-{name}", "fn": "wasserstein",
                    "inputs": {"u": u, "v": v}, "options": {},
                    "expected": {"distance": num(st.wasserstein_distance(u, v))}})
    weighted = {
        "histogram": ([1.0, 2.0, 4.0, 8.0], [10.0, 30.0, 40.0, 20.0], [1.0, 2.0, 4.0, 8.0, 16.0],
                      [5.0, 20.0, 40.0, 30.0, 5.0]),
        "fractional-weights": ([0.0, 1.0, 3.0], [0.2, 0.5, 0.3], [0.5, 3.0], [1.5, 0.25]),
        "zero-weight": ([0.0, 5.0, 10.0], [1.0, 0.0, 1.0], [2.0, 2.0], [1.0, 3.0]),
    }
    for name, (uv, uw, vv, vw) in weighted.items():
        out.append({"id": f"wasserstein-weighted-{name}", "fn": "wasserstein_weighted",
                    "inputs": {"u": uv, "u_weights": uw, "v": vv, "v_weights": vw},
                    "options": {},
                    "expected": {"distance": num(st.wasserstein_distance(uv, vv, uw, vw))}})
    return out


def main():
    write("change_detection.jsonl", change_cases())
    write("drift.jsonl", drift_cases())


if __name__ == "__main__":
    main()
