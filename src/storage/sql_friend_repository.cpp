#include "storage/sql_friend_repository.hpp"

#include "storage/rows.hpp"
#include "storage/sql_member_repository.hpp"
#include "storage/write_transaction.hpp"

#include <fmt/format.h>

namespace modu::storage {
namespace {

const std::string kSelect = fmt::format(
    "SELECT {}, f.favorite, f.hidden, f.blocked, f.created_at FROM friends f "
    "JOIN members m ON m.id = f.friend_id WHERE f.owner_id = :owner",
    kMemberColumns);
const std::string kFind = kSelect + " AND f.friend_id = :other";
constexpr std::string_view kAfter =
    " AND (m.nickname > :after_nickname OR (m.nickname = :same_nickname AND m.id > :after_id))";
constexpr std::string_view kOrder = " ORDER BY m.nickname, m.id LIMIT :limit";
constexpr std::string_view kExists = "SELECT COUNT(*) FROM friends WHERE owner_id = :owner AND friend_id = :other";
constexpr std::string_view kInsert =
    "INSERT INTO friends (owner_id, friend_id, favorite, hidden, blocked, created_at) "
    "VALUES (:owner, :other, :favorite, :hidden, :blocked, :at)";
constexpr std::string_view kUpdate =
    "UPDATE friends SET favorite = :favorite, hidden = :hidden, blocked = :blocked "
    "WHERE owner_id = :owner AND friend_id = :other";
constexpr std::string_view kDelete = "DELETE FROM friends WHERE owner_id = :owner AND friend_id = :other";
constexpr std::string_view kBlocks =
    "SELECT COUNT(*) FROM friends WHERE owner_id = :owner AND friend_id = :other AND blocked = 1";
constexpr std::string_view kBlockedBy = "SELECT friend_id FROM friends WHERE owner_id = :owner AND blocked = 1";

std::string_view filter_clause(friends::Filter filter) {
  switch (filter) {
    case friends::Filter::all:
      return " AND f.hidden = 0 AND f.blocked = 0";
    case friends::Filter::favorite:
      return " AND f.favorite = 1 AND f.hidden = 0 AND f.blocked = 0";
    case friends::Filter::hidden:
      return " AND f.hidden = 1 AND f.blocked = 0";
    case friends::Filter::blocked:
      return " AND f.blocked = 1";
  }
  return "";
}

friends::Friend read_friend(const soci::row& row) {
  RowReader reader(row);
  friends::Friend relation;
  relation.member = read_member(reader);
  relation.favorite = reader.boolean();
  relation.hidden = reader.boolean();
  relation.blocked = reader.boolean();
  relation.since = reader.time();
  return relation;
}

}  // namespace

bool SqlFriendRepository::add(MemberId owner, MemberId other, member::TimePoint at, const friends::FriendPatch& kinds) {
  soci::session sql(database_.pool());
  const long long owner_id = owner.value();
  const long long other_id = other.value();
  if (count(sql, kExists, owner_id, other_id) > 0) return false;
  const int favorite = kinds.favorite.value_or(false);
  const int hidden = kinds.hidden.value_or(false);
  const int blocked = kinds.blocked.value_or(false);
  const long long when = to_millis(at);
  try {
    sql << kInsert, soci::use(owner_id), soci::use(other_id), soci::use(favorite), soci::use(hidden),
        soci::use(blocked), soci::use(when);
  } catch (const soci::soci_error&) {
    if (count(sql, kExists, owner_id, other_id) > 0) return false;  // a concurrent add won: harmless
    throw;
  }
  return true;
}

std::optional<friends::Friend> SqlFriendRepository::find(MemberId owner, MemberId other) {
  soci::session sql(database_.pool());
  const long long owner_id = owner.value();
  const long long other_id = other.value();
  soci::rowset<soci::row> rows = (sql.prepare << kFind, soci::use(owner_id), soci::use(other_id));
  for (const auto& row : rows) return read_friend(row);
  return std::nullopt;
}

std::vector<friends::Friend> SqlFriendRepository::list(MemberId owner, friends::Filter filter,
                                                       const std::optional<member::NicknameCursor>& after,
                                                       std::size_t limit) {
  soci::session sql(database_.pool());
  const long long owner_id = owner.value();
  const long long count_limit = static_cast<long long>(limit);
  std::string query = kSelect + std::string(filter_clause(filter));
  std::vector<friends::Friend> found;
  auto collect = [&](soci::rowset<soci::row>& rows) {
    for (const auto& row : rows) found.push_back(read_friend(row));
  };
  if (after) {
    query += std::string(kAfter) + std::string(kOrder);
    const long long after_id = after->id.value();
    soci::rowset<soci::row> rows = (sql.prepare << query, soci::use(owner_id), soci::use(after->nickname),
                                    soci::use(after->nickname), soci::use(after_id), soci::use(count_limit));
    collect(rows);
  } else {
    query += std::string(kOrder);
    soci::rowset<soci::row> rows = (sql.prepare << query, soci::use(owner_id), soci::use(count_limit));
    collect(rows);
  }
  return found;
}

bool SqlFriendRepository::update(MemberId owner, MemberId other, const friends::FriendPatch& patch) {
  soci::session sql(database_.pool());
  WriteTransaction transaction(sql, database_.dialect());
  const long long owner_id = owner.value();
  const long long other_id = other.value();
  soci::rowset<soci::row> rows =
      (sql.prepare << locking(kFind, database_.dialect()), soci::use(owner_id), soci::use(other_id));
  std::optional<friends::Friend> current;
  for (const auto& row : rows) current = read_friend(row);
  if (!current) return false;
  const int favorite = patch.favorite.value_or(current->favorite);
  const int hidden = patch.hidden.value_or(current->hidden);
  const int blocked = patch.blocked.value_or(current->blocked);
  sql << kUpdate, soci::use(favorite), soci::use(hidden), soci::use(blocked), soci::use(owner_id), soci::use(other_id);
  transaction.commit();
  return true;
}

bool SqlFriendRepository::remove(MemberId owner, MemberId other) {
  soci::session sql(database_.pool());
  const long long owner_id = owner.value();
  const long long other_id = other.value();
  soci::statement statement = (sql.prepare << kDelete, soci::use(owner_id), soci::use(other_id));
  statement.execute(true);
  return statement.get_affected_rows() > 0;
}

bool SqlFriendRepository::blocks(MemberId owner, MemberId other) {
  soci::session sql(database_.pool());
  return count(sql, kBlocks, static_cast<long long>(owner.value()), static_cast<long long>(other.value())) > 0;
}

std::vector<MemberId> SqlFriendRepository::members_blocked_by(MemberId owner) {
  soci::session sql(database_.pool());
  const long long id = owner.value();
  std::vector<MemberId> blocked;
  soci::rowset<soci::row> rows = (sql.prepare << kBlockedBy, soci::use(id));
  for (const auto& row : rows) blocked.emplace_back(RowReader(row).integer());
  return blocked;
}

}  // namespace modu::storage
