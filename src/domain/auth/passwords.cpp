#include "domain/auth/passwords.hpp"

#include <sodium.h>

#include <stdexcept>

namespace modu::auth {

PasswordHasher::PasswordHasher(unsigned long long ops_limit, std::size_t mem_limit_bytes)
    : ops_limit_(ops_limit), mem_limit_bytes_(mem_limit_bytes) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot start");
  decoy_hash_ = hash("decoy password nobody has");
}

std::string PasswordHasher::hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), ops_limit_, mem_limit_bytes_) != 0) {
    throw std::runtime_error("argon2id: out of memory");
  }
  return out;
}

bool PasswordHasher::verify(const std::string& hash, std::string_view password) const {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::verify_nothing(std::string_view password) const { verify(decoy_hash_, password); }

}  // namespace modu::auth
