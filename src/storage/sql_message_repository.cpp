#include "storage/sql_message_repository.hpp"

#include "storage/direct_key.hpp"
#include "storage/rows.hpp"
#include "storage/write_transaction.hpp"

#include <fmt/format.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

namespace modu::storage {
namespace {

// Read under a write lock (see WriteTransaction): on MySQL the row lock serializes
// writers to a room across every instance. A 1:1 room's pair comes with it.
// Nothing else may be read with it, not even in a subquery: on MySQL the first plain
// read fixes the transaction's snapshot, which must come after every room of the batch
// is locked, or what it says of membership could predate a leave the lock waited for.
constexpr std::string_view kLockRoom = "SELECT last_seq, direct_key FROM rooms WHERE id = :room";
// How many members a room has. Of a 1:1 room's pair, one may have left, and a message
// from the other brings them back (asked once all of the batch's rooms are locked); and
// once a batch is stored, each message's unread count starts from it.
constexpr std::string_view kInRoom = "SELECT COUNT(*) FROM room_members WHERE room_id = :room";
// A sender's standing in a room: member or not, and in a 1:1 room whether the other
// member blocked them. Read after the room is locked, so it holds until the commit.
constexpr std::string_view kStanding =
    "SELECT (SELECT COUNT(*) FROM room_members WHERE room_id = :room AND member_id = :sender), "
    "(SELECT COUNT(*) FROM rooms r JOIN room_members o ON o.room_id = r.id "
    "JOIN friends f ON f.owner_id = o.member_id AND f.friend_id = :sender2 AND f.blocked = 1 "
    "WHERE r.id = :room2 AND r.kind = 'direct' AND o.member_id <> :sender3)";
// Whether the member who left a 1:1 room blocked the one writing to it (with both in
// the room, kStanding asks this).
constexpr std::string_view kBlocks =
    "SELECT COUNT(*) FROM friends WHERE owner_id = :peer AND friend_id = :sender AND blocked = 1";
// The member who left a 1:1 room is back in it: what was written since is unread to them.
// Reopening the room (POST /rooms) takes the room lock too, so they cannot be back
// already; the conflict clause only keeps a surprise from failing the whole batch.
constexpr std::string_view kSqliteRejoin =
    "INSERT INTO room_members (room_id, member_id, role, joined_at, read_seq) "
    "VALUES (:room, :member, 'member', :at, :read) ON CONFLICT (room_id, member_id) DO NOTHING";
constexpr std::string_view kMysqlRejoin =
    "INSERT INTO room_members (room_id, member_id, role, joined_at, read_seq) "
    "VALUES (:room, :member, 'member', :at, :read) ON DUPLICATE KEY UPDATE member_id = member_id";
constexpr std::string_view kFindByClientId =
    "SELECT id, seq, type, body, created_at FROM messages "
    "WHERE room_id = :room AND sender_id = :sender AND client_msg_id = :client";
// One statement stores the message, or does nothing when this sender stored one with
// this clientMsgId before: the unique index finds it anyway, so no look-up goes first (on
// MySQL a look-up is a round trip of its own). Whether it stored, and the new id, come
// from the connection (see `stored_id`). MySQL's spelling is INSERT IGNORE: a taken key
// stores nothing and affects no row. The others would not do: ON DUPLICATE KEY UPDATE
// counts a repeat as an affected row (SOCI connects with CLIENT_FOUND_ROWS); INSERT ...
// SELECT ... WHERE NOT EXISTS takes a shared gap lock on that index, which reaches into
// the next room's keys, so writers of different rooms (other instances) waited for and
// deadlocked with each other; and catching the duplicate-key error leaks SOCI's bound
// values. IGNORE would also pass over a value too long or out of range, but every
// column's value is checked before (type, body, clientMsgId of at most 64 characters),
// and a row it did not store for another reason is no repeat: `find` then finds nothing,
// and the batch fails and runs again.
constexpr std::string_view kSqliteInsert =
    "INSERT INTO messages (room_id, seq, sender_id, type, body, client_msg_id, created_at) "
    "VALUES (:room, :seq, :sender, :type, :body, :client, :at) "
    "ON CONFLICT (room_id, sender_id, client_msg_id) DO NOTHING";
constexpr std::string_view kMysqlInsert =
    "INSERT IGNORE INTO messages (room_id, seq, sender_id, type, body, client_msg_id, created_at) "
    "VALUES (:room, :seq, :sender, :type, :body, :client, :at)";
constexpr std::string_view kAdvanceRoom = "UPDATE rooms SET last_seq = :seq, last_activity_at = :at WHERE id = :room";
// A sender has read what they sent: their own messages never count as unread to them.
constexpr std::string_view kSenderRead =
    "UPDATE room_members SET read_seq = :seq WHERE room_id = :room AND member_id = :member AND read_seq < :same_seq";
// A message stored before this batch, sent again: who of the room, its sender aside, has
// not read up to it by now (history's count; new messages need no query of their own).
constexpr std::string_view kUnreadBy =
    "SELECT COUNT(*) FROM room_members WHERE room_id = :room AND read_seq < :seq AND member_id <> :sender";

constexpr int kAttempts = 3;

// History pages walk the (room_id, seq) unique index: no offsets, however deep.
const std::string kPageColumns = fmt::format("SELECT {} FROM messages m WHERE m.room_id = :room", kMessageColumns);
// Spelled out, not bound: SQLite uses the gallery's partial index only for a query that
// names its condition.
constexpr std::string_view kImagesOnly = " AND m.type = 'image'";
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

namespace {

/// The id of the row the insert just run on `sql` stored, or none when it stored nothing
/// (the client id was taken). Read from the connection, not with SQL: on SQLite,
/// `RETURNING id` made SQLite build a temporary table for every row (a dozen allocations
/// a message), and SOCI's id look-up there runs an unprepared query; on MySQL, SOCI
/// asks the client library, which has it from the answer.
std::optional<long long> stored_id(soci::statement& insert, soci::session& sql, Dialect dialect) {
  if (insert.get_affected_rows() == 0) return std::nullopt;
  long long id = 0;
  if (dialect == Dialect::sqlite) {
    auto* connection = static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
    id = sqlite_api::sqlite3_last_insert_rowid(connection);  // SOCI wraps sqlite3.h in this namespace
  } else if (!sql.get_last_insert_id("messages", id)) {
    throw std::runtime_error("no id for the stored message");
  }
  return id;
}

/// A room as a batch finds it once locked.
struct LockedRoom {
  long long last_seq;
  std::optional<std::string> direct_key;  ///< a 1:1 room's
  /// A 1:1 room that one of its pair left: the pair (the one still there is the sender).
  std::optional<std::pair<MemberId, MemberId>> pair_one_left;
  long long last_seq_before_batch;  ///< as locked: nobody has read past it
};

/// Of a 1:1 room's pair, the one who is not `member`.
MemberId other_of(const std::pair<MemberId, MemberId>& pair, MemberId member) {
  return pair.first == member ? pair.second : pair.first;
}

/// The statements that store a batch, each prepared once and run for every row it
/// touches, batch after batch: preparing them per batch cost a fifth of a small batch.
/// SOCI binds the fields by reference, so a run sets them and executes. Every read is
/// stepped to its end, so that no statement stays open between transactions (an open
/// one would hold a snapshot, and SQLite could not checkpoint its log past it).
class BatchStatements {
 public:
  BatchStatements(soci::session& sql, Dialect dialect)
      : lock_room_((sql.prepare << locking(kLockRoom, dialect), soci::use(room_), soci::into(value_, found_),
                    soci::into(direct_key_, direct_key_indicator_))),
        in_room_((sql.prepare << kInRoom, soci::use(room_), soci::into(member_))),
        standing_((sql.prepare << kStanding, soci::use(room_), soci::use(sender_), soci::use(sender_), soci::use(room_),
                   soci::use(sender_), soci::into(member_), soci::into(blocked_))),
        find_((sql.prepare << kFindByClientId, soci::use(room_), soci::use(sender_), soci::use(client_),
               soci::into(id_), soci::into(value_), soci::into(type_), soci::into(body_), soci::into(at_))),
        insert_((sql.prepare << (dialect == Dialect::sqlite ? kSqliteInsert : kMysqlInsert), soci::use(room_),
                 soci::use(value_), soci::use(sender_, sender_indicator_), soci::use(type_), soci::use(body_),
                 soci::use(client_, client_indicator_), soci::use(at_))),
        advance_((sql.prepare << kAdvanceRoom, soci::use(value_), soci::use(at_), soci::use(room_))),
        sender_read_(
            (sql.prepare << kSenderRead, soci::use(value_), soci::use(room_), soci::use(sender_), soci::use(value_))),
        blocks_((sql.prepare << kBlocks, soci::use(member_), soci::use(sender_), soci::into(blocked_))),
        rejoin_((sql.prepare << (dialect == Dialect::sqlite ? kSqliteRejoin : kMysqlRejoin), soci::use(room_),
                 soci::use(member_), soci::use(at_), soci::use(value_))),
        unread_by_(
            (sql.prepare << kUnreadBy, soci::use(room_), soci::use(value_), soci::use(sender_), soci::into(member_))),
        sql_(sql),
        dialect_(dialect) {}

  /// Locks the room and reads it; none when there is no such room.
  std::optional<LockedRoom> lock_room(long long room) {
    room_ = room;
    if (!read(lock_room_) || found_ != soci::i_ok) return std::nullopt;
    return LockedRoom{.last_seq = value_,
                      .direct_key = direct_key_indicator_ == soci::i_ok ? std::optional(direct_key_) : std::nullopt,
                      .pair_one_left = std::nullopt,
                      .last_seq_before_batch = value_};
  }

  /// How many members the room has.
  long long members_in(long long room) {
    room_ = room;
    read(in_room_);
    return member_;
  }

  /// Whether `peer` blocked `sender`.
  bool blocks(long long peer, long long sender) {
    member_ = peer;
    sender_ = sender;
    read(blocks_);
    return blocked_ > 0;
  }

  /// Puts `member` back in the 1:1 room they left, having read up to `read_seq`.
  void rejoin(long long room, long long member, long long read_seq, long long at) {
    room_ = room;
    member_ = member;
    value_ = read_seq;
    at_ = at;
    rejoin_.execute(true);
  }

  chat::SenderStanding standing(long long room, long long sender) {
    room_ = room;
    sender_ = sender;
    read(standing_);
    return {member_ > 0, blocked_ > 0};
  }

  /// The message this sender already stored with this client id, if any.
  std::optional<chat::Message> find(const chat::NewMessage& message) {
    room_ = message.room.value();
    sender_ = message.sender->value();
    client_ = *message.client_msg_id;
    if (!read(find_)) return std::nullopt;
    return chat::Message{MessageId(id_),
                         message.room,
                         value_,
                         message.sender,
                         chat::parse_type(type_).value_or(chat::MessageType::text),
                         body_,
                         message.client_msg_id,
                         from_millis(at_)};
  }

  /// Stores the message as `seq`; its id. None when its sender stored one with its
  /// client id before.
  std::optional<long long> insert(const chat::NewMessage& message, long long seq, long long at) {
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
    return stored_id(insert_, sql_, dialect_);
  }

  void advance_room(long long room, long long last_seq, long long at) {
    room_ = room;
    value_ = last_seq;
    at_ = at;
    advance_.execute(true);
  }

  /// Moves a sender's read position up to `seq`; whether it moved. It always does for a
  /// member (no read position passes the room's last seq, and `seq` is new), so this says
  /// whether they are one: a system message's actor may have just left.
  bool sender_read(long long room, long long sender, long long seq) {
    room_ = room;
    sender_ = sender;
    value_ = seq;
    sender_read_.execute(true);
    return sender_read_.get_affected_rows() > 0;
  }

  /// How many members of the room, `message`'s sender aside, have not read up to it.
  std::size_t unread_by_others(const chat::Message& message) {
    room_ = message.room.value();
    value_ = message.seq;
    sender_ = message.sender ? message.sender->value() : 0;
    read(unread_by_);
    return static_cast<std::size_t>(member_);
  }

 private:
  /// Runs a statement that answers at most one row; whether it did. The fields bound
  /// with `into` hold the row.
  static bool read(soci::statement& statement) {
    if (!statement.execute(true)) return false;
    statement.fetch();  // past the end: the statement is done
    return true;
  }

  // The bound fields come first: the statements below hold references to them.
  long long room_ = 0, sender_ = 0, value_ = 0, id_ = 0, at_ = 0, member_ = 0, blocked_ = 0;
  std::string client_, type_, body_, direct_key_;
  soci::indicator found_ = soci::i_ok, sender_indicator_ = soci::i_ok, client_indicator_ = soci::i_ok,
                  direct_key_indicator_ = soci::i_null;
  soci::statement lock_room_, in_room_, standing_, find_, insert_, advance_, sender_read_, blocks_, rejoin_, unread_by_;
  soci::session& sql_;
  Dialect dialect_;
};

/// KakaoTalk's number beside each stored message, as the batch leaves its room. Before
/// the batch nobody had read past the room's last seq, and the batch moved only its
/// senders' (and actors') read positions: so a new message is unread to every member but
/// those whose position the batch moved to it or past it (its sender among them). Counted
/// once a room, not a query a message; only a message stored before the batch, sent
/// again, is asked about.
void count_unread_members(BatchStatements& statements, const std::map<long long, std::optional<LockedRoom>>& locked,
                          std::map<long long, std::vector<long long>> moved_reads,
                          std::vector<Result<chat::Appended>>& results) {
  for (auto& [room, reads] : moved_reads) std::sort(reads.begin(), reads.end());
  const std::vector<long long> none;
  std::map<long long, std::size_t> members;  // room -> how many, as the batch leaves it
  for (auto& result : results) {
    if (!result) continue;
    const auto& message = result->message;
    const long long room = message.room.value();
    if (message.seq <= locked.at(room)->last_seq_before_batch) {
      result->unread_member_count = statements.unread_by_others(message);
      continue;
    }
    auto counted = members.find(room);
    if (counted == members.end()) counted = members.emplace(room, statements.members_in(room)).first;
    const auto moved = moved_reads.find(room);
    const auto& reads = moved == moved_reads.end() ? none : moved->second;
    const auto have_read = reads.end() - std::lower_bound(reads.begin(), reads.end(), message.seq);
    result->unread_member_count = counted->second - static_cast<std::size_t>(have_read);
  }
}

}  // namespace

/// A connection of the repository's own, with the batch's statements prepared on it.
struct SqlMessageRepository::Writer {
  explicit Writer(Database& database)
      : sql(database.open_session()), statements(std::make_unique<BatchStatements>(*sql, database.dialect())) {}

  std::unique_ptr<soci::session> sql;
  std::unique_ptr<BatchStatements> statements;  ///< after `sql`: destroyed before it
};

SqlMessageRepository::SqlMessageRepository(Database& database) : database_(database) {}
SqlMessageRepository::~SqlMessageRepository() = default;

std::vector<Result<chat::Appended>> SqlMessageRepository::append_batch(const std::vector<chat::NewMessage>& messages,
                                                                       chat::TimePoint at,
                                                                       const chat::Admission& admit) {
  std::lock_guard lock(writer_mutex_);
  // The transaction is all or nothing, so a batch that lost a deadlock (MySQL) or a
  // busy timeout (SQLite) can simply run again, on a fresh connection in case the
  // connection itself was the trouble.
  for (int attempt = 1;; ++attempt) {
    try {
      if (!writer_) writer_ = std::make_unique<Writer>(database_);
      return append_once(*writer_, messages, at, admit);
    } catch (const soci::soci_error& e) {
      writer_.reset();
      if (attempt == kAttempts) throw;
      spdlog::warn("storing {} messages, attempt {} failed, retrying: {}", messages.size(), attempt, e.what());
    }
  }
}

std::vector<Result<chat::Appended>> SqlMessageRepository::append_once(Writer& writer,
                                                                      const std::vector<chat::NewMessage>& messages,
                                                                      chat::TimePoint at,
                                                                      const chat::Admission& admit) {
  WriteTransaction transaction(*writer.sql, database_.dialect());
  auto& statements = *writer.statements;

  // Lock and read every room of the batch, in id order (two writers taking the same
  // rooms in the same order cannot deadlock on each other).
  std::map<long long, std::optional<LockedRoom>> locked;
  for (const auto& message : messages) locked.emplace(message.room.value(), std::nullopt);
  for (auto& [room, state] : locked) state = statements.lock_room(room);
  for (auto& [room, state] : locked) {
    if (state && state->direct_key && statements.members_in(room) < 2) {
      state->pair_one_left = direct_pair(*state->direct_key);
    }
  }

  const long long when = to_millis(at);
  std::vector<Result<chat::Appended>> results;
  results.reserve(messages.size());
  struct Admitted {
    Result<void> verdict;
    bool member;
  };
  std::map<std::pair<long long, long long>, Admitted> admitted;  // (room, sender) -> the verdict
  std::map<std::tuple<long long, long long, std::string>, std::size_t> first_with_client_id;
  std::map<long long, long long> advanced;  // room -> new last seq
  struct Newest {
    long long seq;
    std::size_t result;
  };
  std::map<std::pair<long long, long long>, Newest> sent;  // (room, sender or actor) -> their newest message
  struct Rejoin {
    MemberId member;
    long long first_seq;  ///< the first message they had not seen
    std::size_t result;   ///< that message's result
  };
  std::map<long long, Rejoin> returning;  // 1:1 room -> the one who left it, back with this batch
  for (const auto& message : messages) {
    const long long room = message.room.value();
    auto& state = locked[room];
    if (!state) {
      results.emplace_back(Error::not_found("no such room"));
      continue;
    }
    if (message.only_while_away) {
      const auto member = *message.only_while_away;
      const auto back = returning.find(room);
      if ((back != returning.end() && back->second.member == member) ||
          statements.standing(room, member.value()).member) {
        results.emplace_back(Error{Errc::conflict, "that member is back in the room"});
        continue;
      }
    }
    if (message.sender && admit) {
      const std::pair who{room, message.sender->value()};
      auto verdict = admitted.find(who);
      if (verdict == admitted.end()) {
        auto standing = statements.standing(room, who.second);
        if (state->pair_one_left && standing.member) {
          const auto peer = other_of(*state->pair_one_left, *message.sender);
          standing.blocked_by_peer = statements.blocks(peer.value(), who.second);
        }
        verdict = admitted.emplace(who, Admitted{admit(standing), standing.member}).first;
      }
      if (!verdict->second.verdict) {
        // A member's retry of a send stored before it was refused (a block since) answers
        // the first message, as any retry does: the client asks whether it was stored, and
        // may read the room anyway. One who left is refused: they keep nothing new of the
        // room, not even how many have read their message since.
        auto stored = message.client_msg_id && verdict->second.member ? statements.find(message) : std::nullopt;
        if (stored) {
          results.emplace_back(chat::Appended{std::move(*stored), true});
          continue;
        }
        results.emplace_back(verdict->second.verdict.error());
        continue;
      }
    }
    const bool idempotent = message.client_msg_id && message.sender;
    std::tuple<long long, long long, std::string> key;
    if (idempotent) {
      key = {room, message.sender->value(), *message.client_msg_id};
      if (auto earlier = first_with_client_id.find(key); earlier != first_with_client_id.end()) {
        results.emplace_back(chat::Appended{results[earlier->second]->message, true});
        continue;
      }
    }

    auto& room_seq = state->last_seq;
    const long long seq = room_seq + 1;
    const auto id = statements.insert(message, seq, when);
    if (!id) {
      // Stored before this batch: the first result stands, and the seq is not used.
      if (!idempotent) throw std::logic_error("an insert without a client id stored nothing");
      auto stored = statements.find(message);
      if (!stored) throw std::runtime_error("a repeated clientMsgId whose message cannot be found");
      first_with_client_id.emplace(key, results.size());
      results.emplace_back(chat::Appended{std::move(*stored), true});
      continue;
    }
    room_seq = seq;
    advanced[room] = seq;
    if (state->pair_one_left && message.sender) {
      returning.try_emplace(room, Rejoin{other_of(*state->pair_one_left, *message.sender), seq, results.size()});
    }
    if (const auto reader = message.sender ? message.sender : message.read_by) {
      sent[{room, reader->value()}] = Newest{seq, results.size()};
    }
    if (idempotent) first_with_client_id.emplace(key, results.size());
    results.emplace_back(chat::Appended{chat::Message{MessageId(*id), message.room, seq, message.sender, message.type,
                                                      message.body, message.client_msg_id, at}});
  }
  for (const auto& [room, back] : returning) {
    statements.rejoin(room, back.member.value(), back.first_seq - 1, when);
    results[back.result]->brought_back = back.member;
  }
  for (const auto& [room, seq] : advanced) statements.advance_room(room, seq, when);
  std::map<long long, std::vector<long long>> moved_reads;  // room -> the read positions this batch moved
  for (const auto& [key, newest] : sent) {
    if (!statements.sender_read(key.first, key.second, newest.seq)) continue;  // gone from the room
    moved_reads[key.first].push_back(newest.seq);
    results[newest.result]->read_moved = true;
  }
  count_unread_members(statements, locked, std::move(moved_reads), results);
  transaction.commit();
  return results;
}

chat::SenderStanding SqlMessageRepository::standing(RoomId room, MemberId sender) {
  soci::session sql(database_.pool());
  const long long room_id = room.value();
  const long long member = sender.value();
  long long in_room = 0;
  long long blocked = 0;
  sql << kStanding, soci::use(room_id), soci::use(member), soci::use(member), soci::use(room_id), soci::use(member),
      soci::into(in_room), soci::into(blocked);
  return {in_room > 0, blocked > 0};
}

std::vector<chat::Message> SqlMessageRepository::page(const PageQuery& query) {
  soci::session sql(database_.pool());
  const long long room = query.room.value();
  const long long limit = static_cast<long long>(query.limit);
  const long long before = query.before.value_or(0);
  const long long after = query.after.value_or(0);
  // `after` reads forward from a point; otherwise read backward from the end or `before`.
  const bool forward = query.after.has_value() && !query.before;
  std::string statement(kPageColumns);
  if (query.images_only) statement += kImagesOnly;
  if (query.before) statement += kBefore;
  if (query.after) statement += kAfter;
  statement += forward ? kOldestFirst : kNewestFirst;

  auto prepared = (sql.prepare << statement, soci::use(room));
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
