#pragma once
// A real local webhook receiver for integration tests: a cpp-httplib server on 127.0.0.1 in its
// own thread that records every request (method, path, headers, body, the status it answered).
// It can be told to answer with another status (e.g. 503 with Retry-After) and can be stopped
// and started again on the same port, to play a receiver that is down for a while.
//
// Thread-safe: the recording and the answer are guarded by one mutex; tests read copies.

#include <chrono>
#include <condition_variable>
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

class WebhookReceiver {
 public:
  struct Request {
    std::string method;
    std::string path;
    std::multimap<std::string, std::string> headers;  // as received (names as sent)
    std::string body;
    int status = 0;  // the status this receiver answered with

    // The first value of header `name` (case-insensitive), "" when absent.
    std::string Header(const std::string& name) const;
  };

  WebhookReceiver();
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  // Listens on 127.0.0.1:`port` (0 picks a free port; after Stop(), Start(port()) takes the same
  // port again). Returns "" on success, else what went wrong.
  std::string Start(int port = 0);
  // Stops listening (connections are refused until Start); the recording is kept.
  void Stop();
  bool running() const;

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>".
  std::string Url(const std::string& path = "/hook") const;

  // Every later request is answered with `status` (default 200) and, when not empty, a
  // Retry-After header with `retry_after`.
  void SetStatus(int status, const std::string& retry_after = "");

  std::vector<Request> requests() const;
  size_t count() const;
  void Clear();

  // Waits until `done(requests)` holds, for at most `timeout`; returns whether it held.
  bool WaitFor(const std::function<bool(const std::vector<Request>&)>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<Request> requests_;
  int status_ = 200;
  std::string retry_after_;
};

}  // namespace yardstick::testing
