#pragma once

#include "core/worker_pool.hpp"
#include "domain/auth/auth_service.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"

namespace modu::api {

/// POST /api/v1/auth/signup, /login, /reissue, /logout; GET /api/v1/auth/check.
/// Sign-up and login hash a password (argon2id, slow on purpose): they run on
/// `password_workers`, so that a burst of them cannot take every thread of `workers` from
/// the other requests.
void add_auth_routes(http::Router& router, auth::AuthService& auth, WorkerPool& workers, WorkerPool& password_workers);

/// Checks `Authorization: Bearer <access token>` for routes that need a member.
class BearerAuthenticator final : public http::Authenticator {
 public:
  explicit BearerAuthenticator(const auth::AuthService& auth) : auth_(auth) {}
  boost::asio::awaitable<Result<Principal>> authenticate(const http::Request& request) const override;

 private:
  const auth::AuthService& auth_;
};

}  // namespace modu::api
