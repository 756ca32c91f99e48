#!/usr/bin/env python3
"""Times the reference implementations on the same corpus as bench/metrics_bench.

Usage: reference_timing.py HYP REF [HYP2]
Needs sacrebleu 2.6.0 and rouge-score 0.1.2 importable (set PYTHONPATH to source checkouts;
Debian's python3-regex, -numpy, -tabulate, -portalocker, -colorama, -lxml, -nltk, -absl, -six
provide their dependencies). Prints one JSON object per measurement: what, seconds (best of 3), score.
"""
import json
import sys
import time


def best_of(fn, repeat=3):
    best = None
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main():
    hyp_path, ref_path = sys.argv[1], sys.argv[2]
    hyps = open(hyp_path, encoding="utf-8").read().split("\n")[:-1]
    refs = open(ref_path, encoding="utf-8").read().split("\n")[:-1]
    hyps2 = None
    if len(sys.argv) > 3:
        hyps2 = open(sys.argv[3], encoding="utf-8").read().split("\n")[:-1]

    from sacrebleu.metrics import BLEU, CHRF, TER
    from sacrebleu.significance import PairedTest

    for name, make in [("bleu", lambda: BLEU()), ("chrf", lambda: CHRF()),
                       ("chrf++", lambda: CHRF(word_order=2)), ("ter", lambda: TER())]:
        # A fresh metric each time: sacrebleu caches tokenized references on the object.
        secs, score = best_of(lambda: make().corpus_score(hyps, [refs]))
        print(json.dumps({"what": f"sacrebleu {name} corpus", "segments": len(hyps),
                          "seconds": secs, "score": score.score}), flush=True)

    if hyps2 is not None:
        import numpy as np  # noqa: F401  (sacrebleu's significance module needs it)
        def paired():
            metric = BLEU()
            named = [("baseline", hyps), ("system", hyps2)]
            test = PairedTest(named, {"BLEU": metric}, [refs], test_type="bs", n_samples=1000)
            return test()
        secs, _ = best_of(paired, repeat=1)
        print(json.dumps({"what": "sacrebleu bleu paired-bs 1000", "segments": len(hyps),
                          "seconds": secs}), flush=True)

    try:
        from rouge_score import rouge_scorer
        make_scorer = lambda stem: rouge_scorer.RougeScorer(
            ["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=stem)
        fmeasure = lambda s: s["rougeL"].fmeasure
        label = "rouge-score"
    except ImportError:
        try:
            # A faithful port of rouge-score 0.1.2's scoring code (same tokenizer, n-gram and
            # LCS routines, nltk's PorterStemmer), for machines where the package is absent.
            import rouge_ref
        except ImportError:
            print(json.dumps({"what": "rouge-score", "skipped": "not importable"}), flush=True)
            return
        make_scorer = lambda stem: rouge_ref.Scorer(
            ["rouge1", "rouge2", "rougeL", "rougeLsum"], stem)
        fmeasure = lambda s: s["rougeL"][2]
        label = "rouge-score port"
    for stem in (False, True):
        scorer = make_scorer(stem)

        def run():
            total = 0.0
            for h, r in zip(hyps, refs):
                total += fmeasure(scorer.score(r, h))
            return total / len(hyps)
        secs, score = best_of(run, repeat=1)
        print(json.dumps({"what": f"{label} 4 types stem={stem}", "segments": len(hyps),
                          "seconds": secs, "rougeL": score}), flush=True)


if __name__ == "__main__":
    main()
