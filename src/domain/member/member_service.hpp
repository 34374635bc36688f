#pragma once

#include "core/clock.hpp"
#include "core/page.hpp"
#include "domain/member/member_repository.hpp"

namespace modu::member {

/// Profiles and look-ups. Blocking: call from the worker pool.
/// @par Thread safety
/// Stateless; safe to call from any number of threads.
class MemberService {
 public:
  static constexpr std::size_t kMaxBatch = 100;

  MemberService(MemberRepository& members, const Clock& clock, std::size_t status_message_max_length)
      : members_(members), clock_(clock), status_message_max_length_(status_message_max_length) {}

  Result<Member> get(MemberId id);
  Result<Member> find_by_email(std::string_view email);
  /// VALIDATION_FAILED for more than 100 ids.
  Result<std::vector<Member>> find_many(const std::vector<MemberId>& ids);
  Result<Page<Member, NicknameCursor>> find_by_nickname_prefix(std::string_view prefix,
                                                               const std::optional<NicknameCursor>& after,
                                                               std::size_t size);
  /// Validates the patch, applies it, and keeps image changes as history.
  Result<Member> update_profile(MemberId me, ProfilePatch patch);
  Result<Page<ProfileChange, std::int64_t>> profile_history(MemberId id, std::optional<std::int64_t> before,
                                                            std::size_t size);

 private:
  MemberRepository& members_;
  const Clock& clock_;
  std::size_t status_message_max_length_;
};

}  // namespace modu::member
