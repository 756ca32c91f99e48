#!/usr/bin/python3
"""Generates the golden vectors of the stats module (tests/stats/data/*.jsonl).

The reference implementations are Debian 12's packages, run with /usr/bin/python3:
    apt-get install -y python3-numpy python3-scipy python3-statsmodels
numpy 1.24.2, scipy 1.10.1 and statsmodels 0.13.5.

sacrebleu_significance.jsonl needs sacrebleu 2.6.0's own significance code. sacrebleu is not a
Debian package; put its source tree (git tag v2.6.0, with a one-line sacrebleu/version.py that sets
__version__ = "2.6.0") on PYTHONPATH:
    PYTHONPATH=/path/to/sacrebleu-src /usr/bin/python3 tests/stats/data/generate_golden.py
Without it that file is left as it is. Likewise krippendorff_extra.jsonl needs fast-krippendorff
(pln-fing-udelar/fast-krippendorff @b1eb616, GPL-3, used only as a test oracle) on PYTHONPATH.

Output: one JSON object per line, {"id", "fn", "inputs", "options", "expected"} or "error" instead
of "expected" when the reference raised. Floats are written with Python's repr (round-trip exact);
non-finite values as the strings "NaN", "Infinity", "-Infinity".
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
import scipy.stats as st
import statsmodels
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.inter_rater import fleiss_kappa
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

OUT = os.path.dirname(os.path.abspath(__file__))


def num(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def write(name, records):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{name}: {len(records)} cases", file=sys.stderr)


def call(fn):
    """Runs fn(); returns ("expected", value) or ("error", exception class name)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "expected", fn()
        except (ValueError, ZeroDivisionError, AssertionError) as e:
            return "error", type(e).__name__


# ---------------------------------------------------------------------------------------------
# numpy.random.default_rng: PCG64 + SeedSequence, Generator.integers / choice / random.


def numpy_rng_cases():
    out = []
    seeds = [12345, 0, 1, 42, 2**40 + 7, 2**64 - 1]
    for seed in seeds:
        ss = np.random.SeedSequence(seed)
        state = [int(v) for v in ss.generate_state(4, np.uint64)]
        # A sequence of draws with different ranges from one generator (exercises the buffered
        # 32-bit half and the switch between 32- and 64-bit Lemire).
        rng = np.random.default_rng(seed)
        draws = []
        for high, size in [(1, 3), (2, 5), (3, 7), (1000, 9), (3004, 11), (2**31, 3), (2**32 - 1, 3),
                           (2**32, 3), (2**32 + 1, 3), (2**40, 4), (2**63 - 1, 2), (7, 1), (5, 6)]:
            values = rng.integers(0, high, size=size)
            draws.append({"high": high, "values": [int(v) for v in values]})
        bits = rng.integers(2, size=100, dtype=bool)
        after_bits = rng.integers(0, 10, size=5)
        uniforms = rng.random(size=4)
        rng2 = np.random.default_rng(seed)
        choice = rng2.choice(7, size=(3, 7), replace=True)
        rng3 = np.random.default_rng(seed)
        big = rng3.choice(3004, size=(2, 3004), replace=True)
        out.append({
            "id": f"numpy-rng-seed-{seed}", "fn": "default_rng", "inputs": {"seed": seed},
            "options": {},
            "expected": {
                "seed_state_uint64": [str(v) for v in state],
                "integers": draws,
                "bool_bits": [int(b) for b in bits],
                "integers_after_bits": [int(v) for v in after_bits],
                "random": [num(v) for v in uniforms],
                "choice_7_3x7": [[int(v) for v in row] for row in choice],
                "choice_3004_2x3004_sum": [int(row.sum()) for row in big],
                "choice_3004_first": [int(v) for v in big[0, :20]],
                "choice_3004_last": [int(v) for v in big[1, -20:]],
            }})
    return out


# ---------------------------------------------------------------------------------------------
# numpy / Python summation and order statistics the ports depend on.


def numeric_cases():
    import statistics
    rng = np.random.default_rng(31337)
    arrays = {
        "tenths-3": [0.1, 0.2, 0.3],
        "tenths-10": [0.1] * 10,
        "normal-7": list(rng.normal(0, 1, 7)),
        "normal-8": list(rng.normal(0, 1, 8)),
        "wide-range-129": list(rng.normal(0, 1, 129) * 10.0 ** rng.integers(-8, 8, 129)),
        "scores-1000": list(rng.normal(50, 3, 1000)),
        "cancel-300": list(np.concatenate([rng.normal(0, 1, 150) * 1e16, rng.normal(0, 1, 150)])),
        "huge": [1e308, 1e308, -1e308, 5e307],
        "subnormal": [5e-324, 1e-320, -3e-321, 2.5e-310],
        "ties-12": [3.0, 1.0, 2.0, 3.0, 3.0, 1.0, 5.0, 2.0, 2.0, 2.0, 9.0, 0.0],
    }
    out = []
    for name, a in arrays.items():
        x = np.array(a, dtype=np.float64)
        s = np.sort(x)
        qs = [0.0, 2.5, 2.500000000000002, 25.0, 50.0, 97.5, 97.49999999999999, 100.0, 33.3]
        out.append({"id": f"numeric-{name}", "fn": "numeric", "inputs": {"x": [num(v) for v in a]},
                    "options": {"q": qs},
                    "expected": {
                        "np_sum": num(np.sum(x)),
                        "np_mean": num(np.mean(x)),
                        "statistics_mean": num(statistics.mean(a)),
                        "np_percentile": [num(np.percentile(s, q)) for q in qs],
                        "rankdata": [num(v) for v in st.rankdata(x)],
                        "np_std_ddof1": num(np.std(x, ddof=1)) if len(a) > 1 else "NaN",
                    }})
    return out


# ---------------------------------------------------------------------------------------------
# scipy.stats: wilcoxon, permutation_test (paired samples, exact), bootstrap.


def wilcoxon_cases():
    rng = np.random.default_rng(20240601)
    data = {
        "small-no-ties": (list(rng.normal(0.3, 1.0, 8).round(3)), list(rng.normal(0, 1, 8).round(3))),
        "with-ties": ([3, 5, 4, 6, 2, 7, 5, 5, 6, 3, 4, 8], [2, 3, 4, 4, 1, 5, 6, 3, 4, 1, 2, 5]),
        "with-zeros": ([1.5, 2.0, 3.0, 4.5, 2.5, 3.0, 1.0, 4.0, 5.5, 2.0, 3.5, 6.0, 1.0, 2.2],
                       [1.0, 2.0, 2.5, 4.5, 3.5, 1.0, 1.0, 2.0, 3.5, 2.5, 1.5, 4.0, 0.5, 2.2]),
        "chrf-like-60": (list(rng.normal(55, 12, 60).round(2)), None),
        "all-positive-20": (list((rng.random(20) + 0.1).round(4)), [0.0] * 20),
        "tiny": ([1.0, 2.0, 3.5], [0.5, 2.5, 1.0]),
        "all-zero": ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
        "exact-large-45": (list(rng.normal(0.2, 1.0, 45).round(5)), list(rng.normal(0, 1, 45).round(5))),
    }
    x60 = data["chrf-like-60"][0]
    data["chrf-like-60"] = (x60, list((np.array(x60) + rng.normal(1.0, 5.0, 60)).round(2)))
    out = []
    for name, (x, y) in data.items():
        for zero_method in ["wilcox", "pratt", "zsplit"]:
            for correction in [False, True]:
                for alternative in ["two-sided", "less", "greater"]:
                    for method in ["auto", "approx", "exact"]:
                        def run():
                            r = st.wilcoxon(x, y, zero_method=zero_method, correction=correction,
                                            alternative=alternative, method=method)
                            e = {"statistic": num(r.statistic), "pvalue": num(r.pvalue)}
                            if hasattr(r, "zstatistic"):
                                e["zstatistic"] = num(r.zstatistic)
                            return e
                        kind, value = call(run)
                        out.append({"id": f"wilcoxon-{name}", "fn": "wilcoxon",
                                    "inputs": {"x": [num(v) for v in x], "y": [num(v) for v in y]},
                                    "options": {"zero_method": zero_method, "correction": correction,
                                                "alternative": alternative, "method": method},
                                    kind: value})
    # One-sample form: wilcoxon(d).
    d = [0.8, -0.3, 1.7, 2.2, -0.9, 0.4, 1.1, 0.05, 1.3, -0.2, 0.6]
    for alternative in ["two-sided", "less", "greater"]:
        r = st.wilcoxon(d, alternative=alternative)
        out.append({"id": "wilcoxon-one-sample", "fn": "wilcoxon", "inputs": {"x": d, "y": None},
                    "options": {"zero_method": "wilcox", "correction": False,
                                "alternative": alternative, "method": "auto"},
                    "expected": {"statistic": num(r.statistic), "pvalue": num(r.pvalue)}})
    return out


def permutation_cases():
    rng = np.random.default_rng(7)
    data = {
        "n6": (list(rng.normal(1, 1, 6).round(3)), list(rng.normal(0, 1, 6).round(3))),
        "n10-ties": ([3, 4, 4, 5, 2, 6, 3, 4, 5, 5], [2, 4, 3, 5, 3, 4, 2, 4, 3, 4]),
        "n13": (list(rng.normal(0.1, 1, 13).round(4)), list(rng.normal(0, 1, 13).round(4))),
        "identical": ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
    }
    out = []
    for name, (x, y) in data.items():
        for alternative in ["two-sided", "less", "greater"]:
            r = st.permutation_test((np.array(x, float), np.array(y, float)),
                                    lambda a, b, axis: np.mean(a - b, axis=axis),
                                    permutation_type="samples", vectorized=True,
                                    n_resamples=9999, alternative=alternative)
            out.append({"id": f"permutation-{name}", "fn": "permutation_test_paired_mean",
                        "inputs": {"x": [num(v) for v in x], "y": [num(v) for v in y]},
                        "options": {"alternative": alternative, "n_resamples": 9999},
                        "expected": {"statistic": num(r.statistic), "pvalue": num(r.pvalue),
                                     "n_null": int(len(r.null_distribution))}})
    return out


def corpus_stats(n, seed):
    """Integer 'matches, total' statistics per segment, like a precision metric."""
    rng = np.random.default_rng(seed)
    total = rng.integers(1, 40, size=n)
    matches = rng.binomial(total, 0.55)
    return np.stack([matches, total], axis=1).astype(np.float64)


def bootstrap_cases():
    rng = np.random.default_rng(99)
    samples = {
        "normal-30": list(rng.normal(50, 10, 30).round(3)),
        "lognormal-200": list(rng.lognormal(0, 1, 200).round(4)),
        "binary-120": [float(v) for v in rng.integers(0, 2, 120)],
    }
    out = []
    for name, x in samples.items():
        for method in ["percentile", "BCa"]:
            for n_resamples, seed in [(1000, 12345), (9999, 2024)]:
                r = st.bootstrap((np.array(x),), np.mean, n_resamples=n_resamples, method=method,
                                 confidence_level=0.95, random_state=np.random.default_rng(seed))
                dist = r.bootstrap_distribution
                out.append({"id": f"bootstrap-mean-{name}", "fn": "bootstrap_mean",
                            "inputs": {"x": [num(v) for v in x]},
                            "options": {"method": method, "n_resamples": n_resamples, "seed": seed,
                                        "confidence_level": 0.95},
                            "expected": {"low": num(r.confidence_interval.low),
                                         "high": num(r.confidence_interval.high),
                                         "standard_error": num(r.standard_error),
                                         "distribution_head": [num(v) for v in dist[:5]]}})
    for n, seed in [(50, 1), (400, 2)]:
        stats = corpus_stats(n, seed)

        def ratio(idx, axis=-1):
            s = stats[idx].sum(axis=-2)
            return 100.0 * s[..., 0] / s[..., 1]

        for method in ["percentile", "BCa"]:
            r = st.bootstrap((np.arange(n),), ratio, n_resamples=1000, method=method,
                             confidence_level=0.95, random_state=np.random.default_rng(12345))
            dist = r.bootstrap_distribution
            out.append({"id": f"bootstrap-corpus-ratio-{n}", "fn": "bootstrap_corpus_ratio",
                        "inputs": {"stats": [[int(v) for v in row] for row in stats]},
                        "options": {"method": method, "n_resamples": 1000, "seed": 12345,
                                    "confidence_level": 0.95},
                        "expected": {"low": num(r.confidence_interval.low),
                                     "high": num(r.confidence_interval.high),
                                     "standard_error": num(r.standard_error),
                                     "distribution_head": [num(v) for v in dist[:5]]}})
    return out


# ---------------------------------------------------------------------------------------------
# statsmodels: McNemar, two-proportion z-test, multipletests, Fleiss' kappa.


def statsmodels_cases():
    out = []
    for b, c in [(0, 0), (3, 0), (5, 5), (10, 3), (3, 10), (25, 14), (120, 95), (7, 1), (400, 460)]:
        for exact in [True, False]:
            for correction in ([True] if exact else [True, False]):
                r = mcnemar([[50, b], [c, 40]], exact=exact, correction=correction)
                out.append({"id": f"mcnemar-{b}-{c}", "fn": "mcnemar",
                            "inputs": {"b": b, "c": c},
                            "options": {"exact": exact, "correction": correction},
                            "expected": {"statistic": num(r.statistic), "pvalue": num(r.pvalue)}})
    for counts, nobs in [((49, 51), (100, 100)), ((120, 150), (1000, 1000)), ((3, 9), (40, 35)),
                         ((0, 5), (20, 20)), ((300, 280), (3461, 3407)), ((10, 10), (10, 10))]:
        for alternative in ["two-sided", "larger", "smaller"]:
            for value in [0.0, 0.05]:
                kind, v = call(lambda: proportions_ztest(np.array(counts), np.array(nobs), value=value,
                                                         alternative=alternative))
                rec = {"id": f"ztest-{counts[0]}-{counts[1]}-{nobs[0]}-{nobs[1]}", "fn": "proportions_ztest",
                       "inputs": {"count": list(counts), "nobs": list(nobs)},
                       "options": {"alternative": alternative, "value": value}}
                if kind == "expected":
                    rec["expected"] = {"statistic": num(v[0]), "pvalue": num(v[1])}
                else:
                    rec["error"] = v
                out.append(rec)
    rng = np.random.default_rng(5)
    pvalue_sets = {
        "statistics-md-s8": [.001, .008, .039, .041, .042, .06, .074, .205, .212, .216],
        "unsorted-ties": [0.04, 0.01, 0.04, 0.3, 0.001, 0.01, 0.9, 0.049, 1.0, 0.0],
        "uniform-50": list(rng.random(50)),
        "mixed-200": list(np.concatenate([rng.random(150), rng.random(50) * 1e-3])),
        "single": [0.03],
    }
    for name, p in pvalue_sets.items():
        for method in ["holm", "fdr_bh", "fdr_by", "bonferroni"]:
            for alpha in [0.05, 0.1]:
                reject, adj, _, _ = multipletests(p, alpha=alpha, method=method)
                out.append({"id": f"multipletests-{name}", "fn": "multipletests",
                            "inputs": {"pvalues": [num(v) for v in p]},
                            "options": {"method": method, "alpha": alpha},
                            "expected": {"reject": [bool(v) for v in reject],
                                         "adjusted": [num(v) for v in adj]}})
    tables = {
        "statistics-md-s5": None,
        "random-20x4-5raters": None,
        "random-100x3-10raters": None,
        "perfect": [[3, 0], [0, 3], [3, 0]],
    }
    from statsmodels.stats.inter_rater import aggregate_raters
    ratings = [[1, 1, 1], [1, 2, 2], [2, 2, 2], [0, 0, 1], [0, 0, 0], [2, 1, 2]]
    tables["statistics-md-s5"] = aggregate_raters(np.array(ratings))[0].tolist()
    for key, (n, k, raters) in {"random-20x4-5raters": (20, 4, 5),
                                "random-100x3-10raters": (100, 3, 10)}.items():
        rows = []
        for _ in range(n):
            p = rng.dirichlet(np.ones(k) * 0.7)
            rows.append(rng.multinomial(raters, p).tolist())
        tables[key] = rows
    for name, table in tables.items():
        out.append({"id": f"fleiss-{name}", "fn": "fleiss_kappa", "inputs": {"table": table},
                    "options": {"method": "fleiss"},
                    "expected": num(fleiss_kappa(np.array(table), method="fleiss"))})
    return out


# ---------------------------------------------------------------------------------------------
# sacrebleu 2.6.0 significance: paired bootstrap (bs), approximate randomization (ar), and the
# single-system bootstrap CI of corpus_score(n_bootstrap=...).


def sacrebleu_cases():
    try:
        from sacrebleu import significance as sig
        from sacrebleu.metrics.base import Score
        import sacrebleu
    except ImportError:
        print("sacrebleu not importable: sacrebleu_significance.jsonl left unchanged", file=sys.stderr)
        return None
    assert sacrebleu.__version__ == "2.6.0", sacrebleu.__version__

    def score_ratio(s):
        return 100.0 * float(s[0]) / float(s[1])

    def score_bleu2(s):
        # [hyp_len, ref_len, c1, t1, c2, t2]: a two-order BLEU with brevity penalty.
        hyp, ref = float(s[0]), float(s[1])
        c1, t1, c2, t2 = float(s[2]), float(s[3]), float(s[4]), float(s[5])
        if c1 == 0.0 or c2 == 0.0 or t1 == 0.0 or t2 == 0.0:
            return 0.0
        log_avg = (math.log(c1 / t1) + math.log(c2 / t2)) / 2.0
        bp = 1.0 if hyp > ref else (math.exp(1.0 - ref / hyp) if hyp > 0.0 else 0.0)
        return 100.0 * math.exp(log_avg) * bp

    class Sig:
        def update(self, key, value):
            pass

    class StatsMetric:
        """Duck-typed sacrebleu Metric whose 'hypotheses' are rows of precomputed statistics."""

        def __init__(self, name, fn):
            self.name, self.fn = name, fn

        def _extract_corpus_statistics(self, hyps, refs):
            return [list(h) for h in hyps]

        def _compute_score_from_stats(self, stats):
            return Score(self.name, self.fn(stats))

        def _aggregate_and_compute(self, stats):
            return self._compute_score_from_stats(np.array(stats, dtype=np.int64).sum(0))

        def get_signature(self):
            return Sig()

    def systems_ratio(n, seed, k):
        rng = np.random.default_rng(seed)
        total = rng.integers(1, 40, size=n)
        out = []
        for s in range(k):
            matches = rng.binomial(total, 0.5 + 0.004 * s)
            out.append(np.stack([matches, total], axis=1).astype(int).tolist())
        return out

    def systems_bleu2(n, seed, k):
        rng = np.random.default_rng(seed)
        ref = rng.integers(3, 40, size=n)
        out = []
        for s in range(k):
            hyp = np.maximum(1, ref + rng.integers(-4, 4, size=n))
            c1 = rng.binomial(hyp, 0.55 + 0.004 * s)
            t2 = np.maximum(hyp - 1, 0)
            c2 = np.minimum(rng.binomial(t2, 0.35 + 0.004 * s), np.maximum(c1 - 1, 0))
            out.append(np.stack([hyp, ref, c1, hyp, c2, t2], axis=1).astype(int).tolist())
        return out

    out = []
    configs = [
        ("ratio-3sys-300", "ratio", score_ratio, systems_ratio(300, 11, 3)),
        ("bleu2-3sys-1000", "bleu2", score_bleu2, systems_bleu2(1000, 12, 3)),
        ("ratio-2sys-40", "ratio", score_ratio, systems_ratio(40, 13, 2)),
    ]
    for cid, score_name, fn, systems in configs:
        tests = [("bs", 1000, -1), ("ar", 10000, -1), ("ar", 2000, 300)]
        if cid == "bleu2-3sys-1000":
            tests.append(("bs", 300, -1))
        for test, n_samples, n_conf in tests:
            metric = StatsMetric(score_name, fn)
            named = [(f"sys{i}", rows) for i, rows in enumerate(systems)]
            pt = sig.PairedTest(named, {score_name: metric}, None, test_type=test,
                                n_samples=n_samples, n_ar_confidence=n_conf)
            _, scores = pt()
            results = scores[score_name]
            exp = []
            for r in results:
                exp.append({"score": num(r.score),
                            "p_value": None if r.p_value is None else num(r.p_value),
                            "mean": None if r.mean is None else num(r.mean),
                            "ci": None if r.ci is None else num(r.ci)})
            out.append({"id": f"sacrebleu-{cid}", "fn": "paired_test",
                        "inputs": {"systems": systems, "score": score_name},
                        "options": {"test": test, "n_samples": n_samples,
                                    "n_ar_confidence": n_conf, "seed": 12345},
                        "expected": exp})
        # corpus_score(..., n_bootstrap=1000): Score.estimate_ci over _bootstrap_resample.
        metric = StatsMetric(score_name, fn)
        for n_boot in [1000, 200]:
            _, bs_scores = sig._bootstrap_resample(systems[0], metric, n_boot)
            total = metric._aggregate_and_compute(systems[0])
            total.estimate_ci(bs_scores)
            out.append({"id": f"sacrebleu-{cid}", "fn": "corpus_bootstrap",
                        "inputs": {"systems": [systems[0]], "score": score_name},
                        "options": {"n_bootstrap": n_boot, "seed": 12345},
                        "expected": {"score": num(total.score), "mean": num(total._mean),
                                     "ci": num(total._ci)}})
    return out


# ---------------------------------------------------------------------------------------------
# fast-krippendorff (pln-fing-udelar/fast-krippendorff @b1eb616) beyond tests/golden: many
# categories (its ordinal distance sums with np.add.reduceat), wide value ranges.


def krippendorff_cases():
    try:
        import krippendorff
    except ImportError:
        print("krippendorff not importable: krippendorff_extra.jsonl left unchanged", file=sys.stderr)
        return None
    rng = np.random.default_rng(404)
    out = []
    for name, coders, units, values, missing in [("12-categories", 4, 80, 12, 0.25),
                                                 ("30-categories", 3, 150, 30, 0.1),
                                                 ("two-values", 5, 40, 2, 0.3)]:
        truth = rng.integers(1, values + 1, units)
        data = np.array([np.clip(truth + rng.integers(-1, 2, units), 1, values) for _ in range(coders)],
                        dtype=float)
        data[rng.random(data.shape) < missing] = np.nan
        rows = [[None if np.isnan(v) else int(v) for v in row] for row in data]
        for level in ["nominal", "ordinal", "interval", "ratio"]:
            out.append({"id": f"krippendorff-{name}", "fn": "krippendorff.alpha",
                        "inputs": {"reliability_data": rows},
                        "options": {"level_of_measurement": level},
                        "expected": num(krippendorff.alpha(reliability_data=data,
                                                           level_of_measurement=level))})
    return out


def main():
    print(f"numpy {np.__version__}, scipy {scipy.__version__}, statsmodels {statsmodels.__version__}",
          file=sys.stderr)
    write("numpy_rng.jsonl", numpy_rng_cases())
    write("numeric.jsonl", numeric_cases())
    write("scipy_extra.jsonl", wilcoxon_cases() + permutation_cases() + bootstrap_cases())
    write("statsmodels.jsonl", statsmodels_cases())
    kr = krippendorff_cases()
    if kr is not None:
        write("krippendorff_extra.jsonl", kr)
    sb = sacrebleu_cases()
    if sb is not None:
        write("sacrebleu_significance.jsonl", sb)


if __name__ == "__main__":
    main()
