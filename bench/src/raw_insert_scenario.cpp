// `modu bench raw-insert`: the ceiling to hold `bench send` against. A plain loop inserts
// the rows a send stores straight into the database, in batched transactions, opened
// and set up exactly as the server opens it (same Database class, same pragmas, same
// schema), with no HTTP, no JSON, no membership checks and no idempotency look-ups.
//
// With `--senders S` the rows are the ones S concurrent `bench send` senders store: each
// sender writes to one room as one of its members, with clientMsgIds of its own, and the
// senders take turns. That is what the (room, sender, clientMsgId) unique index sees from
// the server, and it costs more than one sender's ids in a row: the S senders' ids land
// on S different leaves of it (docs/BENCHMARKS.md, 2026-11-30 16:06).
#include "scenario.hpp"
#include "stats.hpp"

#include "app/config.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/rows.hpp"
#include "storage/write_transaction.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <filesystem>
#include <iostream>

namespace modu::bench {
namespace {

using Clock = std::chrono::steady_clock;

// The same columns the server writes for a message (storage/sql_message_repository.cpp).
constexpr std::string_view kInsertMessage =
    "INSERT INTO messages (room_id, seq, sender_id, type, body, client_msg_id, created_at) "
    "VALUES (:room, :seq, :sender, :type, :body, :client, :at)";
constexpr std::string_view kAdvanceRoom = "UPDATE rooms SET last_seq = :seq, last_activity_at = :at WHERE id = :room";
constexpr std::string_view kInsertMember =
    "INSERT INTO members (email, password_hash, nickname, created_at, updated_at) "
    "VALUES (:email, :hash, :nickname, :created, :updated)";
constexpr std::string_view kInsertRoom =
    "INSERT INTO rooms (kind, name, last_activity_at, created_at) VALUES ('group', :name, :active, :created)";
constexpr std::string_view kInsertRoomMember =
    "INSERT INTO room_members (room_id, member_id, role, joined_at) VALUES (:room, :member, :role, :at)";
constexpr std::string_view kCountInRoom = "SELECT COUNT(*) FROM messages WHERE room_id = :room";

struct RawInsertOptions {
  std::string data_dir;
  std::string profile = "dev";
  std::size_t messages = 100000;
  std::size_t batch = 512;
  std::size_t rooms = 8;
  std::size_t room_size = 4;  ///< as `bench send`'s rooms
  std::size_t senders = 1;
  bool json = false;
};

long long now_millis() { return storage::to_millis(std::chrono::system_clock::now()); }

long long last_insert_id(soci::session& sql, const char* table) {
  long long id = 0;
  if (!sql.get_last_insert_id(table, id)) throw std::runtime_error(fmt::format("no id for the new {} row", table));
  return id;
}

/// K members who share R group rooms: what the messages refer to.
struct Authors {
  std::vector<long long> members;
  std::vector<long long> rooms;
};

Authors create_rooms(storage::Database& database, std::size_t rooms, std::size_t room_size) {
  soci::session sql(database.pool());
  storage::WriteTransaction transaction(sql, database.dialect());
  const long long at = now_millis();
  Authors authors;
  const std::string no_password = "-";  // nobody logs in as these members
  for (std::size_t k = 0; k < room_size; ++k) {
    const std::string email = fmt::format("raw-insert-{}-{}@example.com", at, k);
    const std::string nickname = fmt::format("raw insert {}", k);
    sql << kInsertMember, soci::use(email), soci::use(no_password), soci::use(nickname), soci::use(at), soci::use(at);
    authors.members.push_back(last_insert_id(sql, "members"));
  }
  for (std::size_t r = 0; r < rooms; ++r) {
    const std::string name = fmt::format("raw insert {}", r);
    sql << kInsertRoom, soci::use(name), soci::use(at), soci::use(at);
    authors.rooms.push_back(last_insert_id(sql, "rooms"));
    for (std::size_t k = 0; k < room_size; ++k) {
      const std::string role = k == 0 ? "owner" : "member";
      sql << kInsertRoomMember, soci::use(authors.rooms.back()), soci::use(authors.members[k]), soci::use(role),
          soci::use(at);
    }
  }
  transaction.commit();
  return authors;
}

struct InsertResult {
  std::chrono::duration<double> elapsed{};
  std::size_t transactions = 0;
  LatencySamples transaction_time;  ///< BEGIN .. COMMIT returned
};

/// Message i is sender s = i mod S's next one, to room i mod R (as `bench send` places
/// sender s: S is a multiple of R there) with that room's next seq, written by the room's
/// member (s / R) mod K. Each transaction inserts up to `batch` rows with one prepared
/// statement and moves each room it touched once.
InsertResult insert_messages(storage::Database& database, const Authors& authors, const RawInsertOptions& options) {
  soci::session sql(database.pool());
  // SOCI binds these by reference: the statements read them at each execute().
  long long room = 0, seq = 0, sender = 0, at = 0;
  std::string type = "text", body(kBenchMessageText), client;
  soci::statement insert = (sql.prepare << kInsertMessage, soci::use(room), soci::use(seq), soci::use(sender),
                            soci::use(type), soci::use(body), soci::use(client), soci::use(at));
  long long last_seq = 0, advanced_room = 0;
  soci::statement advance = (sql.prepare << kAdvanceRoom, soci::use(last_seq), soci::use(at), soci::use(advanced_room));

  const std::size_t room_count = authors.rooms.size();
  std::vector<long long> seqs(room_count, 0);
  std::vector<std::size_t> sent(options.senders, 0);
  InsertResult result;
  const auto start = Clock::now();
  for (std::size_t done = 0; done < options.messages;) {
    const std::size_t rows = std::min(options.batch, options.messages - done);
    const auto began = Clock::now();
    at = now_millis();
    storage::WriteTransaction transaction(sql, database.dialect());
    for (std::size_t i = done; i < done + rows; ++i) {
      const std::size_t r = i % room_count;
      const std::size_t s = i % options.senders;
      room = authors.rooms[r];
      seq = ++seqs[r];
      sender = authors.members[(s / room_count) % authors.members.size()];
      client = fmt::format("raw-{}-{}", s, sent[s]++);
      insert.execute(true);
    }
    for (std::size_t r = 0; r < std::min(rows, room_count); ++r) {
      const std::size_t touched = (done + r) % room_count;
      advanced_room = authors.rooms[touched];
      last_seq = seqs[touched];
      advance.execute(true);
    }
    transaction.commit();
    result.transaction_time.add(Clock::now() - began);
    ++result.transactions;
    done += rows;
  }
  result.elapsed = Clock::now() - start;
  return result;
}

class RawInsertScenario final : public Scenario {
 public:
  std::string_view name() const override { return "raw-insert"; }
  std::string_view description() const override {
    return "the ceiling: message rows inserted straight into the server's database, B to a transaction";
  }

  void add_options(CLI::App& command) override {
    command.add_option("--data-dir", options_.data_dir, "a fresh folder for the SQLite database")->required();
    command.add_option("--profile", options_.profile, "config profile whose storage settings to use")
        ->capture_default_str()
        ->check(CLI::IsMember({"test", "dev", "prod"}));
    command.add_option("--messages", options_.messages, "rows to insert")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000000));
    command.add_option("--batch", options_.batch, "rows per transaction")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    command.add_option("--rooms", options_.rooms, "rooms the rows are spread over")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    command.add_option("--room-size", options_.room_size, "members of each room; they take turns writing")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    command
        .add_option("--senders", options_.senders,
                    "senders taking turns, each with its own clientMsgIds (as `bench send --senders`)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    command.add_flag("--json", options_.json, "print one JSON line of results on stdout (the summary goes to stderr)");
  }

  int run() override {
    auto config = load();
    auto& out = options_.json ? std::cerr : std::cout;
    storage::Database database(config.storage);
    storage::migrate(database);
    out << fmt::format(
        "modu bench raw-insert: {} messages from {} senders into {} rooms of {}, {} a transaction, {} (profile {})\n",
        with_commas(options_.messages), options_.senders, options_.rooms, options_.room_size, options_.batch,
        database.display_url(), config.profile);

    const auto authors = create_rooms(database, options_.rooms, options_.room_size);
    auto result = insert_messages(database, authors, options_);
    long long stored = 0;
    {
      soci::session sql(database.pool());
      for (const long long room : authors.rooms) {
        long long in_room = 0;
        sql << kCountInRoom, soci::use(room), soci::into(in_room);
        stored += in_room;
      }
    }
    const bool ok = static_cast<std::size_t>(stored) == options_.messages;
    print_summary(out, result, stored);
    if (options_.json) std::cout << json_line(database, result, stored) << std::endl;
    return ok ? kExitOk : kExitFailed;
  }

 private:
  void print_summary(std::ostream& out, InsertResult& result, long long stored) const {
    const double seconds = result.elapsed.count();
    auto& times = result.transaction_time;
    out << fmt::format("  {} rows in {} transactions in {:.2f} s = {} rows/s, {:.1f} commits/s\n",
                       with_commas(options_.messages), result.transactions, seconds,
                       with_commas(std::llround(static_cast<double>(options_.messages) / seconds)),
                       static_cast<double>(result.transactions) / seconds);
    out << fmt::format("  transaction (BEGIN .. COMMIT): p50 {}, p99 {}, max {}\n", format_ms(times.percentile(0.5)),
                       format_ms(times.percentile(0.99)), format_ms(times.max()));
    out << fmt::format("check: {} rows stored{}\n", with_commas(stored),
                       stored == static_cast<long long>(options_.messages)
                           ? ""
                           : fmt::format(", FAILED: expected {}", options_.messages));
  }

  std::string json_line(const storage::Database& database, InsertResult& result, long long stored) const {
    const double seconds = result.elapsed.count();
    auto& times = result.transaction_time;
    return boost::json::serialize(
        boost::json::object{{"scenario", "raw-insert"},
                            {"database", database.display_url()},
                            {"messages", options_.messages},
                            {"batch", options_.batch},
                            {"rooms", options_.rooms},
                            {"roomSize", options_.room_size},
                            {"senders", options_.senders},
                            {"milliseconds", std::llround(seconds * 1000)},
                            {"rowsPerSecond", std::llround(static_cast<double>(options_.messages) / seconds)},
                            {"transactions", result.transactions},
                            {"transactionUs",
                             {{"p50", times.percentile(0.5).count()},
                              {"p99", times.percentile(0.99).count()},
                              {"max", times.max().count()}}},
                            {"stored", stored},
                            {"ok", stored == static_cast<long long>(options_.messages)}});
  }

  /// The server's own settings for this profile and environment, pointed at --data-dir.
  /// MODU_STORAGE_DATABASE_URL is honoured as the server honours it (raw-insert on MySQL).
  Config load() {
    ConfigSources sources;
    sources.profile = options_.profile;
    sources.environment = process_environment();
    sources.flags["storage.dataDir"] = options_.data_dir;
    Config config;
    try {
      config = load_config(sources);
    } catch (const ConfigError& e) {
      throw UsageError(std::string("configuration: ") + e.what());
    }
    // It adds rooms and messages to whatever database it opens: never someone's data.
    const auto& url = config.storage.database_url;
    if (url.starts_with("sqlite:") && std::filesystem::exists(url.substr(7))) {
      throw UsageError(fmt::format("{} exists already: give --data-dir a fresh folder", url.substr(7)));
    }
    return config;
  }

  RawInsertOptions options_;
};

}  // namespace

std::unique_ptr<Scenario> make_raw_insert_scenario() { return std::make_unique<RawInsertScenario>(); }

}  // namespace modu::bench
