#include "ws/stomp_session.hpp"

#include "api/message_input.hpp"
#include "http/bearer_token.hpp"
#include "http/json_body.hpp"
#include "ws/stomp/encoder.hpp"
#include "ws/stomp/version.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>

namespace modu::ws {
namespace {

/// Where a frame is addressed: `/topic/rooms/{id}`, `/user/queue/events`, or one of
/// `/app/rooms/{id}/messages|read|typing`.
struct Destination {
  enum class Kind { room_topic, my_events, send_message, mark_read, typing };
  Kind kind;
  RoomId room{0};
};

/// A room id as the server writes it: no sign, no leading zero (`/topic/rooms/013` would be
/// answered under `/topic/rooms/13`, which a client routing by destination misses).
std::optional<std::int64_t> positive_id(std::string_view text) {
  if (text.starts_with('0')) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

std::optional<Destination> parse_destination(std::string_view destination) {
  using Kind = Destination::Kind;
  if (destination == "/user/queue/events") return Destination{Kind::my_events};
  constexpr std::string_view kTopic = "/topic/rooms/";
  if (destination.starts_with(kTopic)) {
    auto id = positive_id(destination.substr(kTopic.size()));
    if (!id) return std::nullopt;
    return Destination{Kind::room_topic, RoomId(*id)};
  }
  constexpr std::string_view kApp = "/app/rooms/";
  if (!destination.starts_with(kApp)) return std::nullopt;
  auto rest = destination.substr(kApp.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto id = positive_id(rest.substr(0, slash));
  if (!id) return std::nullopt;
  const auto action = rest.substr(slash + 1);
  if (action == "messages") return Destination{Kind::send_message, RoomId(*id)};
  if (action == "read") return Destination{Kind::mark_read, RoomId(*id)};
  if (action == "typing") return Destination{Kind::typing, RoomId(*id)};
  return std::nullopt;
}

Error unknown_destination(std::string_view destination) {
  return Error::bad_request(fmt::format("unknown destination '{}'", destination));
}

Result<std::string_view> required_header(const stomp::Frame& frame, std::string_view name) {
  auto value = frame.header(name);
  if (!value || value->empty()) {
    return Error::bad_request(fmt::format("{} needs the header '{}'", stomp::command_name(frame.command), name));
  }
  return *value;
}

std::shared_ptr<const std::string> encoded(stomp::Frame frame) {
  return std::make_shared<const std::string>(stomp::encode(frame));
}

}  // namespace

StompSession::StompSession(const StompSettings& settings, const StompServices& services, Transport& transport,
                           Hub::Shard& shard)
    : settings_(settings),
      services_(services),
      transport_(transport),
      shard_(shard),
      tokens_(settings.frames_per_second),
      refilled_(std::chrono::steady_clock::now()) {}

StompSession::~StompSession() {
  std::vector<bus::Channel> channels;
  channels.reserve(subscriptions_.size());
  for (const auto& [id, channel] : subscriptions_) channels.push_back(channel);
  shard_.forget(*this, member_, channels);
  if (member_) services_.presence.disconnected(*member_);
}

boost::asio::awaitable<void> StompSession::receive(std::string_view bytes) {
  if (finished_) co_return;
  if (!parser_) parser_ = std::make_unique<stomp::Parser>(settings_.limits, escapes());
  parser_->feed(bytes);
  while (!finished_) {
    auto event = parser_->next();
    if (!event) {
      const auto& receipt = parser_->failed_receipt();
      fail(event.error(), receipt ? std::optional<std::string_view>(*receipt) : std::nullopt);
      co_return;
    }
    if (!*event) {
      if (parser_->idle()) parser_.reset();  // a frame cut across messages keeps it
      co_return;
    }
    const auto* frame = std::get_if<stomp::Frame>(&**event);
    if (!frame) continue;  // a heart-beat: the transport saw the bytes arrive, that is all
    if (!within_rate()) {
      fail(Error{Errc::too_many_requests, fmt::format("more than {} frames a second", settings_.frames_per_second)});
      co_return;
    }
    auto handled = co_await handle(*frame);
    if (parser_) parser_->use(escapes());  // what a CONNECT just agreed
    if (!handled) fail(handled.error(), frame->header("receipt"));
  }
}

bool StompSession::within_rate() {
  // A token bucket: a second's worth of frames may come at once, then the rate holds.
  const auto now = std::chrono::steady_clock::now();
  const double rate = settings_.frames_per_second;
  tokens_ = std::min(rate, tokens_ + rate * std::chrono::duration<double>(now - refilled_).count());
  refilled_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

boost::asio::awaitable<Result<void>> StompSession::handle(const stomp::Frame& frame) {
  using stomp::Command;
  if (!member_) {
    if (frame.command != Command::connect && frame.command != Command::stomp) {
      co_return Error{Errc::unauthorized, "send CONNECT with an access token first"};
    }
    co_return connect(frame);
  }
  // A frame that joins a transaction (SEND, ACK, NACK) is refused, not run at once.
  const bool joins_transactions =
      frame.command == Command::send || frame.command == Command::ack || frame.command == Command::nack;
  if (joins_transactions && frame.header("transaction")) {
    co_return Error::bad_request(
        fmt::format("{} names a transaction: transactions are not supported here", stomp::command_name(frame.command)));
  }
  switch (frame.command) {
    case Command::connect:
    case Command::stomp:
      co_return Error::bad_request("already connected");
    case Command::subscribe:
      co_return co_await subscribe(frame);
    case Command::unsubscribe:
      co_return unsubscribe(frame);
    case Command::send:
      co_return co_await send(frame);
    case Command::disconnect:
      receipt(frame);
      finished_ = true;
      transport_.close();
      co_return Result<void>{};
    case Command::ack:
    case Command::nack:
      // Taken, and nothing waits on them (with ack:client too): what was committed is in
      // the database, and a client that missed something pages `after=seq`.
      // What names the message: STOMP 1.2 sends the MESSAGE's `ack` back as `id`, 1.1 its `message-id`.
      if (auto id = required_header(frame, version_1_2_ ? "id" : "message-id"); !id) co_return id.error();
      receipt(frame);
      co_return Result<void>{};
    case Command::begin:
    case Command::commit:
    case Command::abort:
      co_return Error::bad_request(
          fmt::format("{}: transactions are not supported here", stomp::command_name(frame.command)));
    case Command::connected:
    case Command::message:
    case Command::receipt:
    case Command::error:
      break;
  }
  co_return Error::bad_request(
      fmt::format("{} is a frame the server sends, not the client", stomp::command_name(frame.command)));
}

Result<void> StompSession::connect(const stomp::Frame& frame) {
  auto version = stomp::negotiate_version(frame.header("accept-version"));
  if (!version) return version.error();
  auto client_beats = stomp::parse_heart_beat(frame.header("heart-beat"));
  if (!client_beats) return client_beats.error();

  std::optional<std::string_view> token;
  if (auto authorization = frame.header("Authorization")) token = http::bearer_token(*authorization);
  if (auto passcode = frame.header("passcode"); !token && passcode) token = *passcode;
  if (!token || token->empty()) {
    return Error{Errc::unauthorized, "CONNECT needs an access token: 'Authorization: Bearer <token>' or 'passcode'"};
  }
  auto principal = services_.auth.authenticate(*token);
  if (!principal) return principal.error();
  member_ = principal->member;
  session_id_ = std::move(principal->session_id);
  token_expires_at_ = principal->expires_at;
  version_1_2_ = *version == "1.2";
  shard_.attach(*member_, *this);
  services_.presence.connected(*member_);

  const auto plan = stomp::negotiate_heart_beat(*client_beats, settings_.heart_beat);
  transport_.reply(encoded({stomp::Command::connected,
                            {{"version", std::string(*version)},
                             {"heart-beat", stomp::format_heart_beat(settings_.heart_beat)},
                             {"server", "modu/" MODU_VERSION},
                             {"user-name", std::to_string(member_->value())}},
                            {}}));
  transport_.heart_beat(plan);
  return {};
}

boost::asio::awaitable<Result<void>> StompSession::subscribe(const stomp::Frame& frame) {
  auto id = required_header(frame, "id");
  if (!id) co_return id.error();
  auto destination_text = required_header(frame, "destination");
  if (!destination_text) co_return destination_text.error();
  const auto same_id = [&](const Subscription& s) { return s.id == *id; };
  if (std::any_of(subscriptions_.begin(), subscriptions_.end(), same_id)) {
    co_return Error::bad_request(fmt::format("subscription id '{}' is in use", *id));
  }
  if (subscriptions_.size() >= settings_.max_subscriptions) {
    co_return Error::bad_request(fmt::format("at most {} subscriptions per connection", settings_.max_subscriptions));
  }
  const auto ack = frame.header("ack").value_or("auto");
  if (ack != "auto" && ack != "client" && ack != "client-individual") {
    co_return Error::bad_request(fmt::format("ack '{}' is none of auto, client, client-individual", ack));
  }
  auto destination = parse_destination(*destination_text);
  if (!destination) co_return unknown_destination(*destination_text);

  bus::Channel channel{};
  if (destination->kind == Destination::Kind::my_events) {
    channel = {bus::Channel::Kind::member, member_->value()};
  } else if (destination->kind == Destination::Kind::room_topic) {
    const auto member = *member_;
    const auto room = destination->room;
    auto allowed = co_await services_.workers.run([&] { return services_.rooms.require_member(member, room); });
    if (!allowed) co_return allowed.error();
    if (finished_) co_return Result<void>{};  // closed while the check ran
    channel = {bus::Channel::Kind::room, room.value()};
  } else {
    co_return Error::bad_request(fmt::format("'{}' takes SEND, not SUBSCRIBE", *destination_text));
  }
  subscriptions_.push_back({std::string(*id), channel});
  shard_.subscribe(channel, *this, *member_, *id, ack != "auto");
  receipt(frame);
  co_return Result<void>{};
}

Result<void> StompSession::unsubscribe(const stomp::Frame& frame) {
  auto id = required_header(frame, "id");
  if (!id) return id.error();
  auto found =
      std::find_if(subscriptions_.begin(), subscriptions_.end(), [&](const Subscription& s) { return s.id == *id; });
  // An id not (or no longer) subscribed is no error: the server ends subscriptions itself
  // (the member left the room), and a client that then unsubscribes is only tidying up.
  if (found != subscriptions_.end()) {
    shard_.unsubscribe(found->channel, *this, found->id);
    subscriptions_.erase(found);
  }
  receipt(frame);
  return {};
}

boost::asio::awaitable<Result<void>> StompSession::send(const stomp::Frame& frame) {
  auto destination_text = required_header(frame, "destination");
  if (!destination_text) co_return destination_text.error();
  auto destination = parse_destination(*destination_text);
  if (!destination) co_return unknown_destination(*destination_text);
  const auto member = *member_;
  const auto room = destination->room;

  switch (destination->kind) {
    case Destination::Kind::send_message: {
      auto body = http::parse_json_object(frame.body);
      if (!body) co_return body.error();
      auto message = api::parse_outgoing_message(*body);
      if (!message) co_return message.error();
      auto sent = co_await services_.chat.send(member, room, message->type, std::move(message->body),
                                               std::move(message->client_msg_id));
      if (!sent) co_return sent.error();
      break;
    }
    case Destination::Kind::mark_read: {
      auto body = http::parse_json_object(frame.body);
      if (!body) co_return body.error();
      auto seq = http::Fields(*body).required_int("seq");
      if (!seq) co_return seq.error();
      auto read = co_await services_.workers.run([&] { return services_.rooms.mark_read(member, room, *seq); });
      if (!read) co_return read.error();
      break;
    }
    case Destination::Kind::typing: {
      auto shown = co_await services_.workers.run([&] { return services_.chat.typing_shown(member, room); });
      if (!shown) co_return shown.error();
      if (*shown) services_.events.typing(room, member);
      break;
    }
    default:
      co_return Error::bad_request(fmt::format("'{}' takes SUBSCRIBE, not SEND", *destination_text));
  }
  // Only now, with the message committed: the receipt is the client's proof of it.
  if (!finished_) receipt(frame);
  co_return Result<void>{};
}

void StompSession::control(const bus::Event& event) {
  if (finished_) return;
  boost::system::error_code ec;
  const auto body = boost::json::parse(*event.body, ec);
  if (ec || !body.is_object()) return;
  const auto& fields = body.as_object();
  if (event.type == "left") {
    const auto* room = fields.if_contains("roomId");
    if (!room || !room->is_int64()) return;
    const bus::Channel channel{bus::Channel::Kind::room, room->as_int64()};
    for (const auto& subscription : subscriptions_) {
      if (subscription.channel == channel) shard_.unsubscribe(channel, *this, subscription.id);
    }
    subscriptions_.erase(std::remove_if(subscriptions_.begin(), subscriptions_.end(),
                                        [&](const Subscription& s) { return s.channel == channel; }),
                         subscriptions_.end());
  } else if (event.type == "revoked") {
    const auto* session = fields.if_contains("sessionId");
    if (session && session->is_string() && member_ && session->as_string() == session_id_) {
      fail(Error{Errc::unauthorized, "the session was logged out"});
    }
  }
}

void StompSession::check_token(std::chrono::system_clock::time_point now) {
  if (member_ && now >= token_expires_at_) {
    fail(Error{Errc::unauthorized, "the access token expired: connect again with a fresh one"});
  }
}

void StompSession::receipt(const stomp::Frame& frame) {
  if (auto id = frame.header("receipt")) {
    transport_.reply(encoded({stomp::Command::receipt, {{"receipt-id", std::string(*id)}}, {}}));
  }
}

void StompSession::fail(const Error& error, std::optional<std::string_view> receipt) {
  if (finished_) return;
  finished_ = true;
  stomp::Frame frame{stomp::Command::error,
                     {{"message", error.message}, {"code", std::string(describe(error.errc).code)}},
                     error.message};
  if (receipt) frame.headers.emplace_back("receipt-id", std::string(*receipt));
  // Before CONNECTED (a refused CONNECT, a version we do not speak): what we do speak.
  if (!member_) frame.headers.emplace_back("version", std::string(stomp::kSupportedVersions));
  frame.headers.emplace_back("content-type", "text/plain");
  transport_.reply(encoded(std::move(frame)));
  transport_.close();
}

}  // namespace modu::ws
