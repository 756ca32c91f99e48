#!/usr/bin/python3
"""Golden values for tests/eval/ranking_test.cc, from Debian's scikit-learn 1.2
(run with /usr/bin/python3 in this folder; the tests never run Python).

  ranking.json  "triage_example": roc_auc_score and average_precision_score of p_escalate
                (positive "escalate") in examples/eval/triage, overall and per region (the CLI
                test of that example checks them);
                300 examples of a binary task: a label ("spam"/"ham"), a group, a classifier
                score rounded to two decimals (so there are ties) and a second classifier's
                score; sklearn.metrics.roc_auc_score and average_precision_score (positive
                "spam") over all examples and per group, for both classifiers
"""
import csv
import json
import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

rng = np.random.default_rng(7)
n = 300
group = rng.choice(["en", "de", "fr"], size=n, p=[0.5, 0.3, 0.2])
y = (rng.random(n) < 0.35).astype(int)
# The first classifier separates the classes well, less so for "fr"; the second one worse.
noise = np.where(group == "fr", 0.35, 0.2)
score_a = np.round(np.clip(0.3 + 0.35 * y + rng.normal(0, 1, n) * noise, 0, 1), 2)
score_b = np.round(np.clip(0.4 + 0.12 * y + rng.normal(0, 0.25, n), 0, 1), 2)
rows = [{"id": f"e{i}", "label": "spam" if y[i] else "ham", "group": str(group[i]),
         "score_a": float(score_a[i]), "score_b": float(score_b[i])} for i in range(n)]


def values(score):
    out = {"all": {"roc_auc": roc_auc_score(y, score),
                   "average_precision": average_precision_score(y, score)}}
    for g in ["en", "de", "fr"]:
        m = group == g
        out[g] = {"roc_auc": roc_auc_score(y[m], score[m]),
                  "average_precision": average_precision_score(y[m], score[m])}
    return out


golden = {"positive": "spam", "rows": rows, "a": values(score_a), "b": values(score_b)}

# The triage example.
triage_dir = "../../../examples/eval/triage/"
predictions = {}
with open(triage_dir + "predictions.jsonl") as f:
    for line in f:
        row = json.loads(line)
        predictions[row["id"]] = row["p_escalate"]
with open(triage_dir + "tickets.csv", newline="") as f:
    tickets = list(csv.DictReader(f))
t_y = np.array([int(t["action"].strip().lower() == "escalate") for t in tickets])
t_s = np.array([predictions[t["id"]] for t in tickets])
t_region = np.array([t["region"] for t in tickets])
golden["triage_example"] = {"all": {"roc_auc": roc_auc_score(t_y, t_s),
                                    "average_precision": average_precision_score(t_y, t_s)}}
for g in sorted(set(t_region)):
    m = t_region == g
    golden["triage_example"][g] = {"roc_auc": roc_auc_score(t_y[m], t_s[m]),
                                   "average_precision": average_precision_score(t_y[m], t_s[m])}
with open("ranking.json", "w") as f:
    json.dump(golden, f, indent=1, default=float)
