// The dashboard's file serving (src/server/dashboard.h) from a directory and as embedded, and
// through the real server: the single-page fallback, API 404s, GET /v1/whoami, and
// server.dashboard.enabled: false.
#include "server/dashboard.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/server_process.h"

namespace yardstick::server {
namespace {

using nlohmann::json;

std::string Header(const StaticResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class DashboardDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::MakeTempDir("yardstick-dashboard-test");
    ASSERT_FALSE(root_.empty());
    dist_ = root_ + "/dist";
    std::filesystem::create_directories(dist_ + "/assets");
    Write(dist_ + "/index.html", "<!doctype html><div id=app></div>");
    Write(dist_ + "/assets/index-Ab12Cd.js", "console.log(1)");
    Write(dist_ + "/assets/index-Ef34Gh.css", "body{}");
    Write(dist_ + "/.hidden", "secret");
    Write(root_ + "/outside.txt", "outside");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  std::string root_, dist_;
};

TEST_F(DashboardDirTest, ServesFilesWithTypesAndCacheHeaders) {
  auto d = Dashboard::FromDirectory(dist_);
  ASSERT_TRUE(d.has_value()) << d.error().message();
  EXPECT_TRUE(d->built());

  auto index = d->Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index.body, "<!doctype html><div id=app></div>");
  EXPECT_EQ(Header(index, "Cache-Control"), "no-cache");
  EXPECT_NE(Header(index, "Content-Security-Policy").find("connect-src 'self'"), std::string::npos);
  EXPECT_EQ(Header(index, "X-Content-Type-Options"), "nosniff");

  auto js = d->Get("/assets/index-Ab12Cd.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(Header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(d->Get("/assets/index-Ef34Gh.css").content_type, "text/css; charset=utf-8");
}

TEST_F(DashboardDirTest, AppRoutesGetIndexMissingFilesGet404) {
  auto d = Dashboard::FromDirectory(dist_);
  ASSERT_TRUE(d.has_value());
  for (const char* route : {"/kpis", "/calls/", "/conversations/conv-1", "/a/b/c"}) {
    auto r = d->Get(route);
    EXPECT_EQ(r.status, 200) << route;
    EXPECT_EQ(r.body, "<!doctype html><div id=app></div>") << route;
    EXPECT_EQ(Header(r, "Cache-Control"), "no-cache") << route;
  }
  for (const char* missing : {"/assets/nope.js", "/favicon.ico", "/.hidden", "/../outside.txt",
                              "/assets/../../outside.txt", "/a\\b.txt"}) {
    auto r = d->Get(missing);
    EXPECT_EQ(r.status, 404) << missing;
    EXPECT_EQ(r.body.find("outside"), std::string::npos) << missing;
    EXPECT_EQ(r.body.find("secret"), std::string::npos) << missing;
  }
}

TEST_F(DashboardDirTest, DirectoryWithoutIndexIsRefused) {
  auto d = Dashboard::FromDirectory(root_ + "/nothing");
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message().find("server.dashboard.dir"), std::string::npos);
}

TEST(DashboardContentType, ByExtension) {
  EXPECT_EQ(ContentTypeFor("/a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("/a.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("/a.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("/a.bin"), "application/octet-stream");
}

TEST(DashboardEmbedded, HoldsTheBuiltApplicationWhenNodeWasAvailable) {
  const Dashboard d = Dashboard::Embedded();
  EXPECT_EQ(d.built(), YARDSTICK_DASHBOARD_EMBEDDED != 0);
  const auto r = d.Get("/kpis");
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  if (YARDSTICK_DASHBOARD_EMBEDDED) {
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("<div id=\"app\">"), std::string::npos);
    EXPECT_NE(r.body.find("/assets/"), std::string::npos);
  } else {
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("without its web dashboard"), std::string::npos);
  }
}

constexpr const char* kAdminKey = "dashboard-admin-key-0123456789ab";

class DashboardServerTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = testing::MakeTempDir("yardstick-dashboard-server"); }
  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(root_);
  }
  void Start(const std::string& config_text = "") {
    testing::ServerProcess::Options o;
    o.binary = YARDSTICK_BINARY;
    o.data_dir = root_ + "/data";
    o.env = {{"YARDSTICK_ADMIN_KEY", kAdminKey}};
    if (!config_text.empty()) {
      o.config_path = root_ + "/yardstick.yaml";
      std::ofstream(o.config_path) << config_text;
    }
    server_ = std::make_unique<testing::ServerProcess>(o);
    const std::string err = server_->Start();
    ASSERT_EQ(err, "") << err;
  }
  httplib::Result Get(const std::string& path, const std::string& key = "") {
    httplib::Client c("127.0.0.1", server_->port());
    httplib::Headers h;
    if (!key.empty()) h.emplace("Authorization", "Bearer " + key);
    return c.Get(path, h);
  }
  std::string root_;
  std::unique_ptr<testing::ServerProcess> server_;
};

TEST_F(DashboardServerTest, WhoAmIAndPages) {
  Start();
  httplib::Client c("127.0.0.1", server_->port());
  auto created = c.Post("/v1/projects", {{"Authorization", std::string("Bearer ") + kAdminKey}},
                        R"({"name":"shop"})", "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201);
  const std::string key = json::parse(created->body)["key"];

  auto who = Get("/v1/whoami", key);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->status, 200);
  EXPECT_EQ(json::parse(who->body),
            (json{{"role", "project"}, {"project", "shop"}, {"version", YARDSTICK_VERSION}}));
  auto admin = Get("/v1/whoami", kAdminKey);
  ASSERT_TRUE(admin);
  EXPECT_EQ(json::parse(admin->body)["role"], "admin");
  EXPECT_TRUE(json::parse(admin->body)["project"].is_null());
  auto admin_shop = Get("/v1/whoami?project=shop", kAdminKey);
  ASSERT_TRUE(admin_shop);
  EXPECT_EQ(json::parse(admin_shop->body)["project"], "shop");
  auto anonymous = Get("/v1/whoami");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto other = Get("/v1/whoami?project=bank", key);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);

  auto page = Get("/conversations/c-1");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->status, YARDSTICK_DASHBOARD_EMBEDDED ? 200 : 404);
  auto api = Get("/v1/no-such-endpoint", key);
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 404);
  EXPECT_EQ(json::parse(api->body)["error"]["code"], "not_found");
  auto post = c.Post("/kpis", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
  EXPECT_EQ(json::parse(post->body)["error"]["code"], "not_found");
  auto listed = Get("/v1/kpis", key);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_TRUE(json::parse(listed->body).contains("kpis"));
  auto health = Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(DashboardServerTest, CanBeTurnedOffOrServedFromADirectory) {
  Start("server: {dashboard: {enabled: false}}\n");
  auto off = Get("/");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 404);
  server_->Stop();
  server_.reset();

  std::filesystem::create_directories(root_ + "/dist");
  std::ofstream(root_ + "/dist/index.html") << "<p>from a directory</p>";
  Start("server: {dashboard: {dir: " + root_ + "/dist}}\n");
  auto on = Get("/calls");
  ASSERT_TRUE(on);
  EXPECT_EQ(on->status, 200);
  EXPECT_EQ(on->body, "<p>from a directory</p>");
}

}  // namespace
}  // namespace yardstick::server
