#include "obs/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <chrono>
#include <cstdio>
#include <mutex>

namespace modu::obs {
namespace {

/// One JSON object a line. spdlog's pattern formatter cannot escape the message, so
/// this small formatter does; `fields_are_json` marks loggers whose messages are
/// already a list of JSON members (the access log) and are spliced in as they are.
class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(bool fields_are_json) : fields_are_json_(fields_are_json) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& out) override {
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    const std::time_t seconds = millis / 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[32];
    const auto length = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    fmt::format_to(std::back_inserter(out), R"({{"ts":"{}.{:03d}Z","level":"{}","logger":"{}",)",
                   std::string_view(stamp, length), static_cast<int>(millis % 1000),
                   spdlog::level::to_string_view(msg.level), msg.logger_name);
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    if (fields_are_json_) {
      out.append(payload.data(), payload.data() + payload.size());
    } else {
      out.append(std::string_view(R"("msg":)"));
      const auto quoted = boost::json::serialize(boost::json::string(payload));
      out.append(quoted.data(), quoted.data() + quoted.size());
    }
    out.append(std::string_view("}\n"));
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(fields_are_json_);
  }

 private:
  bool fields_are_json_;
};

/// stdout through its stdio buffer. spdlog's stdout sinks flush after every line: a
/// system call per request for the access log. This one flushes when its logger says
/// (warnings and worse, and every line of the main logger), every second, and at exit.
class BufferedStdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

std::shared_ptr<spdlog::logger> g_access;

}  // namespace

void init_logging(const LogConfig& config) {
  // A sink each: a sink holds its formatter, and the two loggers format differently.
  // Both write whole lines through stdout's one stdio lock, so lines never interleave.
  auto main = std::make_shared<spdlog::logger>("modu", std::make_shared<BufferedStdoutSink>());
  main->set_level(spdlog::level::from_str(config.level));
  main->flush_on(spdlog::level::info);

  std::shared_ptr<spdlog::logger> access;
  if (config.access_log) {
    access = std::make_shared<spdlog::logger>("access", std::make_shared<BufferedStdoutSink>());
    access->set_level(spdlog::level::info);
    access->flush_on(spdlog::level::warn);
  }
  if (config.format == "json") {
    main->set_formatter(std::make_unique<JsonFormatter>(false));
    if (access) access->set_formatter(std::make_unique<JsonFormatter>(true));
  } else {
    main->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    if (access) access->set_pattern("%Y-%m-%d %H:%M:%S.%e access %v");
  }
  spdlog::drop_all();
  spdlog::set_default_logger(main);
  if (access) spdlog::register_logger(access);
  spdlog::flush_every(std::chrono::seconds(1));
  g_access = access;
}

std::shared_ptr<spdlog::logger> access_logger() { return g_access; }

}  // namespace modu::obs
