#include "support/webhook_receiver.h"

#include <httplib.h>
#include <strings.h>

namespace yardstick::testing {

std::string WebhookReceiver::Request::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (::strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

WebhookReceiver::WebhookReceiver() = default;

WebhookReceiver::~WebhookReceiver() { Stop(); }

std::string WebhookReceiver::Start(int port) {
  if (server_) return "already running";
  auto server = std::make_unique<httplib::Server>();
  auto handle = [this](const httplib::Request& req, httplib::Response& res) {
    Request r;
    r.method = req.method;
    r.path = req.path;
    for (const auto& [k, v] : req.headers) r.headers.emplace(k, v);
    r.body = req.body;
    {
      std::lock_guard lock(mutex_);
      r.status = status_;
      res.status = status_;
      if (!retry_after_.empty()) res.set_header("Retry-After", retry_after_);
      requests_.push_back(std::move(r));
    }
    res.set_content(res.status < 300 ? "{\"ok\":true}" : "{\"ok\":false}", "application/json");
    changed_.notify_all();
  };
  server->Post(".*", handle);
  server->Put(".*", handle);
  int bound = port;
  if (port == 0) {
    bound = server->bind_to_any_port("127.0.0.1");
  } else if (!server->bind_to_port("127.0.0.1", port)) {
    bound = -1;
  }
  if (bound <= 0) return "cannot listen on 127.0.0.1:" + std::to_string(port);
  port_ = bound;
  server_ = std::move(server);
  thread_ = std::thread([s = server_.get()] { s->listen_after_bind(); });
  // stop() only takes effect once the server runs: wait for it, so Stop() never hangs.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return "";
}

void WebhookReceiver::Stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

bool WebhookReceiver::running() const { return server_ != nullptr; }

std::string WebhookReceiver::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void WebhookReceiver::SetStatus(int status, const std::string& retry_after) {
  std::lock_guard lock(mutex_);
  status_ = status;
  retry_after_ = retry_after;
}

std::vector<WebhookReceiver::Request> WebhookReceiver::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

size_t WebhookReceiver::count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

void WebhookReceiver::Clear() {
  std::lock_guard lock(mutex_);
  requests_.clear();
}

bool WebhookReceiver::WaitFor(const std::function<bool(const std::vector<Request>&)>& done,
                              std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return done(requests_); });
}

}  // namespace yardstick::testing
