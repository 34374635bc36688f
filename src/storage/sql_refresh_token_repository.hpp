#pragma once

#include "domain/auth/refresh_token_repository.hpp"
#include "storage/database.hpp"

namespace modu::storage {

class SqlRefreshTokenRepository final : public auth::RefreshTokenRepository {
 public:
  explicit SqlRefreshTokenRepository(Database& database) : database_(database) {}

  void add(MemberId member, const std::string& family, const std::string& hash, auth::TimePoint at,
           auth::TimePoint expires_at) override;
  std::optional<auth::RefreshToken> find(const std::string& hash) override;
  bool rotate(const auth::RefreshToken& spent, const std::string& next_hash, auth::TimePoint at,
              auth::TimePoint expires_at) override;
  void revoke_family(const std::string& family, auth::TimePoint at) override;

 private:
  Database& database_;
};

}  // namespace modu::storage
