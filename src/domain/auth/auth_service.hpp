#pragma once

#include "core/clock.hpp"
#include "domain/auth/deny_list.hpp"
#include "domain/auth/login_throttle.hpp"
#include "domain/auth/passwords.hpp"
#include "domain/auth/refresh_token_repository.hpp"
#include "domain/auth/tokens.hpp"
#include "domain/events/publisher.hpp"
#include "domain/member/member_repository.hpp"

namespace modu::auth {

/// What a login or reissue hands the client.
struct Session {
  std::string access_token;
  std::string refresh_token;
  std::chrono::seconds expires_in;
  member::Member member;
};

/// Sign-up, login, reissue with rotating refresh tokens (reuse revokes the family),
/// logout, and checking access tokens. Blocking where it hashes or stores: call those
/// from the worker pool; `authenticate` is cheap and may run on an I/O thread.
/// @par Thread safety
/// Safe from any thread.
class AuthService {
 public:
  AuthService(member::MemberRepository& members, RefreshTokenRepository& refresh_tokens, TokenDenyList& deny_list,
              const PasswordHasher& passwords, const AccessTokens& access_tokens, LoginThrottle& throttle,
              events::Publisher& publisher, const Clock& clock, std::chrono::hours refresh_lifetime)
      : members_(members),
        refresh_tokens_(refresh_tokens),
        deny_list_(deny_list),
        publisher_(publisher),
        passwords_(passwords),
        access_tokens_(access_tokens),
        throttle_(throttle),
        clock_(clock),
        refresh_lifetime_(refresh_lifetime) {}

  /// VALIDATION_FAILED for a bad email, password or nickname; CONFLICT for a taken email.
  Result<member::Member> sign_up(std::string_view email, std::string_view password, std::string_view nickname);
  /// UNAUTHORIZED for a wrong email or password (the same answer for both);
  /// TOO_MANY_REQUESTS with a retry time after repeated failures.
  Result<Session> log_in(std::string_view email, std::string_view password, const std::string& client);
  /// Spends the refresh token and hands out a new pair in the same family. A token
  /// already spent revokes the family: someone else holds a copy.
  Result<Session> reissue(std::string_view refresh_token);
  /// Ends the session: revokes its refresh family and deny-lists the access token.
  void log_out(const Principal& principal);
  /// The principal of a valid, not deny-listed access token.
  Result<Principal> authenticate(std::string_view access_token) const;

 private:
  Session session_for(const member::Member& member, const std::string& family, std::string refresh_token);

  member::MemberRepository& members_;
  RefreshTokenRepository& refresh_tokens_;
  TokenDenyList& deny_list_;
  events::Publisher& publisher_;
  const PasswordHasher& passwords_;
  const AccessTokens& access_tokens_;
  LoginThrottle& throttle_;
  const Clock& clock_;
  std::chrono::hours refresh_lifetime_;
};

}  // namespace modu::auth
