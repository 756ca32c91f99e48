#!/usr/bin/env bash
# Times Yardstick against the reference implementations on the WMT17 English-German newstest
# (3004 segments, from tests/golden/sacrebleu_corpus.jsonl) and records what docs/benchmarks.md
# reports. Usage:
#   SACREBLEU_SRC=/path/to/sacrebleu-2.6.0 [ROUGE_SRC=/path/with/rouge_score] bench/compare_reference.sh
# The reference tools are not dependencies of Yardstick: point the variables at source checkouts
# (Debian's python3-regex, -numpy, -tabulate, -portalocker, -colorama, -lxml, -nltk, -absl, -six
# provide what they import). BUILD (default build/release) is the build directory, JOBS (default
# 2) the compile jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DYARDSTICK_BUILD_TESTS=OFF \
  -DYARDSTICK_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" --parallel "${JOBS:-2}" --target metrics_bench yardstick >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" <<'PY'
import json, sys
out = sys.argv[1]
for line in open("tests/golden/sacrebleu_corpus.jsonl", encoding="utf-8"):
    case = json.loads(line)
    inputs = case["inputs"]
    if len(inputs["hyps"]) == 3004 and len(inputs["refs"]) == 1:
        hyps, refs = inputs["hyps"], inputs["refs"][0]
        break
def degrade(h, i):  # same as Degrade() in bench/metrics_bench.cc
    if i % 3: return h
    return " ".join(w for k, w in enumerate(h.split(" "), 1) if k % 5)
open(f"{out}/hyp.txt", "w", encoding="utf-8").write("".join(h + "\n" for h in hyps))
open(f"{out}/hyp2.txt", "w", encoding="utf-8").write(
    "".join(degrade(h, i) + "\n" for i, h in enumerate(hyps)))
open(f"{out}/ref.txt", "w", encoding="utf-8").write("".join(r + "\n" for r in refs))
for name, n in (("hyp10.txt", 10), ("ref10.txt", 10)):
    src = hyps if name.startswith("hyp") else refs
    open(f"{out}/{name}", "w", encoding="utf-8").write("".join(s + "\n" for s in src * n))
PY

echo "== machine"
lscpu | grep -E 'Model name|^CPU\(s\)' || true
echo "== Yardstick kernels (Google Benchmark, one thread; docs/benchmarks.md quotes the medians)"
"$build/bench/metrics_bench" --benchmark_min_time=0.2 --benchmark_repetitions=10 \
  --benchmark_display_aggregates_only=true
echo "== yardstick score end to end (hyperfine), 30,040 segments"
ys="$build/src/cli/yardstick"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 1 --runs 5 \
    "$ys score bleu -r $work/ref10.txt -i $work/hyp10.txt" \
    "$ys score chrf -r $work/ref10.txt -i $work/hyp10.txt" \
    "$ys score ter -r $work/ref10.txt -i $work/hyp10.txt" \
    "$ys score bleu -r $work/ref.txt -i $work/hyp.txt -i $work/hyp2.txt --paired-bs"
fi
echo "== reference implementations (best of 3 unless noted)"
if [ -n "${SACREBLEU_SRC:-}" ]; then
  PYTHONPATH="$SACREBLEU_SRC:${ROUGE_SRC:-}" /usr/bin/python3 bench/reference_timing.py \
    "$work/hyp.txt" "$work/ref.txt" "$work/hyp2.txt"
else
  echo "SACREBLEU_SRC not set: skipping the reference timings"
fi
