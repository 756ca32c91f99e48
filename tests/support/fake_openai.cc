#include "support/fake_openai.h"

#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>

namespace yardstick::testing {
namespace {

using nlohmann::json;

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

json Usage(long prompt, long completion) {
  return {{"prompt_tokens", prompt},
          {"completion_tokens", completion},
          {"total_tokens", prompt + completion}};
}

}  // namespace

FakeOpenAi::FakeOpenAi() : server_(std::make_unique<httplib::Server>()) {
  server_->set_tcp_nodelay(true);
  auto handle = [this](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    Fault fault;
    {
      std::lock_guard lock(mutex_);
      ++by_path_[req.path];
      authorizations_.push_back(req.get_header_value("Authorization"));
      if (!faults_.empty()) {
        fault = faults_.front();
        faults_.erase(faults_.begin());
      } else {
        fault.delay_seconds = delay_;
      }
    }
    if (fault.delay_seconds > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(fault.delay_seconds));
    }
    if (fault.status != 0 && fault.status != 200) {
      res.status = fault.status;
      if (!fault.retry_after.empty()) res.set_header("Retry-After", fault.retry_after);
      res.set_content(R"({"error":{"message":"fault injected","type":"test"}})",
                      "application/json");
      return;
    }
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      res.status = 400;
      res.set_content(R"({"error":{"message":"invalid JSON body"}})", "application/json");
      return;
    }
    json out;
    if (req.path == "/v1/chat/completions") {
      std::string content;
      for (const auto& m : body.value("messages", json::array())) {
        if (m.value("role", "") == "user") content = m.value("content", "");
      }
      std::string reply;
      {
        std::lock_guard lock(mutex_);
        chat_contents_.push_back(content);
        reply = reply_ ? reply_(content) : "A:" + content;
      }
      out = {{"id", "chatcmpl-fake"},
             {"object", "chat.completion"},
             {"created", 1700000000},
             {"model", body.value("model", "")},
             {"choices",
              {{{"index", 0},
                {"message", {{"role", "assistant"}, {"content", reply}}},
                {"finish_reason", "stop"}}}},
             {"usage", Usage(static_cast<long>(Words(content).size()),
                             static_cast<long>(Words(reply).size()))}};
    } else if (req.path == "/v1/completions") {
      const std::string prompt = body.value("prompt", "");
      json choice = {{"index", 0}, {"finish_reason", "length"}};
      if (body.value("echo", false)) {
        json tokens = json::array(), logprobs = json::array(), offsets = json::array();
        std::size_t pos = 0;
        for (const auto& w : Words(prompt)) {
          pos = prompt.find(w, pos);
          tokens.push_back(w);
          logprobs.push_back(logprobs.empty() ? json(nullptr) : json(-1.0));
          offsets.push_back(pos);
          pos += w.size();
        }
        choice["text"] = prompt;
        choice["logprobs"] = {{"tokens", tokens},
                              {"token_logprobs", logprobs},
                              {"top_logprobs", nullptr},
                              {"text_offset", offsets}};
      } else {
        choice["text"] = "A:" + prompt;
        choice["logprobs"] = nullptr;
      }
      out = {{"id", "cmpl-fake"},
             {"object", "text_completion"},
             {"model", body.value("model", "")},
             {"choices", {choice}},
             {"usage", Usage(static_cast<long>(Words(prompt).size()), 1)}};
    } else if (req.path == "/v1/embeddings") {
      json inputs = body.value("input", json());
      if (inputs.is_string()) inputs = json::array({inputs});
      json data = json::array();
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        std::vector<double> v(8, 0.0);
        for (const char c : inputs[i].get<std::string>()) {
          const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (lower >= 'a' && lower <= 'z') v[static_cast<std::size_t>(lower % 8)] += 1;
        }
        data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", v}});
      }
      out = {{"object", "list"},
             {"data", data},
             {"model", body.value("model", "")},
             {"usage", {{"prompt_tokens", 1}, {"total_tokens", 1}}}};
    } else {
      res.status = 404;
      return;
    }
    res.set_content(fault.body.empty() ? out.dump() : fault.body, "application/json");
  };
  server_->Post("/v1/chat/completions", handle);
  server_->Post("/v1/completions", handle);
  server_->Post("/v1/embeddings", handle);
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // Wait (generously) until the listener accepts connections.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

FakeOpenAi::~FakeOpenAi() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void FakeOpenAi::QueueFault(Fault fault) {
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(fault));
}

void FakeOpenAi::SetDelay(double seconds) {
  std::lock_guard lock(mutex_);
  delay_ = seconds;
}

void FakeOpenAi::SetChatReply(std::function<std::string(const std::string&)> reply) {
  std::lock_guard lock(mutex_);
  reply_ = std::move(reply);
}

long FakeOpenAi::requests_to(const std::string& path) const {
  std::lock_guard lock(mutex_);
  const auto it = by_path_.find(path);
  return it == by_path_.end() ? 0 : it->second;
}

std::vector<std::string> FakeOpenAi::chat_contents() const {
  std::lock_guard lock(mutex_);
  return chat_contents_;
}

std::vector<std::string> FakeOpenAi::authorizations() const {
  std::lock_guard lock(mutex_);
  return authorizations_;
}

}  // namespace yardstick::testing
