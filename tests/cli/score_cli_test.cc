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

TEST_F(ScoreCli, HelpAndVersionExitZero) {
  EXPECT_EQ(Run("--help").exit_code, 0);
  EXPECT_EQ(Run("score --help").exit_code, 0);
  auto r = Run("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("yardstick"), std::string::npos);
  EXPECT_EQ(Run("").exit_code, 2);
}

}  // namespace
