#include "storage/sql_message_repository.hpp"

#include "storage/rows.hpp"
#include "storage/write_transaction.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

namespace modu::storage {
namespace {

// Read under a write lock (see WriteTransaction): on MySQL the row lock serializes
// writers to a room across every instance.
constexpr std::string_view kLastSeq = "SELECT last_seq FROM rooms WHERE id = :room";
// A sender's standing in a room: member or not, and in a 1:1 room whether the other
// member blocked them. Read after the room is locked, so it holds until the commit.
constexpr std::string_view kStanding =
    "SELECT (SELECT COUNT(*) FROM room_members WHERE room_id = :room AND member_id = :sender), "
    "(SELECT COUNT(*) FROM rooms r JOIN room_members o ON o.room_id = r.id "
    "JOIN friends f ON f.owner_id = o.member_id AND f.friend_id = :sender2 AND f.blocked = 1 "
    "WHERE r.id = :room2 AND r.kind = 'direct' AND o.member_id <> :sender3)";
constexpr std::string_view kFindByClientId =
    "SELECT id, seq, type, body, created_at FROM messages "
    "WHERE room_id = :room AND sender_id = :sender AND client_msg_id = :client";
constexpr std::string_view kInsert =
    "INSERT INTO messages (room_id, seq, sender_id, type, body, client_msg_id, created_at) "
    "VALUES (:room, :seq, :sender, :type, :body, :client, :at)";
// SOCI's own look-up of an SQLite insert id runs an unprepared query on sqlite_sequence
// (or max(rowid)) every time; prepared once, this is a function call. MySQL's client
// library has the id at hand, so SOCI's look-up is used there.
constexpr std::string_view kSqliteInsertId = "SELECT last_insert_rowid()";
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
                                                                      chat::TimePoint at,
                                                                      const chat::Admission& admit) {
  // The transaction is all or nothing, so a batch that lost a deadlock (MySQL) or a
  // busy timeout (SQLite) can simply run again.
  for (int attempt = 1;; ++attempt) {
    try {
      return append_once(messages, at, admit);
    } catch (const soci::soci_error& e) {
      if (attempt == kAttempts) throw;
      spdlog::warn("storing {} messages, attempt {} failed, retrying: {}", messages.size(), attempt, e.what());
    }
  }
}

namespace {

/// One batch's statements, each prepared once and run for every row it touches: a
/// batch of hundreds of messages must not parse its SQL hundreds of times. SOCI binds
/// the fields by reference, so a run sets them and executes.
class BatchStatements {
 public:
  BatchStatements(soci::session& sql, Dialect dialect)
      : last_seq_((sql.prepare << locking(kLastSeq, dialect), soci::use(room_), soci::into(value_, found_))),
        standing_((sql.prepare << kStanding, soci::use(room_), soci::use(sender_), soci::use(sender_), soci::use(room_),
                   soci::use(sender_), soci::into(member_), soci::into(blocked_))),
        find_((sql.prepare << kFindByClientId, soci::use(room_), soci::use(sender_), soci::use(client_),
               soci::into(id_), soci::into(value_), soci::into(type_), soci::into(body_), soci::into(at_))),
        insert_((sql.prepare << kInsert, soci::use(room_), soci::use(value_), soci::use(sender_, sender_indicator_),
                 soci::use(type_), soci::use(body_), soci::use(client_, client_indicator_), soci::use(at_))),
        advance_((sql.prepare << kAdvanceRoom, soci::use(value_), soci::use(at_), soci::use(room_))),
        sender_read_(
            (sql.prepare << kSenderRead, soci::use(value_), soci::use(room_), soci::use(sender_), soci::use(value_))),
        sql_(sql) {
    if (dialect == Dialect::sqlite) insert_id_.emplace((sql.prepare << kSqliteInsertId, soci::into(id_)));
  }

  /// Locks the room; its last seq, or none when there is no such room.
  std::optional<long long> lock_room(long long room) {
    room_ = room;
    return last_seq_.execute(true) && found_ == soci::i_ok ? std::optional(value_) : std::nullopt;
  }

  chat::SenderStanding standing(long long room, long long sender) {
    room_ = room;
    sender_ = sender;
    standing_.execute(true);
    return {member_ > 0, blocked_ > 0};
  }

  /// The message this sender already stored with this client id, if any.
  std::optional<chat::Message> find(const chat::NewMessage& message) {
    room_ = message.room.value();
    sender_ = message.sender->value();
    client_ = *message.client_msg_id;
    if (!find_.execute(true)) return std::nullopt;
    return chat::Message{MessageId(id_),
                         message.room,
                         value_,
                         message.sender,
                         chat::parse_type(type_).value_or(chat::MessageType::text),
                         body_,
                         message.client_msg_id,
                         from_millis(at_)};
  }

  /// Stores the message as `seq`; its id.
  long long insert(const chat::NewMessage& message, long long seq, long long at) {
    room_ = message.room.value();
    value_ = seq;
    sender_ = message.sender ? message.sender->value() : 0;
    sender_indicator_ = message.sender ? soci::i_ok : soci::i_null;
    type_ = chat::type_name(message.type);
    body_ = message.body;
    client_ = message.client_msg_id.value_or("");
    client_indicator_ = message.client_msg_id ? soci::i_ok : soci::i_null;
    at_ = at;
    insert_.execute(true);
    if (insert_id_) {
      insert_id_->execute(true);
      return id_;
    }
    long long id = 0;
    if (!sql_.get_last_insert_id("messages", id)) throw std::runtime_error("no id for the stored message");
    return id;
  }

  void advance_room(long long room, long long last_seq, long long at) {
    room_ = room;
    value_ = last_seq;
    at_ = at;
    advance_.execute(true);
  }

  void sender_read(long long room, long long sender, long long seq) {
    room_ = room;
    sender_ = sender;
    value_ = seq;
    sender_read_.execute(true);
  }

 private:
  // The bound fields come first: the statements below hold references to them.
  long long room_ = 0, sender_ = 0, value_ = 0, id_ = 0, at_ = 0, member_ = 0, blocked_ = 0;
  std::string client_, type_, body_;
  soci::indicator found_ = soci::i_ok, sender_indicator_ = soci::i_ok, client_indicator_ = soci::i_ok;
  soci::statement last_seq_, standing_, find_, insert_, advance_, sender_read_;
  std::optional<soci::statement> insert_id_;  ///< SQLite only
  soci::session& sql_;
};

}  // namespace

std::vector<Result<chat::Message>> SqlMessageRepository::append_once(const std::vector<chat::NewMessage>& messages,
                                                                     chat::TimePoint at, const chat::Admission& admit) {
  soci::session sql(database_.pool());
  WriteTransaction transaction(sql, database_.dialect());
  BatchStatements statements(sql, database_.dialect());

  // Lock and read every room of the batch, in id order (two writers taking the same
  // rooms in the same order cannot deadlock on each other).
  std::map<long long, std::optional<long long>> last_seq;
  for (const auto& message : messages) last_seq.emplace(message.room.value(), std::nullopt);
  for (auto& [room, seq] : last_seq) seq = statements.lock_room(room);

  const long long when = to_millis(at);
  std::vector<Result<chat::Message>> results;
  results.reserve(messages.size());
  std::map<std::pair<long long, long long>, Result<void>> admitted;  // (room, sender) -> the verdict
  std::map<std::tuple<long long, long long, std::string>, std::size_t> first_with_client_id;
  std::map<long long, long long> advanced;                    // room -> new last seq
  std::map<std::pair<long long, long long>, long long> sent;  // (room, sender) -> their newest seq
  for (const auto& message : messages) {
    const long long room = message.room.value();
    auto& room_seq = last_seq[room];
    if (!room_seq) {
      results.emplace_back(Error::not_found("no such room"));
      continue;
    }
    if (message.sender && admit) {
      const std::pair who{room, message.sender->value()};
      auto verdict = admitted.find(who);
      if (verdict == admitted.end())
        verdict = admitted.emplace(who, admit(statements.standing(room, who.second))).first;
      if (!verdict->second) {
        results.emplace_back(verdict->second.error());
        continue;
      }
    }
    const bool idempotent = message.client_msg_id && message.sender;
    std::tuple<long long, long long, std::string> key;
    if (idempotent) {
      key = {room, message.sender->value(), *message.client_msg_id};
      if (auto earlier = first_with_client_id.find(key); earlier != first_with_client_id.end()) {
        results.push_back(results[earlier->second]);
        continue;
      }
      if (auto stored = statements.find(message)) {
        first_with_client_id.emplace(key, results.size());
        results.emplace_back(std::move(*stored));
        continue;
      }
    }

    const long long seq = ++*room_seq;
    const long long id = statements.insert(message, seq, when);
    advanced[room] = seq;
    if (message.sender) sent[{room, message.sender->value()}] = seq;
    if (idempotent) first_with_client_id.emplace(key, results.size());
    results.emplace_back(chat::Message{MessageId(id), message.room, seq, message.sender, message.type, message.body,
                                       message.client_msg_id, at});
  }
  for (const auto& [room, seq] : advanced) statements.advance_room(room, seq, when);
  for (const auto& [key, seq] : sent) statements.sender_read(key.first, key.second, seq);
  transaction.commit();
  return results;
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
