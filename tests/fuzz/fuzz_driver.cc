// A deterministic driver for the libFuzzer target when libFuzzer is not in use: mutates the
// inputs of tests/golden/sacrebleu_tokenizers.jsonl (byte flips, truncation, splicing, invalid
// UTF-8) with a fixed seed and feeds them to LLVMFuzzerTestOneInput. Usage: fuzz_driver [N]

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 20000;
  std::vector<std::string> corpus;
  std::ifstream in(std::string(YARDSTICK_GOLDEN_DIR) + "/sacrebleu_tokenizers.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    corpus.push_back(nlohmann::json::parse(line)["inputs"]["text"].get<std::string>());
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "fuzz_driver: no seed inputs\n");
    return 1;
  }
  std::mt19937_64 rng(20261126);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % (n == 0 ? 1 : n)); };
  for (long i = 0; i < iterations; ++i) {
    std::string input = corpus[pick(corpus.size())];
    const int edits = static_cast<int>(pick(6));
    for (int e = 0; e < edits; ++e) {
      switch (pick(6)) {
        case 0:  // random byte (often invalid UTF-8)
          if (!input.empty()) input[pick(input.size())] = static_cast<char>(rng());
          break;
        case 1:  // truncate, possibly inside a multi-byte sequence
          input.resize(pick(input.size() + 1));
          break;
        case 2:  // splice another input as a reference line
          input += "\n" + corpus[pick(corpus.size())];
          break;
        case 3:  // duplicate a slice
          if (!input.empty()) {
            const std::size_t at = pick(input.size());
            input.insert(at, input.substr(at, pick(32)));
          }
          break;
        case 4:
          input.insert(pick(input.size() + 1), "&amp;<skipped>-\n\t\xE3\x80\x82");
          break;
        default:
          input.insert(pick(input.size() + 1), 1, static_cast<char>(pick(128)));
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  }
  std::printf("fuzz_driver: %ld inputs, no crash\n", iterations);
  return 0;
}
