#include "cli/replay_command.h"

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "ingest/replay.h"

namespace yardstick::cli {
namespace {

struct ReplayArgs {
  std::string input;  // file, "-" for stdin, or empty with --generate
  ingest::ReplayOptions options;
  std::string format = "text";
  size_t generate = 0;
  bool generate_given = false;
  double span_days = 7;
  uint64_t seed = 1;
  std::string project;
  std::string output;
};

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Usage(const std::string& message) {
  std::cerr << "yardstick replay: " << message << "\n";
  return 2;
}

int WriteGenerated(ingest::CallGenerator& generator, const ReplayArgs& args) {
  std::ofstream file;
  if (args.output != "-") {
    file.open(args.output, std::ios::binary | std::ios::trunc);
    if (!file) return Usage("cannot write '" + args.output + "'");
  }
  std::ostream& out = args.output == "-" ? std::cout : file;
  std::string line;
  while (generator.Next(line)) {
    out << line << '\n';
  }
  out.flush();
  if (!out) {
    std::cerr << "yardstick replay: writing '" << args.output << "' failed\n";
    return 1;
  }
  if (args.output != "-") {
    std::cerr << "wrote " << args.generate << " call records to " << args.output << "\n";
  }
  return 0;
}

int RunReplay(ReplayArgs args) {
  if (args.generate_given == !args.input.empty()) {
    return Usage("give an NDJSON file (or - for standard input), or --generate N");
  }
  if (!args.output.empty() && !args.generate_given) {
    return Usage("--output goes with --generate (it writes the generated records)");
  }
  if (args.format != "text" && args.format != "json") {
    return Usage("--format must be text or json");
  }
  std::unique_ptr<ingest::CallGenerator> generator;
  if (args.generate_given) {
    ingest::GenerateOptions gen;
    gen.seed = args.seed;
    gen.span_days = args.span_days;
    gen.end_ns = NowNanos();
    gen.project = args.project;
    generator = std::make_unique<ingest::CallGenerator>(gen, args.generate);
    if (!args.output.empty()) return WriteGenerated(*generator, args);
  }

  const char* key = std::getenv("YARDSTICK_API_KEY");
  if (key == nullptr || *key == '\0') {
    return Usage("set the API key in the environment variable YARDSTICK_API_KEY");
  }
  args.options.api_key = key;

  std::ifstream file;
  ingest::LineSource source;
  if (generator) {
    source = generator->AsSource();
  } else if (args.input == "-") {
    source = [](std::string& line) { return static_cast<bool>(std::getline(std::cin, line)); };
  } else {
    file.open(args.input, std::ios::binary);
    if (!file) return Usage("cannot read '" + args.input + "'");
    source = [&file](std::string& line) { return static_cast<bool>(std::getline(file, line)); };
  }

  signal(SIGPIPE, SIG_IGN);  // a server closing a connection is an error value, not a signal
  auto report = ingest::Replay(source, args.options);
  if (!report) return Usage(report.error().message());
  if (!generator && file.bad()) {
    std::cerr << "yardstick replay: reading '" << args.input << "' failed\n";
    return 1;
  }
  std::cout << (args.format == "json" ? ingest::FormatReplayReportJson(*report)
                                      : ingest::FormatReplayReportText(*report));
  return report->batches_failed > 0 || report->aborted ? 1 : 0;
}

}  // namespace

void AddReplayCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Send NDJSON events to a server (or generate synthetic calls) and measure it");
  cmd->add_option("input", args->input, "NDJSON file of event records, or - for standard input");
  cmd->add_option("--url", args->options.url, "server base URL")->capture_default_str();
  cmd->add_option("--batch", args->options.batch, "records per request")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--concurrency", args->options.concurrency, "concurrent connections")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--rate", args->options.rate, "at most this many records/s (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--gzip", args->options.gzip, "compress request bodies (Content-Encoding: gzip)");
  cmd->add_option("--retries", args->options.max_retries,
                  "retries of a batch answered 429/503 or not answered")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  cmd->add_option("--timeout", args->options.timeout_s, "seconds per request")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--format", args->format, "report format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option_function<size_t>(
         "--generate",
         [args](const size_t& n) {
           args->generate = n;
           args->generate_given = true;
         },
         "synthesize N call records instead of reading a file")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--span-days", args->span_days, "generated times cover the last D days")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of the generator (same seed, same records and ids)")
      ->capture_default_str();
  cmd->add_option("--project", args->project, "project written into generated records");
  cmd->add_option("--output", args->output,
                  "with --generate: write the records as NDJSON to this file (- for standard "
                  "output) instead of sending them");
  cmd->callback([args, exit_code] { *exit_code = RunReplay(*args); });
}

}  // namespace yardstick::cli
