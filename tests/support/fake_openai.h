#pragma once
// A fake OpenAI-compatible server for tests: cpp-httplib on a loopback port, in the test
// process. It answers /v1/chat/completions, /v1/completions (with echo + logprobs) and
// /v1/embeddings the way the real APIs shape their responses, counts what it receives, and
// misbehaves on demand: a queue of faults, each consumed by one request (429 with Retry-After,
// 500, a slow response, truncated JSON, a response missing its fields).
//
// Default answers, deterministic so tests can predict metrics:
//   chat         content = "A:" + the last user message (or the reply function's answer)
//   completions  echo + logprobs: the prompt's whitespace tokens, token_logprobs [null, -1, ...]
//                and text_offset; otherwise text = "A:" + prompt
//   embeddings   an 8-dimensional vector of letter counts (letters a..z bucketed by code % 8)
// usage counts whitespace tokens.
//
// Thread safety: all methods may be called while the server runs.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace yardstick::testing {

class FakeOpenAi {
 public:
  struct Fault {
    int status = 0;            // 0: answer normally (after the delay)
    std::string retry_after;   // Retry-After header value, if not empty
    double delay_seconds = 0;  // sleep before answering
    std::string body;          // replaces the body of a 200 (e.g. truncated JSON)
  };

  FakeOpenAi();
  ~FakeOpenAi();

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

  void QueueFault(Fault fault);
  // A delay applied to every request (after queued faults are used up).
  void SetDelay(double seconds);
  void SetChatReply(std::function<std::string(const std::string&)> reply);

  long requests() const { return requests_.load(); }
  long requests_to(const std::string& path) const;
  std::vector<std::string> chat_contents() const;  // the last user message of each chat request
  std::vector<std::string> authorizations() const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<long> requests_{0};
  mutable std::mutex mutex_;
  std::vector<Fault> faults_;
  double delay_ = 0;
  std::function<std::string(const std::string&)> reply_;
  std::map<std::string, long> by_path_;
  std::vector<std::string> chat_contents_;
  std::vector<std::string> authorizations_;
};

}  // namespace yardstick::testing
