#pragma once

#include "core/errors.hpp"
#include "domain/member/member.hpp"

#include <optional>
#include <vector>

namespace modu::member {

struct NewMember {
  std::string email;
  std::string password_hash;
  std::string nickname;
  TimePoint at;
};

/// Members as stored. Blocking: call from the worker pool.
class MemberRepository {
 public:
  virtual ~MemberRepository() = default;

  /// CONFLICT when the email is taken.
  virtual Result<Member> create(const NewMember& member) = 0;
  virtual std::optional<Member> find(MemberId id) = 0;
  virtual std::optional<Member> find_by_email(const std::string& email) = 0;
  /// The stored password hash for an email, with the member.
  virtual std::optional<std::pair<Member, std::string>> find_credentials(const std::string& email) = 0;
  /// Those of `ids` that exist, in one query, in no particular order.
  virtual std::vector<Member> find_many(const std::vector<MemberId>& ids) = 0;
  /// Members whose nickname starts with `prefix`, by (nickname, id), after `after`.
  virtual std::vector<Member> find_by_nickname_prefix(const std::string& prefix,
                                                      const std::optional<NicknameCursor>& after,
                                                      std::size_t limit) = 0;
  /// Applies a validated patch and, in the same transaction, keeps each image that
  /// changes (against the stored profile, so concurrent edits record no stale or
  /// doubled history) as a profile history entry.
  virtual Member update_profile(MemberId id, const ProfilePatch& patch, TimePoint at) = 0;
  /// History newest first, with ids below `before` when given.
  virtual std::vector<ProfileChange> profile_history(MemberId id, std::optional<std::int64_t> before,
                                                     std::size_t limit) = 0;
};

}  // namespace modu::member
