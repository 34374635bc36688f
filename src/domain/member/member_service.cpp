#include "domain/member/member_service.hpp"

#include "core/text.hpp"
#include "domain/member/validation.hpp"

#include <fmt/format.h>

namespace modu::member {
namespace {

Error no_such_member() { return Error::not_found("no such member"); }

/// Checks an image field of a patch in place; an empty string means "remove".
Result<void> normalize_image(std::optional<std::optional<std::string>>& field, std::string_view name) {
  if (!field || !*field) return {};
  if ((*field)->empty()) {
    field->reset();
    return {};
  }
  auto checked = check_image_reference(**field, name);
  if (!checked) return checked.error();
  return {};
}

}  // namespace

Result<Member> MemberService::get(MemberId id) {
  auto member = members_.find(id);
  if (!member) return no_such_member();
  return std::move(*member);
}

Result<Member> MemberService::find_by_email(std::string_view email) {
  auto normalized = normalize_email(email);
  if (!normalized) return normalized.error();
  auto member = members_.find_by_email(*normalized);
  if (!member) return no_such_member();
  return std::move(*member);
}

Result<std::vector<Member>> MemberService::find_many(const std::vector<MemberId>& ids) {
  if (ids.size() > kMaxBatch) return Error::validation(fmt::format("at most {} ids at once", kMaxBatch));
  return members_.find_many(ids);
}

Result<Page<Member, NicknameCursor>> MemberService::find_by_nickname_prefix(std::string_view prefix,
                                                                            const std::optional<NicknameCursor>& after,
                                                                            std::size_t size) {
  // Not trimmed: "Kim " finds "Kim A", not "Kimberly".
  if (prefix.empty() || code_points(prefix) > kNicknameMax || has_control_characters(prefix)) {
    return Error::validation(fmt::format("parameter 'nickname' must be 1 to {} characters", kNicknameMax));
  }
  Page<Member, NicknameCursor> page;
  page.items = members_.find_by_nickname_prefix(std::string(prefix), after, size + 1);
  if (page.items.size() > size) {
    page.items.resize(size);
    page.next = NicknameCursor{page.items.back().nickname, page.items.back().id};
  }
  return page;
}

Result<Member> MemberService::update_profile(MemberId me, ProfilePatch patch) {
  auto current = members_.find(me);
  if (!current) return no_such_member();
  if (patch.nickname) {
    auto nickname = normalize_nickname(*patch.nickname);
    if (!nickname) return nickname.error();
    patch.nickname = std::move(*nickname);
  }
  if (patch.status_message) {
    auto status = normalize_status_message(*patch.status_message, status_message_max_length_);
    if (!status) return status.error();
    patch.status_message = std::move(*status);
  }
  if (auto ok = normalize_image(patch.profile_image, "profileImage"); !ok) return ok.error();
  if (auto ok = normalize_image(patch.background_image, "backgroundImage"); !ok) return ok.error();

  return members_.update_profile(me, patch, clock_.now());
}

Result<Page<ProfileChange, std::int64_t>> MemberService::profile_history(MemberId id,
                                                                         std::optional<std::int64_t> before,
                                                                         std::size_t size) {
  if (!members_.find(id)) return no_such_member();
  Page<ProfileChange, std::int64_t> page;
  page.items = members_.profile_history(id, before, size + 1);
  if (page.items.size() > size) {
    page.items.resize(size);
    page.next = page.items.back().id;
  }
  return page;
}

}  // namespace modu::member
