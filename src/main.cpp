// modu: the messenger server. `modu serve` runs it, `modu migrate` brings the database
// schema up to date, `modu bench` is the load generator (bench/src), `modu version` says
// which build this is.
#include "app/application.hpp"
#include "app/config.hpp"
#include "bench_command.hpp"
#include "obs/logging.hpp"
#include "storage/migrations.hpp"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <iostream>

namespace {

struct Options {
  modu::ConfigSources sources;
  int port = -1;
  std::string data_dir;
};

void add_config_options(CLI::App& command, Options& options) {
  command.add_option("--profile", options.sources.profile, "test, dev or prod (default: $MODU_PROFILE, else dev)");
  command.add_option("--config", options.sources.files, "extra YAML settings file(s), applied in order")
      ->check(CLI::ExistingFile);
  command.add_option("--data-dir", options.data_dir, "folder for the SQLite database and local files (./data)");
}

modu::Config load(Options& options) {
  options.sources.environment = modu::process_environment();
  if (options.port >= 0) options.sources.flags["server.port"] = std::to_string(options.port);
  if (!options.data_dir.empty()) options.sources.flags["storage.dataDir"] = options.data_dir;
  auto config = modu::load_config(options.sources);
  modu::obs::init_logging(config.log);
  for (const auto& warning : config.warnings) spdlog::warn("{}", warning);
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Modu messenger server"};
  cli.require_subcommand(1);
  Options options;

  auto* serve = cli.add_subcommand("serve", "run the server (default: port 8080, SQLite in ./data)");
  add_config_options(*serve, options);
  serve->add_option("--port", options.port, "port to listen on (0: any free port)")->check(CLI::Range(0, 65535));

  auto* migrate = cli.add_subcommand("migrate", "bring the database schema up to date and exit");
  add_config_options(*migrate, options);

  modu::bench::BenchCommand bench(cli);

  cli.add_subcommand("version", "print the version and exit");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; bad command-line input exits 2, as bad configuration does.
    return cli.exit(e) == 0 ? 0 : 2;
  }

  if (cli.got_subcommand("version")) {
    std::cout << "modu " << MODU_VERSION << "\n";
    return 0;
  }
  if (bench.chosen()) return bench.run();
  try {
    auto config = load(options);
    if (cli.got_subcommand("migrate")) {
      modu::storage::Database database(config.storage);
      const auto report = modu::storage::migrate(database);
      spdlog::info("schema of {}: version {} -> {}", database.display_url(), report.from_version, report.to_version);
      return 0;
    }
    modu::app::Application application(std::move(config));
    const int code = application.serve();
    spdlog::shutdown();
    return code;
  } catch (const modu::ConfigError& e) {
    std::cerr << "modu: configuration: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    spdlog::critical("modu: {}", e.what());
    spdlog::shutdown();
    return 1;
  }
}
