#!/usr/bin/python3
"""Golden values for tests/eval/analysis_test.cc, from Debian's scipy 1.10, statsmodels 0.13
and scikit-learn 1.2 (run with /usr/bin/python3; the tests never run Python).

  fairness.json   per-group selection rate, TPR and FPR from sklearn.metrics.confusion_matrix,
                  demographic parity difference and equalized odds difference (between groups,
                  fairlearn's definitions, STATISTICS.md section 6)
  discovery.json  slice discovery (STATISTICS.md section 8): every single-field slice and every
                  pairwise conjunction with n >= 30 on both sides, a one-sided Welch test
                  (scipy.stats.ttest_ind_from_stats, alternative='less'), Benjamini-Hochberg
                  (statsmodels multipletests 'fdr_bh'), phi
  compare.json    two runs on the same examples: McNemar (statsmodels, exact) on a pass/fail
                  metric and Wilcoxon (scipy, two-sided) on a per-example score, Holm across both
"""
import json
import numpy as np
from scipy import stats
from sklearn.metrics import confusion_matrix
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

rng = np.random.default_rng(2024)

# Fairness.
groups = rng.choice(["a", "b", "c"], size=200, p=[0.5, 0.3, 0.2])
y_true = rng.integers(0, 2, size=200)
bias = np.where(groups == "a", 0.15, np.where(groups == "b", -0.1, 0.0))
y_pred = (rng.random(200) < np.clip(0.45 + bias + 0.3 * (y_true - 0.5), 0, 1)).astype(int)
rows = []
for g, t, p in zip(groups, y_true, y_pred):
    rows.append({"group": str(g), "label": "yes" if t else "no", "output": "yes" if p else "no"})
per_group = {}
for g in ["a", "b", "c"]:
    m = groups == g
    tn, fp, fn, tp = confusion_matrix(y_true[m], y_pred[m], labels=[0, 1]).ravel()
    per_group[g] = {"n": int(m.sum()), "selection_rate": (tp + fp) / m.sum(),
                    "tpr": tp / (tp + fn), "fpr": fp / (fp + tn)}
sr = [v["selection_rate"] for v in per_group.values()]
tpr = [v["tpr"] for v in per_group.values()]
fpr = [v["fpr"] for v in per_group.values()]
fairness = {"rows": rows, "groups": per_group,
            "demographic_parity_difference": max(sr) - min(sr),
            "equalized_odds_difference": max(max(tpr) - min(tpr), max(fpr) - min(fpr))}
with open("fairness.json", "w") as f:
    json.dump(fairness, f, indent=1, default=float)

# Slice discovery.
n = 400
f1 = rng.choice(["x", "y", "z"], size=n)
f2 = rng.choice(["p", "q"], size=n)
values = rng.normal(0.7, 0.15, size=n)
values[(f1 == "x") & (f2 == "p")] -= 0.25
values[f1 == "z"] -= 0.05
values = np.round(values, 6)
rows = [{"f1": str(a), "f2": str(b), "value": float(v)} for a, b, v in zip(f1, f2, values)]
base = [("f1", v) for v in sorted(set(f1))] + [("f2", v) for v in sorted(set(f2))]
cols = {"f1": f1, "f2": f2}
family = [[b] for b in base]
for i in range(len(base)):
    for j in range(i + 1, len(base)):
        if base[i][0] != base[j][0]:
            family.append([base[i], base[j]])
tested = []
for preds in family:
    mask = np.ones(n, dtype=bool)
    for field, value in preds:
        mask &= cols[field] == value
    s, r = values[mask], values[~mask]
    if len(s) < 30 or len(r) < 30:
        continue
    t = stats.ttest_ind_from_stats(s.mean(), s.std(ddof=1), len(s), r.mean(), r.std(ddof=1),
                                   len(r), equal_var=False, alternative="less")
    phi = (r.mean() - s.mean()) / np.sqrt((s.var(ddof=1) + r.var(ddof=1)) / 2)
    tested.append({"predicates": preds, "n": int(len(s)), "p": float(t.pvalue), "effect": phi})
reject, adjusted, _, _ = multipletests([t["p"] for t in tested], 0.05, "fdr_bh")
for t, rej, adj in zip(tested, reject, adjusted):
    t["reject"] = bool(rej)
    t["p_adjusted"] = float(adj)
with open("discovery.json", "w") as f:
    json.dump({"rows": rows, "min_size": 30, "fdr": 0.05, "tested": tested}, f, indent=1,
              default=float)

# Comparison.
n = 150
base_pass = rng.random(n) < 0.7
cand_pass = np.where(rng.random(n) < 0.8, base_pass, ~base_pass)
cand_pass[:12] = True  # some extra wins
b = int(np.sum(base_pass & ~cand_pass))
c = int(np.sum(~base_pass & cand_pass))
mc = mcnemar([[0, b], [c, 0]], exact=True)
base_score = np.round(rng.uniform(1, 5, size=n), 3)
cand_score = np.round(base_score - rng.normal(0.2, 0.5, size=n), 3)
w = stats.wilcoxon(cand_score, base_score)
p = [mc.pvalue, w.pvalue]
holm_reject, holm_adj, _, _ = multipletests(p, 0.05, "holm")
compare = {"base_pass": base_pass.astype(int).tolist(), "cand_pass": cand_pass.astype(int).tolist(),
           "base_score": base_score.tolist(), "cand_score": cand_score.tolist(),
           "mcnemar_p": float(mc.pvalue), "wilcoxon_p": float(w.pvalue),
           "holm_adjusted": [float(x) for x in holm_adj],
           "holm_reject": [bool(x) for x in holm_reject]}
with open("compare.json", "w") as f:
    json.dump(compare, f, indent=1)
