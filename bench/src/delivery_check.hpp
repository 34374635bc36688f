#pragma once

#include <string.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace modu::bench {

/// What the bench puts in every clientMsgId: `<run>.<publisher>.<n>.<sent>`, the run's id,
/// the publisher's index, its message number (0, 1, 2, ...) and the send time in
/// microseconds since the run's start. A delivery carries it back, in Modu's message JSON
/// as in the body RabbitMQ hands on unchanged, so a subscriber learns the latency, who sent
/// it and whether anything of that publisher is missing, without shared state.
struct BenchMessageId {
  std::uint32_t publisher = 0;
  std::int64_t number = 0;
  std::int64_t sent_micros = 0;
};

namespace detail {

inline std::optional<std::int64_t> number_at(std::string_view& text, char end) {
  std::int64_t value = 0;
  auto [stop, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || stop == text.data() + text.size() || *stop != end) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(stop - text.data()) + 1);
  return value;
}

}  // namespace detail

/// Finds `"clientMsgId":"<run>.p.n.t"` in a delivered JSON body (compact JSON, as Boost.JSON
/// writes it and as the bench sends it). nullopt when absent or of another run.
inline std::optional<BenchMessageId> find_bench_id(std::string_view body, std::string_view run_id) {
  constexpr std::string_view kKey = R"("clientMsgId":")";
  // memmem, not string_view::find: JSON is full of the key's first character, '"'.
  const auto* at = static_cast<const char*>(memmem(body.data(), body.size(), kKey.data(), kKey.size()));
  if (!at) return std::nullopt;
  auto text = body.substr(static_cast<std::size_t>(at - body.data()) + kKey.size());
  if (!text.starts_with(run_id) || text.size() <= run_id.size() || text[run_id.size()] != '.') return std::nullopt;
  text.remove_prefix(run_id.size() + 1);
  auto publisher = detail::number_at(text, '.');
  if (!publisher || *publisher < 0) return std::nullopt;
  auto number = detail::number_at(text, '.');
  if (!number) return std::nullopt;
  auto sent = detail::number_at(text, '"');
  if (!sent) return std::nullopt;
  return BenchMessageId{static_cast<std::uint32_t>(*publisher), *number, *sent};
}

/// Modu's `"seq":N` in a message JSON; nullopt when absent.
inline std::optional<std::int64_t> find_seq(std::string_view body) {
  constexpr std::string_view kKey = R"("seq":)";
  const auto* at = static_cast<const char*>(memmem(body.data(), body.size(), kKey.data(), kKey.size()));
  if (!at) return std::nullopt;
  const auto* begin = at + kKey.size();
  std::int64_t value = 0;
  auto [stop, ec] = std::from_chars(begin, body.data() + body.size(), value);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

}  // namespace modu::bench
