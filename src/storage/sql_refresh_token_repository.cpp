#include "storage/sql_refresh_token_repository.hpp"

#include "storage/rows.hpp"
#include "storage/write_transaction.hpp"

namespace modu::storage {
namespace {

constexpr std::string_view kInsert =
    "INSERT INTO refresh_tokens (member_id, family_id, token_hash, created_at, expires_at) "
    "VALUES (:member, :family, :hash, :created, :expires)";
constexpr std::string_view kFind =
    "SELECT id, member_id, family_id, expires_at, spent_at, revoked_at FROM refresh_tokens WHERE token_hash = :hash";
// The WHERE makes spending atomic: of two reissues racing with one token, one updates
// the row and the other finds nothing to update.
constexpr std::string_view kSpend =
    "UPDATE refresh_tokens SET spent_at = :at WHERE id = :id AND spent_at IS NULL AND revoked_at IS NULL";
constexpr std::string_view kRevokeFamily =
    "UPDATE refresh_tokens SET revoked_at = :at WHERE family_id = :family AND revoked_at IS NULL";

}  // namespace

void SqlRefreshTokenRepository::add(MemberId member, const std::string& family, const std::string& hash,
                                    auth::TimePoint at, auth::TimePoint expires_at) {
  soci::session sql(database_.pool());
  const long long member_id = member.value();
  const long long created = to_millis(at);
  const long long expires = to_millis(expires_at);
  sql << kInsert, soci::use(member_id), soci::use(family), soci::use(hash), soci::use(created), soci::use(expires);
}

std::optional<auth::RefreshToken> SqlRefreshTokenRepository::find(const std::string& hash) {
  soci::session sql(database_.pool());
  soci::rowset<soci::row> rows = (sql.prepare << kFind, soci::use(hash));
  for (const auto& row : rows) {
    RowReader reader(row);
    auth::RefreshToken token;
    token.id = reader.integer();
    token.member = MemberId(reader.integer());
    token.family = reader.text();
    token.expires_at = reader.time();
    token.spent = reader.optional_integer().has_value();
    token.revoked = reader.optional_integer().has_value();
    return token;
  }
  return std::nullopt;
}

bool SqlRefreshTokenRepository::rotate(const auth::RefreshToken& spent, const std::string& next_hash,
                                       auth::TimePoint at, auth::TimePoint expires_at) {
  soci::session sql(database_.pool());
  WriteTransaction transaction(sql, database_.dialect());
  const long long when = to_millis(at);
  const long long token_id = spent.id;
  soci::statement spend = (sql.prepare << kSpend, soci::use(when), soci::use(token_id));
  spend.execute(true);
  if (spend.get_affected_rows() != 1) return false;
  const long long member_id = spent.member.value();
  const long long expires = to_millis(expires_at);
  sql << kInsert, soci::use(member_id), soci::use(spent.family), soci::use(next_hash), soci::use(when),
      soci::use(expires);
  transaction.commit();
  return true;
}

void SqlRefreshTokenRepository::revoke_family(const std::string& family, auth::TimePoint at) {
  soci::session sql(database_.pool());
  const long long when = to_millis(at);
  sql << kRevokeFamily, soci::use(when), soci::use(family);
}

}  // namespace modu::storage
