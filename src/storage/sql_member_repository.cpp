#include "storage/sql_member_repository.hpp"

#include "storage/rows.hpp"
#include "storage/write_transaction.hpp"

#include <fmt/format.h>

namespace modu::storage {
namespace {

const std::string kSelect = fmt::format("SELECT {} FROM members m", kMemberColumns);
const std::string kById = kSelect + " WHERE m.id = :id";
const std::string kByEmail = kSelect + " WHERE m.email = :email";
const std::string kCredentials =
    fmt::format("SELECT {}, m.password_hash FROM members m WHERE m.email = :email", kMemberColumns);
constexpr std::string_view kInsert =
    "INSERT INTO members (email, password_hash, nickname, status_message, created_at, updated_at) "
    "VALUES (:email, :hash, :nickname, '', :created, :updated)";
// Prefix search as a range on the (nickname, id) index: every nickname that starts with
// the prefix sorts between it and the prefix followed by the highest code point. Both
// engines compare bytes (SQLite by default, MySQL by utf8mb4_bin), so both agree.
const std::string kByNicknamePrefix =
    kSelect + " WHERE m.nickname >= :low AND m.nickname < :high ORDER BY m.nickname, m.id LIMIT :limit";
const std::string kByNicknamePrefixAfter =
    kSelect +
    " WHERE m.nickname >= :low AND m.nickname < :high"
    " AND (m.nickname > :after_nickname OR (m.nickname = :same_nickname AND m.id > :after_id))"
    " ORDER BY m.nickname, m.id LIMIT :limit";
constexpr std::string_view kUpdateProfile =
    "UPDATE members SET nickname = :nickname, status_message = :status, profile_image = :profile, "
    "background_image = :background, updated_at = :updated WHERE id = :id";
constexpr std::string_view kInsertHistory =
    "INSERT INTO profile_history (member_id, kind, image, created_at) VALUES (:member, :kind, :image, :at)";
constexpr std::string_view kHistory =
    "SELECT id, kind, image, created_at FROM profile_history WHERE member_id = :member "
    "ORDER BY id DESC LIMIT :limit";
constexpr std::string_view kHistoryBefore =
    "SELECT id, kind, image, created_at FROM profile_history WHERE member_id = :member AND id < :before "
    "ORDER BY id DESC LIMIT :limit";
constexpr std::string_view kHighestCodePoint = "\xF4\x8F\xBF\xBF";

std::optional<member::Member> first_member(soci::rowset<soci::row>& rows) {
  for (const auto& row : rows) {
    RowReader reader(row);
    return read_member(reader);
  }
  return std::nullopt;
}

std::optional<member::Member> find_one(soci::session& sql, const std::string& query, long long id) {
  soci::rowset<soci::row> rows = (sql.prepare << query, soci::use(id));
  return first_member(rows);
}

}  // namespace

member::Member read_member(RowReader& row) {
  member::Member member;
  member.id = MemberId(row.integer());
  member.email = row.text();
  member.nickname = row.text();
  member.status_message = row.text();
  member.profile_image = row.optional_text();
  member.background_image = row.optional_text();
  member.created_at = row.time();
  member.updated_at = row.time();
  return member;
}

Result<member::Member> SqlMemberRepository::create(const member::NewMember& member) {
  soci::session sql(database_.pool());
  const long long at = to_millis(member.at);
  try {
    sql << kInsert, soci::use(member.email), soci::use(member.password_hash), soci::use(member.nickname), soci::use(at),
        soci::use(at);
  } catch (const soci::soci_error&) {
    // The unique email index decides a race between two sign-ups with one email.
    if (find_by_email(member.email)) return Error{Errc::conflict, "that email is already registered"};
    throw;
  }
  std::string email = member.email;
  soci::rowset<soci::row> rows = (sql.prepare << kByEmail, soci::use(email));
  return *first_member(rows);
}

std::optional<member::Member> SqlMemberRepository::find(MemberId id) {
  soci::session sql(database_.pool());
  return find_one(sql, kById, id.value());
}

std::optional<member::Member> SqlMemberRepository::find_by_email(const std::string& email) {
  soci::session sql(database_.pool());
  soci::rowset<soci::row> rows = (sql.prepare << kByEmail, soci::use(email));
  return first_member(rows);
}

std::optional<std::pair<member::Member, std::string>> SqlMemberRepository::find_credentials(const std::string& email) {
  soci::session sql(database_.pool());
  soci::rowset<soci::row> rows = (sql.prepare << kCredentials, soci::use(email));
  for (const auto& row : rows) {
    RowReader reader(row);
    auto member = read_member(reader);
    return std::make_pair(std::move(member), reader.text());
  }
  return std::nullopt;
}

std::vector<member::Member> SqlMemberRepository::find_many(const std::vector<MemberId>& ids) {
  std::vector<member::Member> members;
  if (ids.empty()) return members;
  // One statement with a placeholder per id (at most 100, checked by the service).
  std::string query = kSelect + " WHERE m.id IN (";
  std::vector<long long> values;
  values.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    query += fmt::format("{}:id{}", i ? ", " : "", i);
    values.push_back(ids[i].value());
  }
  query += ")";
  soci::session sql(database_.pool());
  auto prepared = (sql.prepare << query);
  for (auto& value : values) prepared, soci::use(value);
  soci::rowset<soci::row> rows(prepared);
  for (const auto& row : rows) {
    RowReader reader(row);
    members.push_back(read_member(reader));
  }
  return members;
}

std::vector<member::Member> SqlMemberRepository::find_by_nickname_prefix(
    const std::string& prefix, const std::optional<member::NicknameCursor>& after, std::size_t limit) {
  soci::session sql(database_.pool());
  const std::string high = prefix + std::string(kHighestCodePoint);
  const long long count = static_cast<long long>(limit);
  std::vector<member::Member> members;
  auto collect = [&](soci::rowset<soci::row>& rows) {
    for (const auto& row : rows) {
      RowReader reader(row);
      members.push_back(read_member(reader));
    }
  };
  if (after) {
    const long long after_id = after->id.value();
    soci::rowset<soci::row> rows =
        (sql.prepare << kByNicknamePrefixAfter, soci::use(prefix), soci::use(high), soci::use(after->nickname),
         soci::use(after->nickname), soci::use(after_id), soci::use(count));
    collect(rows);
  } else {
    soci::rowset<soci::row> rows =
        (sql.prepare << kByNicknamePrefix, soci::use(prefix), soci::use(high), soci::use(count));
    collect(rows);
  }
  return members;
}

member::Member SqlMemberRepository::update_profile(MemberId id, const member::ProfilePatch& patch,
                                                   member::TimePoint at) {
  soci::session sql(database_.pool());
  WriteTransaction transaction(sql, database_.dialect());
  auto current = find_one(sql, locking(kById, database_.dialect()), id.value());
  if (!current) throw std::runtime_error("member vanished while updating");
  const auto nickname = patch.nickname.value_or(current->nickname);
  const auto status = patch.status_message.value_or(current->status_message);
  const auto profile_image = patch.profile_image.value_or(current->profile_image);
  const auto background_image = patch.background_image.value_or(current->background_image);
  NullableText profile(profile_image);
  NullableText background(background_image);
  const long long updated = to_millis(at);
  const long long member_id = id.value();
  sql << kUpdateProfile, soci::use(nickname), soci::use(status), soci::use(profile.value, profile.indicator),
      soci::use(background.value, background.indicator), soci::use(updated), soci::use(member_id);
  auto keep_history = [&](std::string_view kind, const std::optional<std::string>& before,
                          const std::optional<std::string>& after) {
    if (before == after) return;
    const std::string kind_name(kind);
    NullableText image(after);
    sql << kInsertHistory, soci::use(member_id), soci::use(kind_name), soci::use(image.value, image.indicator),
        soci::use(updated);
  };
  keep_history("profile", current->profile_image, profile_image);
  keep_history("background", current->background_image, background_image);
  transaction.commit();
  return *find_one(sql, kById, member_id);
}

std::vector<member::ProfileChange> SqlMemberRepository::profile_history(MemberId id, std::optional<std::int64_t> before,
                                                                        std::size_t limit) {
  soci::session sql(database_.pool());
  const long long member_id = id.value();
  const long long count = static_cast<long long>(limit);
  const long long before_id = before.value_or(0);
  soci::rowset<soci::row> rows =
      before ? (sql.prepare << kHistoryBefore, soci::use(member_id), soci::use(before_id), soci::use(count))
             : (sql.prepare << kHistory, soci::use(member_id), soci::use(count));
  std::vector<member::ProfileChange> history;
  for (const auto& row : rows) {
    RowReader reader(row);
    member::ProfileChange change;
    change.id = reader.integer();
    change.member = id;
    change.kind =
        reader.text() == "profile" ? member::ProfileChange::Kind::profile : member::ProfileChange::Kind::background;
    change.image = reader.optional_text();
    change.at = reader.time();
    history.push_back(std::move(change));
  }
  return history;
}

}  // namespace modu::storage
