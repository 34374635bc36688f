#include "domain/auth/tokens.hpp"

#include <jwt.h>
#include <sodium.h>

#include <charconv>
#include <cstdlib>
#include <memory>
#include <optional>

namespace modu::auth {
namespace {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

Error invalid(std::string message) { return {Errc::unauthorized, std::move(message)}; }

}  // namespace

AccessTokens::Issued AccessTokens::issue(MemberId member, const std::string& session_id) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("libjwt: out of memory");
  JwtPtr jwt(raw);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  const auto subject = std::to_string(member.value());
  const auto id = random_token();
  jwt_add_grant(jwt.get(), "sub", subject.c_str());
  jwt_add_grant(jwt.get(), "jti", id.c_str());
  jwt_add_grant(jwt.get(), "sid", session_id.c_str());
  jwt_add_grant_int(jwt.get(), "iat", now);
  jwt_add_grant_int(jwt.get(), "exp", now + lifetime_.count());
  jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret_.data()),
              static_cast<int>(secret_.size()));
  char* encoded = jwt_encode_str(jwt.get());
  if (!encoded) throw std::runtime_error("libjwt: cannot encode");
  std::string token(encoded);
  std::free(encoded);
  return {std::move(token), lifetime_};
}

Result<Principal> AccessTokens::verify(std::string_view token) const {
  std::optional<Principal> known;
  {
    std::lock_guard lock(verified_mutex_);
    if (auto found = verified_.find(token); found != verified_.end()) known = found->second;
  }
  if (!known) {
    std::string text(token);
    auto decoded = decode(text);
    if (!decoded) return decoded;
    known = std::move(*decoded);
    std::lock_guard lock(verified_mutex_);
    if (verified_.size() >= kVerifiedMax) verified_.clear();  // forgetting only costs a decode
    verified_.emplace(std::move(text), *known);
  }
  if (clock_.now() >= known->expires_at) return invalid("the access token has expired");
  return std::move(*known);
}

Result<Principal> AccessTokens::decode(const std::string& text) const {
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(secret_.data()),
                 static_cast<int>(secret_.size())) != 0 ||
      !raw) {
    if (raw) jwt_free(raw);
    return invalid("the access token is not valid");
  }
  JwtPtr jwt(raw);
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return invalid("the access token is not valid");

  const char* subject = jwt_get_grant(jwt.get(), "sub");
  const char* id = jwt_get_grant(jwt.get(), "jti");
  const char* session = jwt_get_grant(jwt.get(), "sid");
  const long expires = jwt_get_grant_int(jwt.get(), "exp");
  std::int64_t member = 0;
  if (!subject || !id || !session || expires <= 0) return invalid("the access token is not valid");
  const auto subject_end = subject + std::strlen(subject);
  if (auto [end, ec] = std::from_chars(subject, subject_end, member); ec != std::errc() || end != subject_end || member <= 0) {
    return invalid("the access token is not valid");
  }
  const auto expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(expires));
  return Principal{MemberId(member), id, session, expires_at};
}

std::string random_token() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return text;
}

std::string token_hash(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace modu::auth
