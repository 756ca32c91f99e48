// Runner overhead per example against an instant local OpenAI-compatible endpoint (an
// in-process cpp-httplib server that answers at once), and over precomputed outputs.
// Usage: eval_bench [examples=20000] [concurrency=8]. Prints examples per second for each case.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "eval/eval.h"

namespace {

namespace fs = std::filesystem;
using yardstick::eval::LoadSuiteString;
using yardstick::eval::RunOptions;
using yardstick::eval::RunSuite;

double Measure(const std::string& label, const std::string& yaml, const std::string& path,
               bool cache, std::size_t n) {
  auto suite = LoadSuiteString(yaml, path);
  if (!suite) {
    std::fprintf(stderr, "%s\n", suite.error().message().c_str());
    std::exit(2);
  }
  RunOptions options;
  options.use_cache = cache;
  const auto start = std::chrono::steady_clock::now();
  auto run = RunSuite(*suite, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!run || run->failed > 0) {
    std::fprintf(stderr, "%s: run failed\n", label.c_str());
    std::exit(2);
  }
  const double rate = static_cast<double>(n) / seconds;
  std::printf("%-44s %8zu examples %8.3f s %10.0f examples/s (requests %ld, cache hits %ld)\n",
              label.c_str(), n, seconds, rate, run->requests_sent, run->cache_hits);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20000;
  const int concurrency = argc > 2 ? std::atoi(argv[2]) : 8;
  httplib::Server server;
  server.set_tcp_nodelay(true);  // as uvicorn (vLLM), llama.cpp and Ollama do
  server.Post("/v1/chat/completions", [](const httplib::Request& req, httplib::Response& res) {
    const auto body = nlohmann::json::parse(req.body);
    const std::string content = body["messages"].back()["content"].get<std::string>();
    const nlohmann::json out = {
        {"id", "x"},
        {"object", "chat.completion"},
        {"choices",
         {{{"index", 0},
           {"message", {{"role", "assistant"}, {"content", "A:" + content}}},
           {"finish_reason", "stop"}}}},
        {"usage", {{"prompt_tokens", 5}, {"completion_tokens", 3}, {"total_tokens", 8}}}};
    res.set_content(out.dump(), "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  const fs::path dir =
      fs::temp_directory_path() / ("yardstick-eval-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ofstream data(dir / "data.jsonl");
    std::ofstream outputs(dir / "outputs.jsonl");
    for (std::size_t i = 0; i < n; ++i) {
      const std::string q =
          "question number " + std::to_string(i) + " about topic " + std::to_string(i % 17);
      data << nlohmann::json{{"id", std::to_string(i)},
                             {"q", q},
                             {"a", "A:Q: " + q},
                             {"group", "g" + std::to_string(i % 5)}}
                  .dump()
           << "\n";
      outputs << nlohmann::json{{"id", std::to_string(i)}, {"output", "A:Q: " + q}}.dump() << "\n";
    }
  }
  const std::string common =
      "dataset: {path: data.jsonl, id_field: id}\nreferences: a\nslices: [group]\n"
      "bootstrap: {resamples: 200}\nmetrics: [exact_match, latency]\n";
  const std::string endpoint =
      common +
      "prompt: {template: 'Q: {{q}}'}\ntarget: {type: openai-chat, base_url: "
      "http://127.0.0.1:" +
      std::to_string(port) + "/v1, model: m, concurrency: " + std::to_string(concurrency) +
      "}\ncache_dir: cache\n";
  const std::string path = (dir / "suite.yaml").string();
  Measure("endpoint, no cache", endpoint, path, false, n);
  Measure("endpoint, filling the cache", endpoint, path, true, n);
  Measure("endpoint, every answer from the cache", endpoint, path, true, n);
  Measure("precomputed outputs", common + "target: {type: precomputed, path: outputs.jsonl}\n",
          path, false, n);
  server.stop();
  thread.join();
  fs::remove_all(dir);
  return 0;
}
