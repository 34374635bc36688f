#pragma once

#include "domain/member/member_repository.hpp"
#include "storage/database.hpp"

namespace modu::storage {

class SqlMemberRepository final : public member::MemberRepository {
 public:
  explicit SqlMemberRepository(Database& database) : database_(database) {}

  Result<member::Member> create(const member::NewMember& member) override;
  std::optional<member::Member> find(MemberId id) override;
  std::optional<member::Member> find_by_email(const std::string& email) override;
  std::optional<std::pair<member::Member, std::string>> find_credentials(const std::string& email) override;
  std::vector<member::Member> find_many(const std::vector<MemberId>& ids) override;
  std::vector<member::Member> find_by_nickname_prefix(const std::string& prefix,
                                                      const std::optional<member::NicknameCursor>& after,
                                                      std::size_t limit) override;
  member::Member update_profile(MemberId id, const member::ProfilePatch& patch, member::TimePoint at) override;
  std::vector<member::ProfileChange> profile_history(MemberId id, std::optional<std::int64_t> before,
                                                     std::size_t limit) override;

 private:
  Database& database_;
};

/// The member columns in the order `read_member` takes them, for queries that join.
inline constexpr std::string_view kMemberColumns =
    "m.id, m.email, m.nickname, m.status_message, m.profile_image, m.background_image, m.created_at, m.updated_at";
member::Member read_member(class RowReader& row);

}  // namespace modu::storage
