// Loading yardstick.yaml: defaults, a full configuration, the listen shorthand, relative paths,
// files on disk and the shipped example.
#include "config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "config_test_util.h"
#include "kpi/kpi.h"

namespace yardstick::config {
namespace {

using testing::Errors;
using testing::Valid;

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            (std::string("yardstick_config_") + info->name() + "_" +
             std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(ConfigDefaults, AreTheDocumentedValues) {
  const Config c = Defaults();
  EXPECT_EQ(c.server.listen_host, "127.0.0.1");
  EXPECT_EQ(c.server.listen_port, 8080);
  EXPECT_EQ(c.server.data_dir, "./yardstick-data");
  EXPECT_EQ(c.server.threads, 32);
  EXPECT_EQ(c.server.limits.max_body_bytes, 67108864u);
  EXPECT_EQ(c.server.limits.max_record_bytes, 1048576u);
  EXPECT_EQ(c.server.limits.max_attributes, 128u);
  EXPECT_EQ(c.server.log_format, "json");
  EXPECT_EQ(c.server.log_level, "info");
  EXPECT_TRUE(c.server.dashboard.enabled);
  EXPECT_EQ(c.server.dashboard.dir, "");
  EXPECT_EQ(c.storage.backend, "sqlite");
  EXPECT_EQ(c.storage.sqlite.path, "");
  EXPECT_EQ(c.storage.sqlite.synchronous, "full");
  EXPECT_TRUE(c.storage.clickhouse.endpoints.empty());
  EXPECT_EQ(c.storage.clickhouse.database, "yardstick");
  EXPECT_EQ(c.storage.retention.raw_days, 30);
  EXPECT_EQ(c.storage.retention.minute_rollup_days, 14);
  EXPECT_EQ(c.storage.retention.hour_rollup_days, 400);
  EXPECT_EQ(c.storage.retention.day_rollup_days, 3650);
  EXPECT_EQ(c.auth.admin_key_env, "YARDSTICK_ADMIN_KEY");
  EXPECT_TRUE(c.auth.projects.empty());
  EXPECT_TRUE(c.redaction.enabled && c.redaction.email && c.redaction.phone && c.redaction.card &&
              c.redaction.ip && c.redaction.secret && c.redaction.national_id);
  EXPECT_TRUE(c.redaction.patterns.empty());
  EXPECT_EQ(c.pricing.table_file, "");
  EXPECT_TRUE(c.pricing.overrides.empty());
  EXPECT_TRUE(c.kpis.empty());
  EXPECT_EQ(c.source_path, "");
}

// Compares everything but source_path.
void ExpectDefaults(const Config& c) {
  Config d = Defaults();
  d.source_path = c.source_path;
  EXPECT_EQ(c.server.listen_host, d.server.listen_host);
  EXPECT_EQ(c.server.listen_port, d.server.listen_port);
  EXPECT_EQ(c.server.data_dir, d.server.data_dir);
  EXPECT_EQ(c.server.threads, d.server.threads);
  EXPECT_EQ(c.storage.backend, d.storage.backend);
  EXPECT_EQ(c.auth.admin_key_env, d.auth.admin_key_env);
  EXPECT_EQ(c.kpis.size(), 0u);
}

TEST(ConfigLoad, EmptyTextGivesDefaults) {
  for (const char* text : {"", "\n\n", "# only a comment\n", "---\n", "~\n"}) {
    SCOPED_TRACE(text);
    const Config c = Valid(text);
    ExpectDefaults(c);
    EXPECT_EQ(c.source_path, "<string>");
  }
}

TEST(ConfigLoad, EmptySectionsKeepDefaults) {
  const Config c = Valid("server:\nstorage:\nauth:\n  projects:\nkpis:\n");
  ExpectDefaults(c);
}

TEST(ConfigLoad, FullConfiguration) {
  const Config c = Valid(R"(
server:
  listen_host: 0.0.0.0
  listen_port: 9090
  data_dir: /var/lib/yardstick
  threads: 16
  limits: {max_body_bytes: 1000, max_record_bytes: 200, max_attributes: 7}
  log_format: text
  log_level: debug
storage:
  backend: clickhouse
  sqlite: {path: /tmp/y.db, synchronous: normal}
  clickhouse:
    endpoints: [http://ch1:8123, "https://ch2:8443"]
    database: metrics_db
    user_env: CH_USER
    password_env: CH_PASSWORD
    cluster: main
  retention: {raw_days: 7, minute_rollup_days: 2, hour_rollup_days: 90, day_rollup_days: 1000}
auth:
  admin_key_env: ADMIN_KEY
  projects:
    - {name: web, key_env: WEB_KEY}
    - {name: batch.jobs-2, key_env: BATCH_KEY}
redaction:
  enabled: false
  email: false
  phone: true
  card: false
  ip: False
  secret: TRUE
  national_id: false
  patterns:
    - {name: ticket, regex: 'T-\d+', replacement: '<ticket>'}
    - {name: badge, regex: 'B[0-9]{4}'}
pricing:
  table_file: /etc/prices.json
  overrides:
    - {project: web, match: '^gpt-4o$', input: 2.5e-6, output: 0.00001}
    - {match: 'x', cache_read: 0, cache_creation: 1e-7, reasoning: +3.5E-6}
)");
  EXPECT_EQ(c.server.listen_host, "0.0.0.0");
  EXPECT_EQ(c.server.listen_port, 9090);
  EXPECT_EQ(c.server.data_dir, "/var/lib/yardstick");
  EXPECT_EQ(c.server.threads, 16);
  EXPECT_EQ(c.server.limits.max_body_bytes, 1000u);
  EXPECT_EQ(c.server.limits.max_record_bytes, 200u);
  EXPECT_EQ(c.server.limits.max_attributes, 7u);
  EXPECT_EQ(c.server.log_format, "text");
  EXPECT_EQ(c.server.log_level, "debug");
  EXPECT_EQ(c.storage.backend, "clickhouse");
  EXPECT_EQ(c.storage.sqlite.path, "/tmp/y.db");
  EXPECT_EQ(c.storage.sqlite.synchronous, "normal");
  EXPECT_EQ(c.storage.clickhouse.endpoints,
            (std::vector<std::string>{"http://ch1:8123", "https://ch2:8443"}));
  EXPECT_EQ(c.storage.clickhouse.database, "metrics_db");
  EXPECT_EQ(c.storage.clickhouse.user_env, "CH_USER");
  EXPECT_EQ(c.storage.clickhouse.password_env, "CH_PASSWORD");
  EXPECT_EQ(c.storage.clickhouse.cluster, "main");
  EXPECT_EQ(c.storage.retention.raw_days, 7);
  EXPECT_EQ(c.storage.retention.minute_rollup_days, 2);
  EXPECT_EQ(c.storage.retention.hour_rollup_days, 90);
  EXPECT_EQ(c.storage.retention.day_rollup_days, 1000);
  EXPECT_EQ(c.auth.admin_key_env, "ADMIN_KEY");
  ASSERT_EQ(c.auth.projects.size(), 2u);
  EXPECT_EQ(c.auth.projects[0].name, "web");
  EXPECT_EQ(c.auth.projects[0].key_env, "WEB_KEY");
  EXPECT_EQ(c.auth.projects[1].name, "batch.jobs-2");
  EXPECT_EQ(c.auth.projects[1].key_env, "BATCH_KEY");
  EXPECT_FALSE(c.redaction.enabled);
  EXPECT_FALSE(c.redaction.email);
  EXPECT_TRUE(c.redaction.phone);
  EXPECT_FALSE(c.redaction.card);
  EXPECT_FALSE(c.redaction.ip);
  EXPECT_TRUE(c.redaction.secret);
  EXPECT_FALSE(c.redaction.national_id);
  ASSERT_EQ(c.redaction.patterns.size(), 2u);
  EXPECT_EQ(c.redaction.patterns[0].name, "ticket");
  EXPECT_EQ(c.redaction.patterns[0].regex, "T-\\d+");
  EXPECT_EQ(c.redaction.patterns[0].replacement, "<ticket>");
  EXPECT_EQ(c.redaction.patterns[1].replacement, "");
  EXPECT_EQ(c.pricing.table_file, "/etc/prices.json");
  ASSERT_EQ(c.pricing.overrides.size(), 2u);
  const auto& o0 = c.pricing.overrides[0];
  EXPECT_EQ(o0.project, "web");
  EXPECT_EQ(o0.match, "^gpt-4o$");
  EXPECT_EQ(o0.input, 2.5e-6);
  EXPECT_EQ(o0.output, 1e-5);
  EXPECT_FALSE(o0.cache_read.has_value());
  EXPECT_FALSE(o0.reasoning.has_value());
  const auto& o1 = c.pricing.overrides[1];
  EXPECT_EQ(o1.project, "");
  EXPECT_FALSE(o1.input.has_value());
  EXPECT_EQ(o1.cache_read, 0.0);
  EXPECT_EQ(o1.cache_creation, 1e-7);
  EXPECT_EQ(o1.reasoning, 3.5e-6);
}

TEST(ConfigLoad, ListenShorthandSetsHostAndPort) {
  Config c = Valid("server: {listen: 127.0.0.1:8080}");
  EXPECT_EQ(c.server.listen_host, "127.0.0.1");
  EXPECT_EQ(c.server.listen_port, 8080);
  c = Valid("server:\n  listen: 0.0.0.0:1\n");
  EXPECT_EQ(c.server.listen_host, "0.0.0.0");
  EXPECT_EQ(c.server.listen_port, 1);
  c = Valid("server:\n  listen: \"[::1]:65535\"\n");
  EXPECT_EQ(c.server.listen_host, "::1");
  EXPECT_EQ(c.server.listen_port, 65535);
  c = Valid("server:\n  listen: metrics.internal:443\n");
  EXPECT_EQ(c.server.listen_host, "metrics.internal");
  EXPECT_EQ(c.server.listen_port, 443);
  c = Valid("server:\n  listen_host: \"::\"\n  listen_port: 80\n");
  EXPECT_EQ(c.server.listen_host, "::");
  EXPECT_EQ(c.server.listen_port, 80);
}

TEST(ConfigLoad, StringsKeepTheirSpelling) {
  // Plain scalars that look like numbers stay as written in string fields and filters.
  const Config c = Valid(R"(
auth:
  projects: [{name: 007, key_env: K}]
kpis:
  - {name: r, type: count, source: calls, filter: {release: 1.10, prompt_version: 02}}
)");
  EXPECT_EQ(c.auth.projects.at(0).name, "007");
  EXPECT_EQ(c.kpis.at(0).filter, (Filter{{"release", "1.10"}, {"prompt_version", "02"}}));
}

TEST(ConfigLoad, Dashboard) {
  const Config off = Valid("server: {dashboard: {enabled: false}}\n");
  EXPECT_FALSE(off.server.dashboard.enabled);
  auto dir = LoadString("server: {dashboard: {dir: web/dist}}\n", "/etc/yardstick/y.yaml");
  ASSERT_TRUE(dir.has_value()) << dir.error().message();
  EXPECT_TRUE(dir->server.dashboard.enabled);
  EXPECT_EQ(dir->server.dashboard.dir, "/etc/yardstick/web/dist");
  auto bad = LoadString("server:\n  dashboard: {enabled: yes, dri: x}\n", "y.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("server.dashboard.enabled"), std::string::npos)
      << bad.error().message();
  EXPECT_NE(bad.error().message().find("unknown key \"dri\" in server.dashboard"),
            std::string::npos)
      << bad.error().message();
}

TEST(ConfigLoad, RelativePathsResolveAgainstTheFilesDirectory) {
  const Config c = Valid(R"(
server: {data_dir: data}
storage: {sqlite: {path: ../db/y.db}}
pricing: {table_file: ./prices.json}
)");
  // "<string>" has no directory: paths stay as written.
  EXPECT_EQ(c.server.data_dir, "data");
  EXPECT_EQ(c.storage.sqlite.path, "../db/y.db");
  EXPECT_EQ(c.pricing.table_file, "./prices.json");

  auto named = LoadString(R"(
server: {data_dir: data}
storage: {sqlite: {path: ../db/y.db}}
pricing: {table_file: ./prices.json}
)",
                          "/etc/yardstick/yardstick.yaml");
  ASSERT_TRUE(named.has_value()) << named.error().message();
  EXPECT_EQ(named->server.data_dir, "/etc/yardstick/data");
  EXPECT_EQ(named->storage.sqlite.path, "/etc/db/y.db");
  EXPECT_EQ(named->pricing.table_file, "/etc/yardstick/prices.json");
  EXPECT_EQ(named->source_path, "/etc/yardstick/yardstick.yaml");

  auto relative = LoadString("server: {data_dir: ./d}\n", "conf/y.yaml");
  ASSERT_TRUE(relative.has_value());
  EXPECT_EQ(relative->server.data_dir, "conf/d");

  // Absolute paths and SQLite's :memory: are kept; defaults not written in the file are kept.
  auto kept = LoadString("storage: {sqlite: {path: ':memory:'}}\npricing: {table_file: /p.json}\n",
                         "/etc/yardstick/yardstick.yaml");
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->storage.sqlite.path, ":memory:");
  EXPECT_EQ(kept->pricing.table_file, "/p.json");
  EXPECT_EQ(kept->server.data_dir, "./yardstick-data");
}

TEST(ConfigLoadFile, ResolvesAgainstTheFilesDirectory) {
  TempDir dir;
  const std::string file = dir.Write("conf/yardstick.yaml", "server:\n  data_dir: ../data\n");
  auto c = LoadFile(file);
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->server.data_dir, (dir.path() / "data").string());
  EXPECT_EQ(c->source_path, file);
}

TEST(ConfigLoadFile, EmptyFileGivesDefaults) {
  TempDir dir;
  const std::string file = dir.Write("empty.yaml", "");
  auto c = LoadFile(file);
  ASSERT_TRUE(c.has_value());
  ExpectDefaults(*c);
  EXPECT_EQ(c->source_path, file);
}

TEST(ConfigLoadFile, ErrorsNameTheFile) {
  TempDir dir;
  const std::string file = dir.Write("bad.yaml", "server:\n  threads: 0\n");
  auto c = LoadFile(file);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(c.error().message(),
            file + ":2:12: server.threads: expected an integer from 1 to 256, got 0");
}

TEST(ConfigLoadFile, MissingFileAndDirectory) {
  TempDir dir;
  const std::string missing = (dir.path() / "nope.yaml").string();
  auto c = LoadFile(missing);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(c.error().message(), missing + ": cannot open: No such file or directory");

  auto d = LoadFile(dir.path().string());
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().code(), ErrorCode::kIo);
  EXPECT_EQ(d.error().message(), dir.path().string() + ": is a directory, expected a YAML file");

  auto issues = ParseFile(missing);
  ASSERT_FALSE(issues.has_value());
  ASSERT_EQ(issues.error().size(), 1u);
  EXPECT_EQ(issues.error()[0].line, 0);
  EXPECT_EQ(issues.error()[0].column, 0);
}

TEST(ConfigExample, ShippedExampleIsValid) {
  const std::string path = std::string(YARDSTICK_EXAMPLES_DIR) + "/yardstick.yaml";
  LoadOptions options;
  options.builtin_kpi_names = kpi::BuiltinNames();
  ASSERT_FALSE(options.builtin_kpi_names.empty());
  auto c = LoadFile(path, options);
  ASSERT_TRUE(c.has_value()) << c.error().message();
  const std::string dir = std::string(YARDSTICK_EXAMPLES_DIR);
  EXPECT_EQ(c->server.listen_host, "127.0.0.1");
  EXPECT_EQ(c->server.listen_port, 8080);
  EXPECT_EQ(c->server.data_dir, dir + "/yardstick-data");
  EXPECT_EQ(c->storage.sqlite.path, dir + "/yardstick-data/yardstick.db");
  EXPECT_EQ(c->auth.projects.size(), 2u);
  EXPECT_EQ(c->redaction.patterns.size(), 2u);
  EXPECT_EQ(c->pricing.overrides.size(), 2u);
  ASSERT_EQ(c->kpis.size(), 6u);
  EXPECT_EQ(c->kpis[0].name, "answer_accept_rate");
  EXPECT_EQ(c->kpis[0].type, "ratio");
  EXPECT_EQ(c->kpis[0].numerator.source, "outcomes");
  EXPECT_EQ(c->kpis[0].denominator.filter, (Filter{{"operation", "chat"}, {"route", "/answer"}}));
  EXPECT_EQ(c->kpis[1].quantile, 0.95);
  EXPECT_TRUE(Validate(*c, options.builtin_kpi_names).has_value());
}

TEST(ConfigExample, DocumentationExampleIsValid) {
  std::ifstream in(std::string(YARDSTICK_DOCS_DIR) + "/configuration.md");
  ASSERT_TRUE(in) << "docs/configuration.md";
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const size_t start = doc.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  const size_t end = doc.find("```", start + 8);
  ASSERT_NE(end, std::string::npos);
  LoadOptions options;
  options.builtin_kpi_names = kpi::BuiltinNames();
  auto c = LoadString(doc.substr(start + 8, end - start - 8), "docs.yaml", options);
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->kpis.size(), 3u);
  EXPECT_EQ(c->auth.projects.size(), 2u);
}

TEST(ConfigValidate, RejectsBuiltinKpiNamesAtTheirDefinition) {
  const Config c = Valid(
      "kpis:\n  - name: mine\n    type: count\n    source: calls\n"
      "  - name: error_rate\n    type: count\n    source: calls\n");
  const std::vector<std::string> builtin = {"calls", "error_rate"};
  auto r = Validate(c, builtin);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(),
            "<string>:5:5: kpis[1].name: \"error_rate\" is the name of a built-in KPI; choose "
            "another name");
  EXPECT_TRUE(Validate(c, std::vector<std::string>{"calls"}).has_value());
}

TEST(ConfigFormat, FormatsIssuesOnePerLine) {
  const std::vector<Issue> issues = {{3, 5, "a"}, {0, 0, "b"}};
  EXPECT_EQ(FormatIssues("f.yaml", issues), "f.yaml:3:5: a\nf.yaml: b");
  EXPECT_EQ(FormatIssues("f.yaml", {}), "");
}

}  // namespace
}  // namespace yardstick::config
