// Kernel benchmarks of the metric library on real data: the WMT17 English-German newstest
// (3004 segments; reference and system outputs from tests/golden/sacrebleu_corpus.jsonl).
// Each benchmark computes what the reference tool computes in one corpus_score call: segment
// statistics from raw strings (tokenization included) and the score.
//
// BLEU and chrF keep their working memory per thread between calls, so repeated iterations run
// on warm memory; BM_CorpusBleuFreshThread scores on a new thread each time to show the cost of
// a first call (the thread's start is included).

#include <benchmark/benchmark.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "metrics/bleu.h"
#include "metrics/chrf.h"
#include "metrics/rouge.h"
#include "metrics/ter.h"
#include "stats/bootstrap.h"
#include "stats/paired.h"

namespace {

using yardstick::metrics::CorpusMetric;
using yardstick::metrics::ReferenceStreams;

struct Wmt {
  std::vector<std::string> hyps_a;
  std::vector<std::string> hyps_b;
  ReferenceStreams refs;
};

// A second system for paired tests: the first with every fifth word of every third segment
// dropped (the golden file holds one 3004-segment system).
std::vector<std::string> Degrade(const std::vector<std::string>& hyps) {
  std::vector<std::string> out;
  out.reserve(hyps.size());
  for (std::size_t i = 0; i < hyps.size(); ++i) {
    if (i % 3 != 0) {
      out.push_back(hyps[i]);
      continue;
    }
    std::string kept;
    std::size_t word = 0, start = 0;
    while (start <= hyps[i].size()) {
      std::size_t end = hyps[i].find(' ', start);
      if (end == std::string::npos) end = hyps[i].size();
      if (++word % 5 != 0) {
        if (!kept.empty()) kept += ' ';
        kept.append(hyps[i], start, end - start);
      }
      start = end + 1;
    }
    out.push_back(std::move(kept));
  }
  return out;
}

// The WMT17 system with 3004 segments and one reference, and a degraded copy of it.
const Wmt& Data() {
  static const Wmt data = [] {
    Wmt w;
    std::ifstream in(std::string(YARDSTICK_GOLDEN_DIR) + "/sacrebleu_corpus.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line);
      const auto& inputs = j["inputs"];
      if (inputs["hyps"].size() != 3004 || inputs["refs"].size() != 1) continue;
      auto hyps = inputs["hyps"].get<std::vector<std::string>>();
      if (w.refs.empty()) {
        std::vector<std::optional<std::string>> stream;
        for (const auto& r : inputs["refs"][0]) stream.emplace_back(r.get<std::string>());
        w.refs.push_back(std::move(stream));
        w.hyps_a = std::move(hyps);
        break;
      }
    }
    if (w.hyps_a.empty()) throw std::runtime_error("WMT17 system not found in golden file");
    w.hyps_b = Degrade(w.hyps_a);
    return w;
  }();
  return data;
}

void RunCorpus(benchmark::State& state, const CorpusMetric& metric) {
  const Wmt& w = Data();
  for (auto _ : state) {
    auto score = metric.CorpusScore(w.hyps_a, w.refs);
    benchmark::DoNotOptimize(score);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(w.hyps_a.size()));
}

void BM_CorpusBleu(benchmark::State& state) {
  RunCorpus(state, **yardstick::metrics::Bleu::Create({}));
}
// The same on a new thread each iteration: a first call, whose working memory is fresh.
void BM_CorpusBleuFreshThread(benchmark::State& state) {
  const Wmt& w = Data();
  auto bleu = *yardstick::metrics::Bleu::Create({});
  for (auto _ : state) {
    std::thread([&] {
      auto score = bleu->CorpusScore(w.hyps_a, w.refs);
      benchmark::DoNotOptimize(score);
    }).join();
  }
}
void BM_CorpusChrf(benchmark::State& state) {
  RunCorpus(state, **yardstick::metrics::Chrf::Create({}));
}
void BM_CorpusChrfPlusPlus(benchmark::State& state) {
  yardstick::metrics::ChrfOptions o;
  o.word_order = 2;
  RunCorpus(state, **yardstick::metrics::Chrf::Create(o));
}
void BM_CorpusTer(benchmark::State& state) {
  RunCorpus(state, **yardstick::metrics::Ter::Create({}));
}
void BM_CorpusRouge(benchmark::State& state) {
  // rouge-score computes the four types in one pass; do the same work: four metrics.
  const bool stem = state.range(0) != 0;
  std::vector<std::unique_ptr<yardstick::metrics::Rouge>> metrics;
  for (const char* type : {"rouge1", "rouge2", "rougeL", "rougeLsum"}) {
    yardstick::metrics::RougeOptions o;
    o.rouge_type = type;
    o.use_stemmer = stem;
    metrics.push_back(std::move(*yardstick::metrics::Rouge::Create(o)));
  }
  std::vector<const yardstick::metrics::Rouge*> raw;
  for (const auto& m : metrics) raw.push_back(m.get());
  const Wmt& w = Data();
  for (auto _ : state) {
    auto stats = yardstick::metrics::Rouge::ComputeSegmentStatsMany(raw, w.hyps_a, w.refs);
    for (std::size_t i = 0; i < raw.size(); ++i) {
      benchmark::DoNotOptimize(raw[i]->ScoreFromStats((*stats)[i].Sum()));
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(w.hyps_a.size()));
}

// sacrebleu --paired-bs with 1000 resamples: statistics of both systems, then the test.
void BM_PairedBootstrapBleu(benchmark::State& state) {
  const Wmt& w = Data();
  auto bleu = *yardstick::metrics::Bleu::Create({});
  for (auto _ : state) {
    const std::span<const std::string> hyps[] = {w.hyps_a, w.hyps_b};
    auto stats = bleu->ComputeSystemsSegmentStats(hyps, w.refs);
    auto result = yardstick::stats::PairedBootstrap(
        (*stats)[0], std::span(*stats).subspan(1),
        [&](std::span<const double> s) { return bleu->ValueFromStats(s); });
    benchmark::DoNotOptimize(result);
  }
}

// The resampling alone (statistics precomputed), 1000 resamples of 3004 segments.
void BM_BootstrapCiBleu(benchmark::State& state) {
  const Wmt& w = Data();
  auto bleu = *yardstick::metrics::Bleu::Create({});
  auto stats = *bleu->ComputeSegmentStats(w.hyps_a, w.refs);
  for (auto _ : state) {
    auto ci = yardstick::stats::BootstrapCorpus(
        stats, [&](std::span<const double> s) { return bleu->ValueFromStats(s); });
    benchmark::DoNotOptimize(ci);
  }
}

BENCHMARK(BM_CorpusBleu)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CorpusBleuFreshThread)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CorpusChrf)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CorpusChrfPlusPlus)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CorpusTer)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CorpusRouge)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PairedBootstrapBleu)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BootstrapCiBleu)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
