#!/usr/bin/python3
"""Golden values for baseline comparisons (tests/goals/baselines_test.cc).

Run with Debian's interpreter (python3-scipy 1.10.1, python3-statsmodels 0.13.5):
    /usr/bin/python3 tests/goals/data/generate_golden.py > tests/goals/data/compare_golden.jsonl
"""
import json
import math

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest
from statsmodels.stats.multitest import multipletests


def out(obj):
    print(json.dumps(obj))


CONF = [0.95, 0.9]

# Means from sufficient statistics: Welch t (scipy ttest_ind_from_stats, equal_var=False).
means = [
    # baseline (n, sum, sumsq), current (n, sum, sumsq)
    ((3407, 1396.87, 52377.9767), (3461, 2422.7, 134698.29)),
    ((50, 210.0, 900.0), (40, 150.0, 600.0)),
    ((1000, 1200.0, 2000.0), (1200, 1500.0, 2500.0)),
]
for (b, c) in means:
    for conf in CONF:
        nb, sb, qb = b
        nc, sc, qc = c
        mb, mc = sb / nb, sc / nc
        vb = (qb - sb * sb / nb) / (nb - 1)
        vc = (qc - sc * sc / nc) / (nc - 1)
        t, p = stats.ttest_ind_from_stats(mc, math.sqrt(vc), nc, mb, math.sqrt(vb), nb,
                                          equal_var=False)
        se2 = vc / nc + vb / nb
        df = se2 ** 2 / ((vc / nc) ** 2 / (nc - 1) + (vb / nb) ** 2 / (nb - 1))
        tc = stats.t.ppf(0.5 + conf / 2, df)
        d = mc - mb
        out({"kind": "mean", "confidence": conf, "baseline": list(b), "current": list(c),
             "difference": d, "relative_change": d / abs(mb), "statistic": float(t),
             "pvalue": float(p), "df": df, "ci_low": d - tc * math.sqrt(se2),
             "ci_high": d + tc * math.sqrt(se2)})

# Proportions: pooled two-proportion z (statsmodels proportions_ztest), Wald CI of the difference.
props = [((120, 1000), (150, 1000)), ((49, 100), (51, 100)), ((30, 2000), (55, 2100))]
for (b, c) in props:
    for conf in CONF:
        z, p = proportions_ztest([c[0], b[0]], [c[1], b[1]])
        pb, pc = b[0] / b[1], c[0] / c[1]
        se = math.sqrt(pb * (1 - pb) / b[1] + pc * (1 - pc) / c[1])
        zc = stats.norm.ppf(0.5 + conf / 2)
        d = pc - pb
        out({"kind": "proportion", "confidence": conf, "baseline": list(b), "current": list(c),
             "difference": d, "relative_change": d / pb, "statistic": float(z),
             "pvalue": float(p), "ci_low": d - zc * se, "ci_high": d + zc * se})

# NPS: z-test with var = 100^2 (p + d - (p - d)^2) / n per side.
for (b, c) in [((40, 20, 100), (30, 30, 100)), ((400, 150, 1000), (420, 140, 1000))]:
    def side(x):
        p, q = x[0] / x[2], x[1] / x[2]
        return 100 * (p - q), 1e4 * (p + q - (p - q) ** 2) / x[2]
    nb, vb = side(b)
    nc, vc = side(c)
    se = math.sqrt(vb + vc)
    d = nc - nb
    z = d / se
    zc = stats.norm.ppf(0.975)
    out({"kind": "nps", "confidence": 0.95, "baseline": list(b), "current": list(c),
         "difference": d, "statistic": z, "pvalue": float(2 * stats.norm.sf(abs(z))),
         "ci_low": d - zc * se, "ci_high": d + zc * se})

# Quantiles from estimates and 95% intervals: SE = (high - low) / (2 z_0.975).
for (b, c) in [((1.0, 0.9, 1.12), (1.3, 1.2, 1.41)), ((2.0, 1.8, 2.3), (2.05, 1.85, 2.4))]:
    for conf in CONF:
        z95 = stats.norm.ppf(0.975)
        seb = (b[2] - b[1]) / (2 * z95)
        sec = (c[2] - c[1]) / (2 * z95)
        se = math.sqrt(seb ** 2 + sec ** 2)
        d = c[0] - b[0]
        zc = stats.norm.ppf(0.5 + conf / 2)
        out({"kind": "quantile", "confidence": conf, "baseline": list(b), "current": list(c),
             "difference": d, "statistic": d / se,
             "pvalue": float(2 * stats.norm.sf(abs(d / se))), "ci_low": d - zc * se,
             "ci_high": d + zc * se})

# Categorical: Pearson chi-square of homogeneity (chi2_contingency without correction).
for (b, c) in [({"stop": 900, "length": 80, "content_filter": 20},
                {"stop": 820, "length": 150, "content_filter": 30}),
               ({"a": 10, "b": 12}, {"a": 11, "b": 9})]:
    keys = sorted(set(b) | set(c))
    table = np.array([[b.get(k, 0) for k in keys], [c.get(k, 0) for k in keys]])
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    out({"kind": "categorical", "confidence": 0.95, "baseline": b, "current": c,
         "statistic": float(chi2), "pvalue": float(p), "df": int(dof)})

# Holm adjustment (the report's family of degradation tests).
pv = [0.01, 0.04, 0.03, 0.2]
rej, adj, _, _ = multipletests(pv, 0.05, "holm")
out({"kind": "holm", "pvalues": pv, "adjusted": [float(x) for x in adj],
     "reject": [bool(x) for x in rej]})

# Goal statuses: intervals computed independently (Wilson via statsmodels, t via scipy).
from statsmodels.stats.proportion import proportion_confint
for (succ, n) in [(90, 100), (50, 100), (70, 100)]:
    lo, hi = proportion_confint(succ, n, alpha=0.05, method="wilson")
    out({"kind": "wilson", "successes": succ, "trials": n, "low": lo, "high": hi})
for (n, s, q) in [(40, 180.0, 820.0), (40, 160.0, 660.0), (40, 172.0, 760.0)]:
    m = s / n
    v = (q - s * s / n) / (n - 1)
    h = stats.t.ppf(0.975, n - 1) * math.sqrt(v / n)
    out({"kind": "t", "n": n, "sum": s, "sumsq": q, "low": m - h, "high": m + h})
