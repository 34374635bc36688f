#include "storage/sql_room_repository.hpp"

#include "storage/direct_key.hpp"
#include "storage/rows.hpp"
#include "storage/sql_message_repository.hpp"
#include "storage/write_transaction.hpp"

#include <fmt/format.h>

#include <map>

namespace modu::storage {
namespace {

constexpr std::string_view kRoomColumns =
    "r.id, r.kind, r.name, r.image, r.last_seq, r.last_activity_at, r.archived, r.created_at, r.direct_key";
const std::string kFind = fmt::format("SELECT {} FROM rooms r WHERE r.id = :id", kRoomColumns);
const std::string kFindDirect = fmt::format("SELECT {} FROM rooms r WHERE r.direct_key = :key", kRoomColumns);
constexpr std::string_view kInsertDirect =
    "INSERT INTO rooms (kind, direct_key, last_activity_at, created_at) VALUES ('direct', :key, :a, :c)";
constexpr std::string_view kInsertGroup =
    "INSERT INTO rooms (kind, name, last_activity_at, created_at) VALUES ('group', :name, :a, :c)";
constexpr std::string_view kInsertMember =
    "INSERT INTO room_members (room_id, member_id, role, joined_at, read_seq) VALUES (:room, :member, :role, :at, "
    "(SELECT last_seq FROM rooms WHERE id = :same_room))";
constexpr std::string_view kIsMember =
    "SELECT COUNT(*) FROM room_members WHERE room_id = :room AND member_id = :member";
constexpr std::string_view kMemberColumns =
    "rm.member_id, m.nickname, m.profile_image, rm.role, rm.joined_at, rm.read_seq, rm.muted";
const std::string kMembers = fmt::format(
    "SELECT {} FROM room_members rm JOIN members m ON m.id = rm.member_id WHERE rm.room_id = :room "
    "ORDER BY rm.joined_at, rm.member_id",
    kMemberColumns);
const std::string kMembership = fmt::format(
    "SELECT {} FROM room_members rm JOIN members m ON m.id = rm.member_id "
    "WHERE rm.room_id = :room AND rm.member_id = :member",
    kMemberColumns);
constexpr std::string_view kRemoveMember = "DELETE FROM room_members WHERE room_id = :room AND member_id = :member";
constexpr std::string_view kLockRoom = "SELECT id FROM rooms WHERE id = :room";
constexpr std::string_view kRole = "SELECT role FROM room_members WHERE room_id = :room AND member_id = :member";
constexpr std::string_view kEldest =
    "SELECT member_id FROM room_members WHERE room_id = :room ORDER BY joined_at, member_id LIMIT 1";
constexpr std::string_view kMakeOwner =
    "UPDATE room_members SET role = 'owner' WHERE room_id = :room AND member_id = :member";
constexpr std::string_view kCountMembers = "SELECT COUNT(*) FROM room_members WHERE room_id = :room";
constexpr std::string_view kArchive = "UPDATE rooms SET archived = 1 WHERE id = :room";
constexpr std::string_view kUnarchive = "UPDATE rooms SET archived = 0 WHERE id = :room";
constexpr std::string_view kMute =
    "UPDATE room_members SET muted = :muted WHERE room_id = :room AND member_id = :member";
constexpr std::string_view kRename = "UPDATE rooms SET name = :name, image = :image WHERE id = :room";
// Forward only, and never past the room's last message.
constexpr std::string_view kAdvanceRead =
    "UPDATE room_members SET read_seq = (SELECT CASE WHEN :seq < last_seq THEN :seq2 ELSE last_seq END "
    "FROM rooms WHERE id = :room) WHERE room_id = :same_room AND member_id = :member AND read_seq < :seq3";
constexpr std::string_view kReadPositions = "SELECT member_id, read_seq FROM room_members WHERE room_id = :room";
constexpr std::string_view kReadSeq = "SELECT read_seq FROM room_members WHERE room_id = :room AND member_id = :member";
// Whom a member's presence concerns: everyone in their rooms of at most :max members.
constexpr std::string_view kCoMembers =
    "SELECT DISTINCT other.member_id FROM room_members mine "
    "JOIN room_members other ON other.room_id = mine.room_id AND other.member_id <> mine.member_id "
    "WHERE mine.member_id = :me AND (SELECT COUNT(*) FROM room_members c WHERE c.room_id = mine.room_id) <= :max";
constexpr std::string_view kShareRoom =
    "SELECT COUNT(*) FROM room_members a JOIN room_members b ON b.room_id = a.room_id "
    "WHERE a.member_id = :a AND b.member_id = :b";

// "My rooms": three statements for any page size — the page, the last messages, and
// the member counts with a preview of the first few members (a window function).
const std::string kMyRooms = fmt::format(
    "SELECT {}, rm.read_seq, rm.muted FROM room_members rm JOIN rooms r ON r.id = rm.room_id WHERE rm.member_id = :me "
    "ORDER BY r.last_activity_at DESC, r.id DESC LIMIT :limit",
    kRoomColumns);
const std::string kMyRoomsAfter = fmt::format(
    "SELECT {}, rm.read_seq, rm.muted FROM room_members rm JOIN rooms r ON r.id = rm.room_id WHERE rm.member_id = :me "
    "AND (r.last_activity_at < :at OR (r.last_activity_at = :same_at AND r.id < :id)) "
    "ORDER BY r.last_activity_at DESC, r.id DESC LIMIT :limit",
    kRoomColumns);
const std::string kLastMessages =
    fmt::format("SELECT {} FROM messages m JOIN rooms r ON r.id = m.room_id AND m.seq = r.last_seq WHERE r.id IN ",
                kMessageColumns);
constexpr std::string_view kPreview =
    "SELECT room_id, total, member_id, nickname, profile_image, role, joined_at, read_seq, muted FROM ("
    " SELECT rm.room_id, COUNT(*) OVER (PARTITION BY rm.room_id) AS total, rm.member_id, m.nickname,"
    " m.profile_image, rm.role, rm.joined_at, rm.read_seq, rm.muted,"
    " ROW_NUMBER() OVER (PARTITION BY rm.room_id ORDER BY rm.joined_at, rm.member_id) AS position"
    " FROM room_members rm JOIN members m ON m.id = rm.member_id WHERE rm.room_id IN {}) ranked "
    "WHERE position <= :preview ORDER BY room_id, position";

room::Room read_room(RowReader& row) {
  room::Room room;
  room.id = RoomId(row.integer());
  room.kind = row.text() == "direct" ? room::Kind::direct : room::Kind::group;
  room.name = row.optional_text();
  room.image = row.optional_text();
  room.last_seq = row.integer();
  room.last_activity_at = row.time();
  room.archived = row.boolean();
  room.created_at = row.time();
  if (auto key = row.optional_text()) room.pair = direct_pair(*key);
  return room;
}

room::Membership read_membership(RowReader& row) {
  room::Membership membership;
  membership.member = MemberId(row.integer());
  membership.nickname = row.text();
  membership.profile_image = row.optional_text();
  membership.role = row.text() == "owner" ? room::Role::owner : room::Role::member;
  membership.joined_at = row.time();
  membership.read_seq = row.integer();
  membership.muted = row.boolean();
  return membership;
}

std::optional<room::Room> find_room(soci::session& sql, const std::string& query, const auto& key) {
  soci::rowset<soci::row> rows = (sql.prepare << query, soci::use(key));
  for (const auto& row : rows) {
    RowReader reader(row);
    return read_room(reader);
  }
  return std::nullopt;
}

void insert_member(soci::session& sql, long long room, long long member, std::string_view role, long long at) {
  const std::string role_name(role);
  sql << kInsertMember, soci::use(room), soci::use(member), soci::use(role_name), soci::use(at), soci::use(room);
}

/// Takes the room's row lock for the transaction (MySQL; on SQLite the transaction holds
/// the one write lock already). Whoever changes who is in a room takes it: invites,
/// reopening, leaves and message batches (which may bring a 1:1 room's leaver back), so
/// each sees the others' changes whole.
void lock_room(soci::session& sql, Dialect dialect, long long room) {
  long long locked = 0;
  sql << locking(kLockRoom, dialect), soci::use(room), soci::into(locked);
}

}  // namespace

room::RoomRepository::Direct SqlRoomRepository::find_or_create_direct(MemberId opener, MemberId other,
                                                                      room::TimePoint at) {
  soci::session sql(database_.pool());
  const auto key = direct_key(opener, other);
  const long long when = to_millis(at);
  std::optional<room::Room> room = find_room(sql, kFindDirect, key);
  bool created = false;
  if (!room) {
    try {
      WriteTransaction transaction(sql, database_.dialect());
      sql << kInsertDirect, soci::use(key), soci::use(when), soci::use(when);
      long long id = 0;
      sql.get_last_insert_id("rooms", id);
      insert_member(sql, id, opener.value(), "member", when);
      insert_member(sql, id, other.value(), "member", when);
      transaction.commit();
      created = true;
    } catch (const soci::soci_error&) {
      // Both created it at once: the unique key let one in; use that one.
    }
    room = find_room(sql, kFindDirect, key);
    if (!room) throw std::runtime_error("direct room vanished while creating it");
  }
  bool rejoined = false;
  if (!created) {
    WriteTransaction transaction(sql, database_.dialect());
    lock_room(sql, database_.dialect(), room->id.value());
    const long long room_id = room->id.value();
    if (count(sql, kIsMember, room_id, static_cast<long long>(opener.value())) == 0) {
      try {
        insert_member(sql, room_id, opener.value(), "member", when);
        rejoined = true;
      } catch (const soci::soci_error&) {
        // put back by a concurrent open: fine
      }
    }
    if (room->archived) {
      long long id = room->id.value();
      sql << kUnarchive, soci::use(id);
      room->archived = false;
    }
    transaction.commit();
  }
  return {std::move(*room), created, rejoined};
}

room::Room SqlRoomRepository::create_group(MemberId owner, const std::vector<MemberId>& others,
                                           const std::optional<std::string>& name, room::TimePoint at) {
  soci::session sql(database_.pool());
  const long long when = to_millis(at);
  WriteTransaction transaction(sql, database_.dialect());
  NullableText room_name(name);
  sql << kInsertGroup, soci::use(room_name.value, room_name.indicator), soci::use(when), soci::use(when);
  long long id = 0;
  sql.get_last_insert_id("rooms", id);
  insert_member(sql, id, owner.value(), "owner", when);
  for (auto member : others) insert_member(sql, id, member.value(), "member", when);
  transaction.commit();
  return *find_room(sql, kFind, id);
}

std::optional<room::Room> SqlRoomRepository::find(RoomId id) {
  soci::session sql(database_.pool());
  return find_room(sql, kFind, id.value());
}

std::vector<room::Membership> SqlRoomRepository::members(RoomId id) {
  soci::session sql(database_.pool());
  const long long room = id.value();
  std::vector<room::Membership> members;
  soci::rowset<soci::row> rows = (sql.prepare << kMembers, soci::use(room));
  for (const auto& row : rows) {
    RowReader reader(row);
    members.push_back(read_membership(reader));
  }
  return members;
}

std::optional<room::Membership> SqlRoomRepository::membership(RoomId id, MemberId member) {
  soci::session sql(database_.pool());
  const long long room = id.value();
  const long long member_id = member.value();
  soci::rowset<soci::row> rows = (sql.prepare << kMembership, soci::use(room), soci::use(member_id));
  for (const auto& row : rows) {
    RowReader reader(row);
    return read_membership(reader);
  }
  return std::nullopt;
}

std::optional<std::vector<MemberId>> SqlRoomRepository::add_members(RoomId id, const std::vector<MemberId>& members,
                                                                    room::TimePoint at, std::size_t max_members) {
  soci::session sql(database_.pool());
  const long long room = id.value();
  const long long when = to_millis(at);
  WriteTransaction transaction(sql, database_.dialect());
  lock_room(sql, database_.dialect(), room);
  std::vector<MemberId> added;
  for (auto member : members) {
    if (count(sql, kIsMember, room, static_cast<long long>(member.value())) == 0) added.push_back(member);
  }
  if (static_cast<std::size_t>(count(sql, kCountMembers, room)) + added.size() > max_members) return std::nullopt;
  for (auto member : added) insert_member(sql, room, member.value(), "member", when);
  transaction.commit();
  return added;
}

room::RoomRepository::Removal SqlRoomRepository::remove_member(RoomId id, MemberId member) {
  soci::session sql(database_.pool());
  const long long room = id.value();
  const long long member_id = member.value();
  WriteTransaction transaction(sql, database_.dialect());
  // Leaves of one room run one after another, so two that race cannot both hand the room
  // to each other.
  lock_room(sql, database_.dialect(), room);
  std::string role;
  soci::indicator found = soci::i_null;
  sql << kRole, soci::use(room), soci::use(member_id), soci::into(role, found);
  if (!sql.got_data() || found != soci::i_ok) return {};
  sql << kRemoveMember, soci::use(room), soci::use(member_id);
  Removal removal{true, std::nullopt};
  if (count(sql, kCountMembers, room) == 0) {
    sql << kArchive, soci::use(room);
  } else if (role == "owner") {
    // A group always has an owner: the member who has been in it longest takes over.
    long long heir = 0;
    sql << kEldest, soci::use(room), soci::into(heir);
    sql << kMakeOwner, soci::use(room), soci::use(heir);
    removal.new_owner = MemberId(heir);
  }
  transaction.commit();
  return removal;
}

room::Room SqlRoomRepository::update(RoomId id, const std::optional<std::string>& name,
                                     const std::optional<std::string>& image) {
  soci::session sql(database_.pool());
  const long long room = id.value();
  NullableText room_name(name);
  NullableText room_image(image);
  sql << kRename, soci::use(room_name.value, room_name.indicator), soci::use(room_image.value, room_image.indicator),
      soci::use(room);
  return *find_room(sql, kFind, room);
}

bool SqlRoomRepository::set_muted(RoomId id, MemberId member, bool muted) {
  soci::session sql(database_.pool());
  const long long room = id.value();
  const long long member_id = member.value();
  const int flag = muted ? 1 : 0;
  sql << kMute, soci::use(flag), soci::use(room), soci::use(member_id);
  // "Is a member" rather than "a row changed": MySQL counts a row set to what it was as unchanged.
  return count(sql, kIsMember, room, member_id) > 0;
}

std::int64_t SqlRoomRepository::advance_read(RoomId id, MemberId member, std::int64_t seq) {
  soci::session sql(database_.pool());
  const long long room = id.value();
  const long long member_id = member.value();
  const long long wanted = seq;
  sql << kAdvanceRead, soci::use(wanted), soci::use(wanted), soci::use(room), soci::use(room), soci::use(member_id),
      soci::use(wanted);
  long long read = 0;
  sql << kReadSeq, soci::use(room), soci::use(member_id), soci::into(read);
  return read;
}

std::vector<std::pair<MemberId, std::int64_t>> SqlRoomRepository::read_positions(RoomId id) {
  soci::session sql(database_.pool());
  const long long room = id.value();
  std::vector<std::pair<MemberId, std::int64_t>> positions;
  soci::rowset<soci::row> rows = (sql.prepare << kReadPositions, soci::use(room));
  for (const auto& row : rows) {
    RowReader reader(row);
    const MemberId member(reader.integer());
    positions.emplace_back(member, reader.integer());
  }
  return positions;
}

std::vector<MemberId> SqlRoomRepository::co_members(MemberId member, std::size_t max_room_members) {
  soci::session sql(database_.pool());
  const long long me = member.value();
  const long long max = static_cast<long long>(max_room_members);
  std::vector<MemberId> others;
  soci::rowset<soci::row> rows = (sql.prepare << kCoMembers, soci::use(me), soci::use(max));
  for (const auto& row : rows) {
    RowReader reader(row);
    others.emplace_back(reader.integer());
  }
  return others;
}

bool SqlRoomRepository::share_room(MemberId a, MemberId b) {
  soci::session sql(database_.pool());
  return count(sql, kShareRoom, static_cast<long long>(a.value()), static_cast<long long>(b.value())) > 0;
}

std::vector<room::RoomSummary> SqlRoomRepository::list_for(MemberId member,
                                                           const std::optional<room::ActivityCursor>& after,
                                                           std::size_t limit, std::size_t preview_size) {
  soci::session sql(database_.pool());
  const long long me = member.value();
  const long long page_size = static_cast<long long>(limit);
  std::vector<room::RoomSummary> summaries;
  auto collect = [&](soci::rowset<soci::row>& rows) {
    for (const auto& row : rows) {
      RowReader reader(row);
      room::RoomSummary summary;
      summary.room = read_room(reader);
      summary.my_read_seq = reader.integer();
      summary.my_muted = reader.boolean();
      summaries.push_back(std::move(summary));
    }
  };
  if (after) {
    const long long at = to_millis(after->last_activity_at);
    const long long id = after->id.value();
    soci::rowset<soci::row> rows = (sql.prepare << kMyRoomsAfter, soci::use(me), soci::use(at), soci::use(at),
                                    soci::use(id), soci::use(page_size));
    collect(rows);
  } else {
    soci::rowset<soci::row> rows = (sql.prepare << kMyRooms, soci::use(me), soci::use(page_size));
    collect(rows);
  }
  if (summaries.empty()) return summaries;

  std::vector<long long> ids;
  std::map<long long, room::RoomSummary*> by_id;
  for (auto& summary : summaries) {
    ids.push_back(summary.room.id.value());
    by_id[summary.room.id.value()] = &summary;
  }
  {
    auto prepared = (sql.prepare << kLastMessages + in_list(ids.size()));
    for (auto& id : ids) prepared, soci::use(id);
    soci::rowset<soci::row> rows(prepared);
    for (const auto& row : rows) {
      RowReader reader(row);
      auto message = read_message(reader);
      by_id[message.room.value()]->last_message = std::move(message);
    }
  }
  {
    const long long preview = static_cast<long long>(preview_size);
    auto prepared = (sql.prepare << fmt::format(fmt::runtime(kPreview), in_list(ids.size())));
    for (auto& id : ids) prepared, soci::use(id);
    prepared, soci::use(preview);
    soci::rowset<soci::row> rows(prepared);
    for (const auto& row : rows) {
      RowReader reader(row);
      auto* summary = by_id[reader.integer()];
      summary->member_count = static_cast<std::size_t>(reader.integer());
      summary->preview.push_back(read_membership(reader));
    }
  }
  return summaries;
}

}  // namespace modu::storage
