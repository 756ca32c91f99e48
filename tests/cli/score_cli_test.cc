// Runs the real `yardstick score` binary on files in a temporary directory.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/golden.h"

namespace {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class ScoreCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("yardstick-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  // Runs the binary with `args` (shell-quoted by the caller where needed).
  RunResult Run(const std::string& args, const std::string& stdin_file = "") {
    const std::string err_path = (dir_ / "stderr.txt").string();
    std::string cmd = std::string(YARDSTICK_BINARY) + " " + args + " 2>" + err_path;
    if (!stdin_file.empty()) cmd += " <" + stdin_file;
    RunResult result;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return result;
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) result.out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err(err_path);
    std::stringstream ss;
    ss << err.rdbuf();
    result.err = ss.str();
    return result;
  }

  static std::vector<nlohmann::json> JsonLines(const std::string& out) {
    std::vector<nlohmann::json> rows;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
    }
    return rows;
  }

  fs::path dir_;
};

// Writes the first WMT17 corpus case of the golden file as text files and checks that the CLI
// prints the golden BLEU, chrF and TER scores.
TEST_F(ScoreCli, CorpusScoresMatchGoldenThroughFiles) {
  const auto cases = yardstick::testing::ReadGoldenJsonl("sacrebleu_corpus.jsonl");
  ASSERT_FALSE(cases.empty());
  const auto& c = cases.front();
  std::string hyp, ref;
  for (const auto& h : c["inputs"]["hyps"]) hyp += h.get<std::string>() + "\n";
  for (const auto& r : c["inputs"]["refs"][0]) ref += r.get<std::string>() + "\n";
  const std::string hyp_path = Write("hyp.txt", hyp);
  const std::string ref_path = Write("ref.txt", ref);
  int checked = 0;
  for (const auto& call : c["calls"]) {
    const auto& o = call["options"];
    std::string metric;
    if (call["metric"] == "BLEU" && o["tokenize"] == "13a" && o["smooth_method"] == "exp" &&
        o["lowercase"] == false && o["max_ngram_order"] == 4 && o["effective_order"] == false) {
      metric = "bleu";
    } else if (call["metric"] == "CHRF" && o["char_order"] == 6 && o["beta"] == 2 &&
               o["lowercase"] == false && o["whitespace"] == false && o["eps_smoothing"] == false &&
               (o["word_order"] == 0 || o["word_order"] == 2)) {
      metric = o["word_order"] == 0 ? "chrf" : "chrf --chrf-word-order 2";
    } else if (call["metric"] == "TER" && o["normalized"] == false && o["no_punct"] == false &&
               o["asian_support"] == false && o["case_sensitive"] == false) {
      metric = "ter";
    } else {
      continue;
    }
    auto r = Run("score " + metric + " -r " + ref_path + " -i " + hyp_path + " --format json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto rows = JsonLines(r.out);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]["score"].get<double>(), call["expected"]["score"].get<double>()) << metric;
    std::string expected_sig = call["expected"]["signature"];
    expected_sig = expected_sig.substr(0, expected_sig.rfind("version:"));
    EXPECT_EQ(rows[0]["signature"].get<std::string>().substr(0, expected_sig.size()), expected_sig);
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

TEST_F(ScoreCli, ConfidenceIntervalIsReportedAndSigned) {
  auto r =
      Run("score bleu -r " + std::string(YARDSTICK_EXAMPLES_DIR) + "/translation/ref.en.txt -i " +
          YARDSTICK_EXAMPLES_DIR + "/translation/hyp-a.en.txt --confidence --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].contains("ci"));
  EXPECT_LE(rows[0]["ci"]["low"].get<double>(), rows[0]["ci"]["high"].get<double>());
  EXPECT_EQ(rows[0]["ci"]["resamples"], 1000);
  EXPECT_NE(rows[0]["signature"].get<std::string>().find("bs:1000"), std::string::npos);
}

TEST_F(ScoreCli, PairedTestReportsPValuePerSystem) {
  const std::string ex = YARDSTICK_EXAMPLES_DIR;
  auto r = Run("score bleu,chrf -r " + ex + "/translation/ref.en.txt -i " + ex +
               "/translation/hyp-a.en.txt -i " + ex +
               "/translation/hyp-b.en.txt --paired-bs --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 4u);  // baseline and one system, for two metrics
  int with_p = 0;
  for (const auto& row : rows) {
    if (row.contains("p_value")) {
      ++with_p;
      EXPECT_GT(row["p_value"].get<double>(), 0.0);
      EXPECT_LE(row["p_value"].get<double>(), 1.0);
    }
  }
  EXPECT_EQ(with_p, 2);
}

TEST_F(ScoreCli, JsonlFieldsAndMultipleReferences) {
  const std::string path = Write("qa.jsonl",
                                 "{\"out\": \"Paris\", \"gold\": [\"paris\", \"Paris, France\"]}\n"
                                 "{\"out\": \"blue\", \"gold\": [\"red\"]}\n");
  auto r = Run("score squad_em,exact_match -i " + path +
               " --field hyp=out --field ref=gold --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_DOUBLE_EQ(rows[0]["score"].get<double>(), 50.0);  // SQuAD EM in percent
  EXPECT_DOUBLE_EQ(rows[1]["score"].get<double>(), 0.0);   // case-sensitive exact match
  EXPECT_NE(rows[0]["signature"].get<std::string>().find("nrefs:var"), std::string::npos);
}

TEST_F(ScoreCli, ReadsHypothesesFromStdin) {
  const std::string ref = Write("ref.txt", "a b c d\n");
  const std::string hyp = Write("hyp.txt", "a b c d\n");
  auto r = Run("score bleu -r " + ref + " -i - -b", hyp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "100.0\n");
}

TEST_F(ScoreCli, BadInputGetsAClearErrorAndExitCode2) {
  const std::string ref = Write("ref.txt", "one\ntwo\nthree\n");
  const std::string hyp = Write("hyp.txt", "one\ntwo\n");
  auto r = Run("score bleu -r " + ref + " -i " + hyp);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ref.txt has 3 segments"), std::string::npos) << r.err;

  const std::string bad = Write("bad.txt", "fine\nbroken \xff byte\n");
  r = Run("score chrf -r " + ref.substr(0, 0) + bad + " -i " + bad);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.txt:2: invalid UTF-8"), std::string::npos) << r.err;

  const std::string empty = Write("empty.txt", "");
  r = Run("score ter -r " + empty + " -i " + empty);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;

  r = Run("score no_such_metric -r " + ref + " -i " + ref);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no_such_metric"), std::string::npos) << r.err;

  r = Run("score bleu --tokenize klingon -r " + ref + " -i " + ref);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("klingon"), std::string::npos) << r.err;

  r = Run("score bleu --no-such-option -r " + ref + " -i " + ref);
  EXPECT_EQ(r.exit_code, 2);

  r = Run("score bleu -r " + (dir_ / "missing.txt").string() + " -i " + ref);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.txt"), std::string::npos) << r.err;

  const std::string jsonl = Write("x.jsonl", "{\"hyp\": \"a\", \"ref\": \"a\"}\n{\"hyp\": 3\n");
  r = Run("score bleu -i " + jsonl);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("x.jsonl:2"), std::string::npos) << r.err;
}

// Classification, ranking and perplexity through the CLI; expected values from scikit-learn
// 1.2.1 (Debian's python3-sklearn) on the same inputs.
TEST_F(ScoreCli, ClassificationMetricsMatchScikitLearn) {
  const std::string truth = Write("true.txt", "0\n1\n1\n0\n1\n2\n2\n0\n1\n1\n");
  const std::string pred = Write("pred.txt", "0\n1\n0\n0\n1\n2\n1\n0\n1\n2\n");
  auto r = Run("score accuracy,f1,mcc,kappa,confusion_matrix -r " + truth + " -i " + pred +
               " --average macro --kappa-weights quadratic --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0]["score"].get<double>(), 0.7);
  EXPECT_EQ(rows[1]["score"].get<double>(), 0.6746031746031745);
  EXPECT_EQ(rows[2]["score"].get<double>(), 0.5397505397508097);
  EXPECT_EQ(rows[3]["score"].get<double>(), 0.7169811320754718);
  EXPECT_EQ(rows[4]["score"], nlohmann::json::parse("[[3,0,0],[1,3,1],[0,1,1]]"));
  EXPECT_NE(rows[1]["signature"].get<std::string>().find("avg:macro"), std::string::npos);

  r = Run("score classification -r " + truth + " -i " + pred + " --format json --confidence");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["details"]["per_class"].size(), 3u);
  ASSERT_TRUE(rows[0].contains("ci"));
  EXPECT_LE(rows[0]["ci"]["low"].get<double>(), 0.7);
  EXPECT_GE(rows[0]["ci"]["high"].get<double>(), 0.7);
}

TEST_F(ScoreCli, RankingCalibrationAndPerplexity) {
  const std::string labels = Write("labels.txt", "0\n1\n1\n0\n1\n0\n1\n1\n");
  const std::string scores = Write("scores.txt", "0.1\n0.8\n0.65\n0.3\n0.9\n0.7\n0.2\n0.55\n");
  auto r = Run("score roc_auc,average_precision,ece -r " + labels + " -i " + scores +
               " --ece-bins 5 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["score"].get<double>(), 0.7333333333333334);
  EXPECT_EQ(rows[1]["score"].get<double>(), 0.852857142857143);
  EXPECT_GE(rows[2]["score"].get<double>(), 0.0);
  EXPECT_NE(rows[2]["signature"].get<std::string>().find("bins:5"), std::string::npos);

  const std::string logprobs = Write("lp.jsonl",
                                     "{\"logprobs\": [-0.5, -1.0, -0.25]}\n"
                                     "{\"logprobs\": [-2.0, -0.1]}\n");
  r = Run("score perplexity -i " + logprobs + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NEAR(rows[0]["score"].get<double>(), 2.159766253784915, 1e-12);

  const std::string bad_scores = Write("bad.txt", "0.1\nhigh\n0.3\n0.4\n0.5\n0.6\n0.7\n0.8\n");
  r = Run("score roc_auc -r " + labels + " -i " + bad_scores);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.txt:2"), std::string::npos) << r.err;

  const std::string short_pred = Write("short.txt", "0\n1\n");
  r = Run("score accuracy -r " + labels + " -i " + short_pred);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("short.txt has 2 rows"), std::string::npos) << r.err;

  const std::string positive = Write("pos.jsonl", "{\"logprobs\": [0.5]}\n");
  r = Run("score perplexity -i " + positive);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());

  r = Run("score bleu,accuracy -r " + labels + " -i " + labels);
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(ScoreCli, SentenceLevelAndShortSignature) {
  const std::string ref = Write("ref.txt", "the cat sat on the mat\nhello world\n");
  const std::string hyp = Write("hyp.txt", "the cat sat on the mat\nhello there\n");
  auto r = Run("score chrf -r " + ref + " -i " + hyp + " --sentence-level --short --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["segment"], 1);
  EXPECT_EQ(rows[0]["score"].get<double>(), 100.0);
  EXPECT_LT(rows[1]["score"].get<double>(), 100.0);
  EXPECT_EQ(rows[0]["signature"].get<std::string>().rfind("#:1|", 0), 0u);
}

TEST_F(ScoreCli, HelpAndVersionExitZero) {
  EXPECT_EQ(Run("--help").exit_code, 0);
  EXPECT_EQ(Run("score --help").exit_code, 0);
  auto r = Run("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("yardstick"), std::string::npos);
  EXPECT_EQ(Run("").exit_code, 2);
}

}  // namespace
