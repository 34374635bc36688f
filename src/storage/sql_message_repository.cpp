#include "storage/sql_message_repository.hpp"

#include "storage/rows.hpp"
#include "storage/write_transaction.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace modu::storage {
namespace {

// Read under a write lock (see WriteTransaction): on MySQL the row lock serializes
// writers to a room across every instance.
constexpr std::string_view kLastSeq = "SELECT last_seq FROM rooms WHERE id = :room";
const std::string kFindByClientId = fmt::format(
    "SELECT {} FROM messages m WHERE m.room_id = :room AND m.sender_id = :sender AND m.client_msg_id = :client",
    kMessageColumns);
constexpr std::string_view kInsert =
    "INSERT INTO messages (room_id, seq, sender_id, type, body, client_msg_id, created_at) "
    "VALUES (:room, :seq, :sender, :type, :body, :client, :at)";
constexpr std::string_view kAdvanceRoom = "UPDATE rooms SET last_seq = :seq, last_activity_at = :at WHERE id = :room";
// A sender has read what they sent: their own messages never count as unread to them.
constexpr std::string_view kSenderRead =
    "UPDATE room_members SET read_seq = :seq WHERE room_id = :room AND member_id = :member AND read_seq < :same_seq";

constexpr int kAttempts = 3;

// History pages walk the (room_id, seq) unique index: no offsets, however deep.
const std::string kPageColumns = fmt::format("SELECT {} FROM messages m WHERE m.room_id = :room", kMessageColumns);
constexpr std::string_view kOfType = " AND m.type = :type";
constexpr std::string_view kBefore = " AND m.seq < :before";
constexpr std::string_view kAfter = " AND m.seq > :after";
constexpr std::string_view kNewestFirst = " ORDER BY m.seq DESC LIMIT :limit";
constexpr std::string_view kOldestFirst = " ORDER BY m.seq ASC LIMIT :limit";

}  // namespace

chat::Message read_message(RowReader& row) {
  chat::Message message;
  message.id = MessageId(row.integer());
  message.room = RoomId(row.integer());
  message.seq = row.integer();
  if (auto sender = row.optional_integer()) message.sender = MemberId(*sender);
  message.type = chat::parse_type(row.text()).value_or(chat::MessageType::text);
  message.body = row.text();
  message.client_msg_id = row.optional_text();
  message.created_at = row.time();
  return message;
}

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
  WriteTransaction transaction(sql, database_.dialect());
  const auto last_seq_query = locking(kLastSeq, database_.dialect());
  {
    // Lock and read every room of the batch, in id order (two writers taking the same
    // rooms in the same order cannot deadlock on each other).
    std::map<long long, std::optional<long long>> last_seq;
    for (const auto& message : messages) last_seq.emplace(message.room.value(), std::nullopt);
    for (auto& [room, seq] : last_seq) {
      long long value = 0;
      soci::indicator found = soci::i_null;
      sql << last_seq_query, soci::use(room), soci::into(value, found);
      if (sql.got_data()) seq = value;
    }

    const long long when = to_millis(at);
    std::vector<Result<chat::Message>> results;
    results.reserve(messages.size());
    std::map<std::tuple<long long, long long, std::string>, std::size_t> first_with_client_id;
    std::map<long long, long long> advanced;                    // room -> new last seq
    std::map<std::pair<long long, long long>, long long> sent;  // (room, sender) -> their newest seq
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
          stored = read_message(reader);
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
      if (message.sender) sent[{room, sender}] = seq;
      if (idempotent) first_with_client_id.emplace(key, results.size());
      results.emplace_back(chat::Message{MessageId(id), message.room, seq, message.sender, message.type, message.body,
                                         message.client_msg_id, at});
    }
    for (auto& [room, seq] : advanced) {
      long long room_id = room;
      long long last = seq;
      sql << kAdvanceRoom, soci::use(last), soci::use(when), soci::use(room_id);
    }
    for (auto& [key, seq] : sent) {
      long long room_id = key.first;
      long long member_id = key.second;
      long long read = seq;
      sql << kSenderRead, soci::use(read), soci::use(room_id), soci::use(member_id), soci::use(read);
    }
    transaction.commit();
    return results;
  }
}

std::vector<chat::Message> SqlMessageRepository::page(const PageQuery& query) {
  soci::session sql(database_.pool());
  const long long room = query.room.value();
  const long long limit = static_cast<long long>(query.limit);
  const std::string type = query.only ? std::string(chat::type_name(*query.only)) : "";
  const long long before = query.before.value_or(0);
  const long long after = query.after.value_or(0);
  // `after` reads forward from a point; otherwise read backward from the end or `before`.
  const bool forward = query.after.has_value() && !query.before;
  std::string statement(kPageColumns);
  if (query.only) statement += kOfType;
  if (query.before) statement += kBefore;
  if (query.after) statement += kAfter;
  statement += forward ? kOldestFirst : kNewestFirst;

  auto prepared = (sql.prepare << statement, soci::use(room));
  if (query.only) prepared, soci::use(type);
  if (query.before) prepared, soci::use(before);
  if (query.after) prepared, soci::use(after);
  prepared, soci::use(limit);
  soci::rowset<soci::row> rows(prepared);
  std::vector<chat::Message> messages;
  for (const auto& row : rows) {
    RowReader reader(row);
    messages.push_back(read_message(reader));
  }
  if (!forward) std::reverse(messages.begin(), messages.end());
  return messages;
}

}  // namespace modu::storage
