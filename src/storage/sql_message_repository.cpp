#include "storage/sql_message_repository.hpp"

#include "storage/rows.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <tuple>

namespace modu::storage {
namespace {

// SQLite: IMMEDIATE takes the write lock at the start, so the transaction never has to
// upgrade (which can fail at once in WAL mode) and other writers wait on the busy timeout.
constexpr std::string_view kBeginSqlite = "BEGIN IMMEDIATE";
constexpr std::string_view kBeginMysql = "START TRANSACTION";
// MySQL: the row lock serializes writers to a room across every instance.
constexpr std::string_view kLastSeqMysql = "SELECT last_seq FROM rooms WHERE id = :room FOR UPDATE";
constexpr std::string_view kLastSeqSqlite = "SELECT last_seq FROM rooms WHERE id = :room";
constexpr std::string_view kFindByClientId =
    "SELECT id, seq, type, body, created_at FROM messages "
    "WHERE room_id = :room AND sender_id = :sender AND client_msg_id = :client";
constexpr std::string_view kInsert =
    "INSERT INTO messages (room_id, seq, sender_id, type, body, client_msg_id, created_at) "
    "VALUES (:room, :seq, :sender, :type, :body, :client, :at)";
constexpr std::string_view kAdvanceRoom = "UPDATE rooms SET last_seq = :seq, last_activity_at = :at WHERE id = :room";

constexpr int kAttempts = 3;

chat::MessageType type_from(const std::string& name) {
  if (name == "image") return chat::MessageType::image;
  if (name == "file") return chat::MessageType::file;
  if (name == "system") return chat::MessageType::system;
  return chat::MessageType::text;
}

}  // namespace

std::vector<Result<chat::Message>> SqlMessageRepository::append_batch(const std::vector<chat::NewMessage>& messages,
                                                                      chat::TimePoint at) {
  // The transaction is all or nothing, so a batch that lost a deadlock (MySQL) or a
  // busy timeout (SQLite) can simply run again.
  for (int attempt = 1;; ++attempt) {
    try {
      return append_once(messages, at);
    } catch (const soci::soci_error& e) {
      if (attempt == kAttempts) throw;
      spdlog::warn("storing {} messages, attempt {} failed, retrying: {}", messages.size(), attempt, e.what());
    }
  }
}

std::vector<Result<chat::Message>> SqlMessageRepository::append_once(const std::vector<chat::NewMessage>& messages,
                                                                     chat::TimePoint at) {
  soci::session sql(database_.pool());
  const bool sqlite = database_.dialect() == Dialect::sqlite;
  sql << (sqlite ? kBeginSqlite : kBeginMysql);
  try {
    // Lock and read every room of the batch, in id order (two writers taking the same
    // rooms in the same order cannot deadlock on each other).
    std::map<long long, std::optional<long long>> last_seq;
    for (const auto& message : messages) last_seq.emplace(message.room.value(), std::nullopt);
    for (auto& [room, seq] : last_seq) {
      long long value = 0;
      soci::indicator found = soci::i_null;
      sql << (sqlite ? kLastSeqSqlite : kLastSeqMysql), soci::use(room), soci::into(value, found);
      if (sql.got_data()) seq = value;
    }

    const long long when = to_millis(at);
    std::vector<Result<chat::Message>> results;
    results.reserve(messages.size());
    std::map<std::tuple<long long, long long, std::string>, std::size_t> first_with_client_id;
    std::map<long long, long long> advanced;  // room -> new last seq
    for (const auto& message : messages) {
      auto& room_seq = last_seq[message.room.value()];
      if (!room_seq) {
        results.emplace_back(Error::not_found("no such room"));
        continue;
      }
      const bool idempotent = message.client_msg_id && message.sender;
      std::tuple<long long, long long, std::string> key;
      if (idempotent) {
        key = {message.room.value(), message.sender->value(), *message.client_msg_id};
        if (auto earlier = first_with_client_id.find(key); earlier != first_with_client_id.end()) {
          results.push_back(results[earlier->second]);
          continue;
        }
        const long long room = message.room.value();
        const long long sender = message.sender->value();
        soci::rowset<soci::row> rows =
            (sql.prepare << kFindByClientId, soci::use(room), soci::use(sender), soci::use(*message.client_msg_id));
        std::optional<chat::Message> stored;
        for (const auto& row : rows) {
          RowReader reader(row);
          stored = chat::Message{MessageId(reader.integer()), message.room,  reader.integer(),      message.sender,
                                 type_from(reader.text()),    reader.text(), message.client_msg_id, reader.time()};
        }
        if (stored) {
          first_with_client_id.emplace(key, results.size());
          results.emplace_back(std::move(*stored));
          continue;
        }
      }

      const long long room = message.room.value();
      const long long seq = ++*room_seq;
      const long long sender = message.sender ? message.sender->value() : 0;
      soci::indicator sender_indicator = message.sender ? soci::i_ok : soci::i_null;
      const std::string type(chat::type_name(message.type));
      NullableText client(message.client_msg_id);
      sql << kInsert, soci::use(room), soci::use(seq), soci::use(sender, sender_indicator), soci::use(type),
          soci::use(message.body), soci::use(client.value, client.indicator), soci::use(when);
      long long id = 0;
      if (!sql.get_last_insert_id("messages", id)) throw std::runtime_error("no id for the stored message");
      advanced[room] = seq;
      if (idempotent) first_with_client_id.emplace(key, results.size());
      results.emplace_back(chat::Message{MessageId(id), message.room, seq, message.sender, message.type, message.body,
                                         message.client_msg_id, at});
    }
    for (auto& [room, seq] : advanced) {
      long long room_id = room;
      long long last = seq;
      sql << kAdvanceRoom, soci::use(last), soci::use(when), soci::use(room_id);
    }
    sql << "COMMIT";
    return results;
  } catch (...) {
    try {
      sql << "ROLLBACK";
    } catch (...) {
    }
    throw;
  }
}

}  // namespace modu::storage
