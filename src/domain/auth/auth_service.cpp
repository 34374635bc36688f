#include "domain/auth/auth_service.hpp"

#include "domain/member/validation.hpp"

#include <spdlog/spdlog.h>

namespace modu::auth {
namespace {

Error bad_credentials() { return {Errc::unauthorized, "wrong email or password"}; }
Error bad_refresh_token() { return {Errc::unauthorized, "the refresh token is not valid; log in again"}; }

}  // namespace

Result<member::Member> AuthService::sign_up(std::string_view email, std::string_view password,
                                            std::string_view nickname) {
  auto normalized_email = member::normalize_email(email);
  if (!normalized_email) return normalized_email.error();
  if (auto ok = member::check_password(password); !ok) return ok.error();
  auto normalized_nickname = member::normalize_nickname(nickname);
  if (!normalized_nickname) return normalized_nickname.error();
  if (members_.find_by_email(*normalized_email)) return Error{Errc::conflict, "that email is already registered"};
  return members_.create({*normalized_email, passwords_.hash(password), *normalized_nickname, clock_.now()});
}

Result<Session> AuthService::log_in(std::string_view email, std::string_view password, const std::string& client) {
  auto normalized = member::normalize_email(email);
  const auto key = normalized ? *normalized : std::string(email);
  if (auto wait = throttle_.begin_attempt(key, client)) {
    Error throttled{Errc::too_many_requests, "too many failed logins; try again later"};
    throttled.retry_after_seconds = *wait;
    return throttled;
  }
  auto credentials = normalized ? members_.find_credentials(*normalized) : std::nullopt;
  if (!credentials) {
    passwords_.verify_nothing(password);
    return bad_credentials();
  }
  if (!passwords_.verify(credentials->second, password)) return bad_credentials();
  throttle_.succeeded(key, client);
  const auto now = clock_.now();
  const auto family = random_token();
  auto refresh = random_token();
  refresh_tokens_.add(credentials->first.id, family, token_hash(refresh), now, now + refresh_lifetime_);
  return session_for(credentials->first, family, std::move(refresh));
}

Result<Session> AuthService::reissue(std::string_view refresh_token) {
  const auto now = clock_.now();
  auto stored = refresh_tokens_.find(token_hash(refresh_token));
  if (!stored || stored->revoked || stored->expires_at <= now) return bad_refresh_token();
  auto member = members_.find(stored->member);
  if (!member) return bad_refresh_token();
  auto next = random_token();
  if (stored->spent || !refresh_tokens_.rotate(*stored, token_hash(next), now, now + refresh_lifetime_)) {
    spdlog::warn("refresh token reused for member {}: revoking its session", stored->member.value());
    refresh_tokens_.revoke_family(stored->family, now);
    deny_list_.deny(stored->family, now + access_tokens_.lifetime());  // and the access tokens it issued
    publisher_.session_revoked(stored->member, stored->family);
    return Error{Errc::unauthorized, "this refresh token was already used; the session is revoked, log in again"};
  }
  return session_for(*member, stored->family, std::move(next));
}

void AuthService::log_out(const Principal& principal) {
  const auto now = clock_.now();
  refresh_tokens_.revoke_family(principal.session_id, now);
  // Every access token of the session, not just the one presented, stops working.
  deny_list_.deny(principal.session_id, now + access_tokens_.lifetime());
  deny_list_.deny(principal.token_id, principal.expires_at);
  publisher_.session_revoked(principal.member, principal.session_id);
}

Result<Principal> AuthService::authenticate(std::string_view access_token) const {
  auto principal = access_tokens_.verify(access_token);
  if (!principal) return principal;
  if (deny_list_.denied(principal->token_id) || deny_list_.denied(principal->session_id))
    return Error{Errc::unauthorized, "the access token was revoked"};
  return principal;
}

Session AuthService::session_for(const member::Member& member, const std::string& family, std::string refresh_token) {
  auto access = access_tokens_.issue(member.id, family);
  return {std::move(access.token), std::move(refresh_token), access.expires_in, member};
}

}  // namespace modu::auth
