// A STOMP session in process: frames in as plain strings, frames out through a capturing
// transport, the real services behind it (SQLite and MariaDB).
#include "ws/stomp_session.hpp"

#include "support/api_client.hpp"
#include "ws/stomp/parser.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace modu::ws {
namespace {

using testing::ApiClient;
using testing::AppFixture;

/// Collects what the session writes, as frames.
class Capture final : public Transport {
 public:
  void send(std::shared_ptr<const std::string> frames) override { parser_.feed(*frames); }
  void reply(std::shared_ptr<const std::string> frames) override {
    replies.push_back(frames->substr(0, frames->find('\n')));
    parser_.feed(*frames);
  }
  void close() override { closed = true; }
  void heart_beat(stomp::HeartBeatPlan plan) override { beats = plan; }

  /// The frames written since the last call.
  std::vector<stomp::Frame> take() {
    std::vector<stomp::Frame> frames;
    for (;;) {
      auto event = parser_.next();
      if (!event || !*event) break;
      if (auto* frame = std::get_if<stomp::Frame>(&**event)) frames.push_back(std::move(*frame));
    }
    return frames;
  }

  bool closed = false;
  std::optional<stomp::HeartBeatPlan> beats;
  /// The commands of the frames written as replies (not paced), in order.
  std::vector<std::string> replies;

 private:
  stomp::Parser parser_{{1 << 20, 1 << 20, 100, 1 << 16}};
};

class StompSessionTest : public AppFixture {
 protected:
  void SetUp() override {
    AppFixture::SetUp();
    if (IsSkipped()) return;
    amy_.emplace(pipeline());
    ben_.emplace(pipeline());
    cat_.emplace(pipeline());
    dan_.emplace(pipeline());
    amy_id_ = amy_->join("amy@example.com", "amy");
    ben_id_ = ben_->join("ben@example.com", "ben");
    cat_id_ = cat_->join("cat@example.com", "cat");
    dan_id_ = dan_->join("dan@example.com", "dan");
    auto room = amy_->post("/api/v1/rooms", {{"memberIds", {ben_id_, cat_id_}}, {"name", "trip"}});
    room_ = room.json.at("id").as_int64();
  }

  void TearDown() override {
    // The application first: its worker pool may still hand events to this thread's hub
    // shard, whose io_context must outlive it.
    services_.reset();
    app_.reset();
  }

  struct Client {
    Capture out;
    std::unique_ptr<StompSession> session;
  };

  std::unique_ptr<Client> open() {
    auto client = std::make_unique<Client>();
    if (!services_) services_.emplace(app_->stomp_services());
    client->session =
        std::make_unique<StompSession>(settings_, *services_, client->out, app_->hub().shard_for(io_.get_executor()));
    return client;
  }

  /// Feeds bytes and runs everything they start (commits, deliveries) to the end.
  std::vector<stomp::Frame> feed(Client& client, const std::string& bytes) {
    auto done = boost::asio::co_spawn(io_, client.session->receive(bytes), boost::asio::use_future);
    io_.restart();
    io_.run();
    done.get();
    return client.out.take();
  }

  /// Runs what other sessions' actions posted here (deliveries), then takes the frames.
  std::vector<stomp::Frame> pending(Client& client) {
    io_.restart();
    io_.poll();
    return client.out.take();
  }

  /// Unread news reaches a member's queue from the worker pool, at its own pace: tests of
  /// other events leave it out (it has a test of its own).
  static std::vector<stomp::Frame> without_unread_news(std::vector<stomp::Frame> frames) {
    std::erase_if(frames, [](const stomp::Frame& frame) { return frame.header("event") == "unread"; });
    return frames;
  }

  /// Runs this thread's handlers until `client` has been written a frame, for work that
  /// reaches it through the worker pool (presence, unread news when asked for); empty if
  /// none came within 5 s.
  std::vector<stomp::Frame> wait_for_frames(Client& client, bool with_unread_news = false) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::vector<stomp::Frame> frames;
    while (frames.empty() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_for(std::chrono::milliseconds(5));
      frames = with_unread_news ? client.out.take() : without_unread_news(client.out.take());
    }
    return frames;
  }

  static std::string connect_frame(const std::string& token) {
    return "CONNECT\naccept-version:1.2\nhost:modu\nheart-beat:0,0\nAuthorization:Bearer " + token + "\n\n" +
           std::string(1, '\0');
  }
  std::string send_frame(const std::string& body, const std::string& receipt) const {
    return "SEND\ndestination:/app/rooms/" + std::to_string(room_) + "/messages\nreceipt:" + receipt +
           "\ncontent-type:application/json\n\n" + body + std::string(1, '\0');
  }
  std::string subscribe_frame(const std::string& destination, const std::string& id) const {
    return "SUBSCRIBE\nid:" + id + "\ndestination:" + destination + "\nreceipt:s-" + id + "\n\n" + std::string(1, '\0');
  }

  StompSettings settings_{
      {65536, 65536, 32, 8192}, {std::chrono::milliseconds(10000), std::chrono::milliseconds(10000)}, 4, 20};
  boost::asio::io_context io_;
  std::optional<StompServices> services_;  ///< the sessions keep a reference to it
  // Made in SetUp: the application does not exist before it.
  std::optional<ApiClient> amy_, ben_, cat_, dan_;
  std::int64_t amy_id_ = 0, ben_id_ = 0, cat_id_ = 0, dan_id_ = 0, room_ = 0;
};

TEST_P(StompSessionTest, ConnectsWithABearerTokenOrAPasscodeAndNegotiatesHeartBeats) {
  auto amy = open();
  auto frames = feed(*amy, "CONNECT\naccept-version:1.1,1.2\nheart-beat:5000,20000\nAuthorization:Bearer " +
                               amy_->token + "\n\n" + std::string(1, '\0'));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].command, stomp::Command::connected);
  EXPECT_EQ(frames[0].header("version"), "1.2");
  EXPECT_EQ(frames[0].header("user-name"), std::to_string(amy_id_));
  ASSERT_TRUE(amy->out.beats);
  EXPECT_EQ(amy->out.beats->send_every, std::chrono::milliseconds(20000));    // the client wants 20 s
  EXPECT_EQ(amy->out.beats->expect_every, std::chrono::milliseconds(10000));  // we want 10 s at least

  auto ben = open();
  frames = feed(*ben, "STOMP\naccept-version:1.2\npasscode:" + ben_->token + "\n\n" + std::string(1, '\0'));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].command, stomp::Command::connected);

  auto lower_case = open();  // the scheme's name is case-insensitive
  frames = feed(*lower_case,
                "CONNECT\naccept-version:1.2\nAuthorization:bearer " + ben_->token + "\n\n" + std::string(1, '\0'));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].command, stomp::Command::connected);
}

TEST_P(StompSessionTest, RefusesAMissingOrBadTokenAndFramesBeforeConnect) {
  const std::vector<std::string> refused = {"CONNECT\naccept-version:1.2\n\n",
                                            "CONNECT\naccept-version:1.2\npasscode:forged\n\n",
                                            "SUBSCRIBE\nid:0\ndestination:/user/queue/events\n\n",
                                            "CONNECT\naccept-version:1.0\npasscode:" + amy_->token + "\n\n"};
  for (const auto& bad : refused) {
    auto client = open();
    auto frames = feed(*client, bad + std::string(1, '\0'));
    ASSERT_EQ(frames.size(), 1u) << bad;
    EXPECT_EQ(frames[0].command, stomp::Command::error) << bad;
    EXPECT_FALSE(frames[0].header("message")->empty());
    EXPECT_EQ(frames[0].header("version"), "1.1,1.2") << bad;
    EXPECT_TRUE(client->out.closed);
  }
}

TEST_P(StompSessionTest, TheReceiptComesAfterTheCommitAndEverySubscriberGetsTheMessage) {
  auto amy = open();
  auto ben = open();
  feed(*amy, connect_frame(amy_->token));
  feed(*ben, connect_frame(ben_->token));
  auto topic = "/topic/rooms/" + std::to_string(room_);
  auto subscribed = feed(*ben, subscribe_frame(topic, "sub-0"));
  ASSERT_EQ(subscribed.size(), 1u);
  EXPECT_EQ(subscribed[0].command, stomp::Command::receipt);
  EXPECT_EQ(subscribed[0].header("receipt-id"), "s-sub-0");

  auto answered = feed(*amy, send_frame(R"({"type":"text","body":"hello","clientMsgId":"c-1"})", "r-1"));
  ASSERT_FALSE(answered.empty());
  EXPECT_EQ(answered.back().command, stomp::Command::receipt);
  EXPECT_EQ(answered.back().header("receipt-id"), "r-1");
  // Durable by then: the REST API sees it.
  EXPECT_EQ(amy_->get("/api/v1/rooms/" + std::to_string(room_) + "/messages/count").json.at("count"), 2);

  auto delivered = pending(*ben);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].command, stomp::Command::message);
  EXPECT_EQ(delivered[0].header("destination"), topic);
  EXPECT_EQ(delivered[0].header("subscription"), "sub-0");
  EXPECT_EQ(delivered[0].header("event"), "message");
  auto body = boost::json::parse(delivered[0].body);
  EXPECT_EQ(body.at("body"), "hello");
  EXPECT_EQ(body.at("seq"), 2);
  EXPECT_EQ(body.at("senderId"), amy_id_);

  // Answers to the client's own frames go out at once; deliveries wait for the paced flush.
  EXPECT_EQ(amy->out.replies, (std::vector<std::string>{"CONNECTED", "RECEIPT"}));
  EXPECT_EQ(ben->out.replies, (std::vector<std::string>{"CONNECTED", "RECEIPT"}));

  // A retry (the same clientMsgId) is answered again, and the room does not hear it twice.
  auto retried = feed(*amy, send_frame(R"({"type":"text","body":"hello","clientMsgId":"c-1"})", "r-1b"));
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].header("receipt-id"), "r-1b");
  EXPECT_TRUE(pending(*ben).empty());
  EXPECT_EQ(amy_->get("/api/v1/rooms/" + std::to_string(room_) + "/messages/count").json.at("count"), 2);

  // After UNSUBSCRIBE nothing more arrives.
  feed(*ben, "UNSUBSCRIBE\nid:sub-0\n\n" + std::string(1, '\0'));
  feed(*amy, send_frame(R"({"type":"text","body":"again"})", "r-2"));
  EXPECT_TRUE(pending(*ben).empty());
}

TEST_P(StompSessionTest, AClientAcknowledgedSubscriptionGetsAnAckHeaderToSendBack) {
  auto amy = open();
  auto ben = open();
  feed(*amy, connect_frame(amy_->token));
  feed(*ben, connect_frame(ben_->token));
  const auto topic = "/topic/rooms/" + std::to_string(room_);
  feed(*ben, "SUBSCRIBE\nid:acked\nack:client-individual\ndestination:" + topic + "\n\n" + std::string(1, '\0'));
  feed(*amy, subscribe_frame(topic, "acked"));  // the same id, auto: a frame of its own
  auto answered = feed(*amy, send_frame(R"({"type":"text","body":"ack me"})", "r-1"));

  auto delivered = pending(*ben);
  ASSERT_EQ(delivered.size(), 1u);
  ASSERT_TRUE(delivered[0].header("ack"));
  EXPECT_EQ(delivered[0].header("ack"), delivered[0].header("message-id"));
  auto own = std::find_if(answered.begin(), answered.end(),
                          [](const stomp::Frame& frame) { return frame.command == stomp::Command::message; });
  ASSERT_NE(own, answered.end());
  EXPECT_EQ(own->header("subscription"), "acked");
  EXPECT_FALSE(own->header("ack"));

  auto acked =
      feed(*ben, "ACK\nid:" + std::string(*delivered[0].header("ack")) + "\nreceipt:a-1\n\n" + std::string(1, '\0'));
  ASSERT_EQ(acked.size(), 1u);
  EXPECT_EQ(acked[0].header("receipt-id"), "a-1");

  auto refused = feed(*ben, "SUBSCRIBE\nid:x\nack:sometimes\ndestination:" + topic + "\n\n" + std::string(1, '\0'));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].command, stomp::Command::error);

  // STOMP 1.1 names the message by `message-id` (and `subscription`), not `id`.
  auto old_client = open();
  feed(*old_client, "CONNECT\naccept-version:1.1\npasscode:" + cat_->token + "\n\n" + std::string(1, '\0'));
  auto acked_1_1 = feed(*old_client, "ACK\nsubscription:0\nmessage-id:" + std::string(*delivered[0].header("ack")) +
                                         "\nreceipt:a-2\n\n" + std::string(1, '\0'));
  ASSERT_EQ(acked_1_1.size(), 1u);
  EXPECT_EQ(acked_1_1[0].command, stomp::Command::receipt);
  auto missing = feed(*old_client, "ACK\nsubscription:0\n\n" + std::string(1, '\0'));
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(*missing[0].header("message"), "ACK needs the header 'message-id'");
}

TEST_P(StompSessionTest, ReadMarkersAndTypingReachTheRoomAndMyOwnQueue) {
  auto amy = open();
  auto ben = open();
  feed(*amy, connect_frame(amy_->token));
  feed(*ben, connect_frame(ben_->token));
  feed(*amy, subscribe_frame("/topic/rooms/" + std::to_string(room_), "room"));
  feed(*ben, subscribe_frame("/user/queue/events", "mine"));
  amy_->post("/api/v1/rooms/" + std::to_string(room_) + "/messages", {{"type", "text"}, {"body", "hi"}});
  pending(*amy);

  // Ben's own queue hears of it while his frame is handled (Amy's coming online and the
  // unread news of her message may reach it too, whenever the pool gets to them).
  auto mine = without_unread_news(feed(
      *ben, "SEND\ndestination:/app/rooms/" + std::to_string(room_) + "/read\n\n{\"seq\":2}" + std::string(1, '\0')));
  std::erase_if(mine, [](const stomp::Frame& frame) { return frame.header("event") == "presence"; });
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].header("event"), "read");
  EXPECT_EQ(boost::json::parse(mine[0].body).at("unreadCount"), 0);
  auto seen = pending(*amy);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(boost::json::parse(seen[0].body).at("memberId"), ben_id_);

  feed(*ben, subscribe_frame("/topic/rooms/" + std::to_string(room_), "room"));
  const auto typing_in = [](std::vector<stomp::Frame> frames) {
    std::erase_if(frames, [](const stomp::Frame& frame) { return frame.header("event") != "typing"; });
    return frames;
  };
  const auto type = "SEND\ndestination:/app/rooms/" + std::to_string(room_) + "/typing\n\n" + std::string(1, '\0');
  auto echoed = typing_in(feed(*ben, type));
  auto typing = pending(*amy);
  ASSERT_EQ(typing.size(), 1u);
  EXPECT_EQ(typing[0].header("event"), "typing");
  EXPECT_EQ(boost::json::parse(typing[0].body).at("memberId"), ben_id_);
  // Not told back to the one typing, who knows.
  EXPECT_TRUE(echoed.empty());
  EXPECT_TRUE(typing_in(pending(*ben)).empty());
  EXPECT_TRUE(typing_in(feed(*amy, type)).empty());
  EXPECT_TRUE(typing_in(pending(*amy)).empty());
  auto hers = typing_in(pending(*ben));
  ASSERT_EQ(hers.size(), 1u);
  EXPECT_EQ(boost::json::parse(hers[0].body).at("memberId"), amy_id_);
}

TEST_P(StompSessionTest, ANonMemberAnUnknownDestinationAndABadBodyEachEndTheSessionWithAReason) {
  struct Case {
    std::string token_of;
    std::string frame;
    std::string reason;
  };
  const auto room = std::to_string(room_);
  const std::vector<Case> cases = {
      {"dan", subscribe_frame("/topic/rooms/" + room, "x"), "not a member"},
      {"amy", subscribe_frame("/topic/elsewhere", "x"), "unknown destination"},
      {"amy", subscribe_frame("/app/rooms/" + room + "/messages", "x"), "takes SEND"},
      {"amy", send_frame("not json", "r"), "not valid JSON"},
      {"amy", send_frame(R"({"type":"system","body":"x"})", "r"), "cannot be system"},
      {"dan", send_frame(R"({"type":"text","body":"let me in"})", "r"), "not a member"},
      {"amy", "BEGIN\ntransaction:t\n\n" + std::string(1, '\0'), "transactions are not supported"},
      // Not stored at once, as if the transaction were not named.
      {"amy",
       "SEND\ndestination:/app/rooms/" + room + "/messages\ntransaction:t\n\n{\"type\":\"text\",\"body\":\"x\"}" +
           std::string(1, '\0'),
       "SEND names a transaction: transactions are not supported"},
      {"amy", "MESSAGE\n\n" + std::string(1, '\0'), "MESSAGE is a frame the server sends"},
      // The server would answer under /topic/rooms/{id}, which this is not.
      {"amy", subscribe_frame("/topic/rooms/0" + room, "x"), "unknown destination"},
      {"amy", "SEND\ndestination:/app/rooms/0" + room + "/typing\n\n" + std::string(1, '\0'), "unknown destination"},
      {"amy", "NOPE\n\n" + std::string(1, '\0'), "unknown"},
      {"amy", "ACK\nreceipt:a\n\n" + std::string(1, '\0'), "ACK needs the header 'id'"},
      {"amy", "SUBSCRIBE\nid:x\nreceipt:r\xFF\n\n" + std::string(1, '\0'), "not UTF-8"},
  };
  for (const auto& c : cases) {
    auto client = open();
    feed(*client, connect_frame(c.token_of == "dan" ? dan_->token : amy_->token));
    auto frames = feed(*client, c.frame);
    ASSERT_EQ(frames.size(), 1u) << c.frame;
    EXPECT_EQ(frames[0].command, stomp::Command::error) << c.frame;
    EXPECT_NE(frames[0].header("message")->find(c.reason), std::string_view::npos)
        << c.frame << " → " << *frames[0].header("message");
    EXPECT_TRUE(client->out.closed);
    EXPECT_EQ(client->out.replies.back(), "ERROR");
  }
  // The room is untouched by all of that.
  EXPECT_EQ(amy_->get("/api/v1/rooms/" + room + "/messages/count").json.at("count"), 1);
}

/// STOMP 1.1 knows no `\r` escape: once CONNECT agreed on 1.1, a frame with one is refused.
TEST_P(StompSessionTest, AStompOneOneSessionRefusesTheCrEscape) {
  auto old_client = open();
  auto connected = feed(*old_client, "CONNECT\naccept-version:1.1\npasscode:" + amy_->token + "\n\n" +
                                         std::string(1, '\0') + "SUBSCRIBE\nid:a\ndestination:/user/queue/events\n" +
                                         "receipt:a\\rb\n\n" + std::string(1, '\0'));
  ASSERT_EQ(connected.size(), 2u);
  EXPECT_EQ(connected[0].command, stomp::Command::connected);
  EXPECT_EQ(connected[1].command, stomp::Command::error);
  EXPECT_NE(connected[1].header("message")->find("STOMP 1.1 has no escape sequence"), std::string_view::npos);

  // As a client sends them: CONNECT, then the next frame in a message of its own (the
  // session's parser is made anew for it).
  auto next_client = open();
  ASSERT_EQ(
      feed(*next_client, "CONNECT\naccept-version:1.1\npasscode:" + amy_->token + "\n\n" + std::string(1, '\0')).size(),
      1u);
  auto refused =
      feed(*next_client, "SUBSCRIBE\nid:a\ndestination:/user/queue/events\nreceipt:a\\rb\n\n" + std::string(1, '\0'));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].command, stomp::Command::error);
}

/// Only SEND, ACK and NACK join transactions: a DISCONNECT that names one is a DISCONNECT.
TEST_P(StompSessionTest, ATransactionHeaderOnAnotherFrameIsNoMatter) {
  auto amy = open();
  feed(*amy, connect_frame(amy_->token));
  auto bye = feed(*amy, "DISCONNECT\nreceipt:bye\ntransaction:t\n\n" + std::string(1, '\0'));
  ASSERT_EQ(bye.size(), 1u);
  EXPECT_EQ(bye[0].command, stomp::Command::receipt);
}

/// A frame over a limit is refused like any other: the ERROR names its receipt when the
/// frame's headers came before the limit was met.
TEST_P(StompSessionTest, AnErrorForAFrameOverALimitNamesItsReceipt) {
  auto amy = open();
  feed(*amy, connect_frame(amy_->token));
  auto frames = feed(*amy, "SEND\ndestination:/app/rooms/" + std::to_string(room_) +
                               "/messages\nreceipt:big\ncontent-length:70000\n\n");
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].command, stomp::Command::error);
  EXPECT_EQ(frames[0].header("code"), "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(frames[0].header("receipt-id"), "big");
  EXPECT_TRUE(amy->out.closed);
}

/// An open connection lives no longer than the access token it was opened with: past its
/// expiry REST refuses the token, and the connection ends with an ERROR that says why.
TEST_P(StompSessionTest, AConnectionEndsWhenItsAccessTokenExpires) {
  auto amy = open();
  ASSERT_EQ(feed(*amy, connect_frame(amy_->token)).at(0).command, stomp::Command::connected);
  amy->session->check_token(clock_->now() + std::chrono::minutes(1));
  EXPECT_TRUE(amy->out.take().empty());
  EXPECT_FALSE(amy->out.closed);

  amy->session->check_token(clock_->now() + std::chrono::days(1));
  auto frames = amy->out.take();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].command, stomp::Command::error);
  EXPECT_EQ(frames[0].header("code"), "UNAUTHORIZED");
  EXPECT_NE(frames[0].header("message")->find("access token expired"), std::string_view::npos);
  EXPECT_TRUE(amy->out.closed);

  auto unconnected = open();  // nothing to expire before CONNECT: its own deadline holds
  unconnected->session->check_token(clock_->now() + std::chrono::days(1));
  EXPECT_FALSE(unconnected->out.closed);
}

TEST_P(StompSessionTest, LimitsOnSubscriptionsAndFramesPerSecondAreEnforced) {
  auto amy = open();
  feed(*amy, connect_frame(amy_->token));
  for (int i = 0; i < 4; ++i) feed(*amy, subscribe_frame("/user/queue/events", "q" + std::to_string(i)));
  // The unread news of the fixture's message may come meanwhile, once to each of the four.
  auto fifth = without_unread_news(feed(*amy, subscribe_frame("/user/queue/events", "q4")));
  ASSERT_EQ(fifth.size(), 1u);
  EXPECT_EQ(fifth[0].command, stomp::Command::error);
  EXPECT_NE(fifth[0].header("message")->find("at most 4 subscriptions"), std::string_view::npos);

  auto ben = open();
  std::string burst = connect_frame(ben_->token);
  for (int i = 0; i < 30; ++i) burst += "ACK\nid:" + std::to_string(i) + "\n\n" + std::string(1, '\0');
  auto frames = feed(*ben, burst);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().command, stomp::Command::error);
  EXPECT_NE(frames.back().header("message")->find("frames a second"), std::string_view::npos);
}

TEST_P(StompSessionTest, MyQueueHearsOfRoomsFriendsAndLeavingEndsMySubscriptionsToTheRoom) {
  auto cat = open();
  feed(*cat, connect_frame(cat_->token));
  feed(*cat, subscribe_frame("/user/queue/events", "mine"));
  feed(*cat, subscribe_frame("/topic/rooms/" + std::to_string(room_), "room"));

  auto group = amy_->post("/api/v1/rooms", {{"memberIds", {ben_id_, cat_id_}}, {"name", "second"}});
  amy_->post("/api/v1/friends", {{"memberId", cat_id_}});
  amy_->patch("/api/v1/rooms/" + std::to_string(room_), {{"name", "renamed"}});
  std::vector<std::string> events;
  std::int64_t rename_seq = 0;
  for (const auto& frame : without_unread_news(pending(*cat))) {
    events.push_back(std::string(*frame.header("event")));
    if (events.back() == "message") rename_seq = boost::json::parse(frame.body).at("seq").as_int64();
    if (events.back() == "read") {
      // A system message has no sender to imply it: Amy, who renamed, has read it.
      EXPECT_EQ(boost::json::parse(frame.body).at("memberId"), amy_id_);
      EXPECT_EQ(boost::json::parse(frame.body).at("readSeq"), rename_seq);
    }
  }
  // The room topic's system message for the rename and its actor's read position, and
  // three events of my own.
  EXPECT_EQ(events, (std::vector<std::string>{"joined", "friendAdded", "message", "read", "roomChanged"}));

  EXPECT_EQ(cat_->del("/api/v1/rooms/" + std::to_string(room_) + "/members/me").status, 204);
  auto left = without_unread_news(pending(*cat));
  ASSERT_FALSE(left.empty());
  EXPECT_EQ(left.back().header("event"), "left");
  amy_->post("/api/v1/rooms/" + std::to_string(room_) + "/messages", {{"type", "text"}, {"body", "still there?"}});
  EXPECT_TRUE(without_unread_news(pending(*cat)).empty()) << "a member who left still hears the room";

  // A client that unsubscribes what the server already ended is only tidying up.
  auto unsubscribed = feed(*cat, "UNSUBSCRIBE\nid:room\nreceipt:u-1\n\n" + std::string(1, '\0'));
  ASSERT_EQ(unsubscribed.size(), 1u);
  EXPECT_EQ(unsubscribed[0].command, stomp::Command::receipt);
  EXPECT_EQ(unsubscribed[0].header("receipt-id"), "u-1");
  EXPECT_FALSE(cat->out.closed);
}

/// Ben blocked Amy: nothing of hers reaches him live, though they still share a 1:1 room,
/// and she does not see him come online.
TEST_P(StompSessionTest, AMemberWhoBlockedMeHearsNothingOfMyTypingOrFriendingAndHidesTheirPresence) {
  const auto direct = amy_->post("/api/v1/rooms", {{"memberIds", {ben_id_}}}).json.at("id").as_int64();
  ASSERT_EQ(ben_->patch("/api/v1/friends/" + std::to_string(amy_id_), {{"blocked", true}}).status, 200);
  const auto others = [](std::vector<stomp::Frame> frames) {
    std::erase_if(frames, [](const stomp::Frame& frame) {
      return frame.header("event") == "unread" || frame.command == stomp::Command::receipt;
    });
    return frames;
  };
  auto cat = open();
  feed(*cat, connect_frame(cat_->token));
  feed(*cat, subscribe_frame("/user/queue/events", "mine"));
  auto amy = open();
  feed(*amy, connect_frame(amy_->token));
  feed(*amy, subscribe_frame("/user/queue/events", "mine"));
  ASSERT_EQ(wait_for_frames(*cat).size(), 1u);  // Amy came online

  // Cat, who shares the group with Ben, sees him come online; Amy does not, nor may she ask.
  auto ben = open();
  feed(*ben, connect_frame(ben_->token));
  auto online = wait_for_frames(*cat);
  ASSERT_EQ(online.size(), 1u);
  EXPECT_EQ(boost::json::parse(online[0].body).at("memberId"), ben_id_);
  for (const auto& frame : pending(*amy)) {  // Cat's coming online may reach her: it is hers to see
    if (frame.header("event") != "presence") continue;
    // Ben's block, told late (she was online by then), says offline with no time: nothing.
    const auto body = boost::json::parse(frame.body);
    if (body.at("memberId") != ben_id_) continue;
    EXPECT_EQ(body.at("online"), false) << "presence reached a member the member blocked";
    EXPECT_TRUE(body.at("lastSeenAt").is_null()) << "presence reached a member the member blocked";
  }
  EXPECT_EQ(amy_->get("/api/v1/members/" + std::to_string(ben_id_) + "/presence").status, 404);
  EXPECT_EQ(ben_->get("/api/v1/members/" + std::to_string(amy_id_) + "/presence").status, 200);  // she blocked no one

  // Her typing in their 1:1 room is taken (a receipt, no ERROR) and shown to no one.
  feed(*ben, subscribe_frame("/user/queue/events", "mine"));
  feed(*ben, subscribe_frame("/topic/rooms/" + std::to_string(direct), "direct"));
  auto typed = feed(*amy, "SEND\ndestination:/app/rooms/" + std::to_string(direct) + "/typing\nreceipt:t-1\n\n" +
                              std::string(1, '\0'));
  ASSERT_EQ(typed.size(), 1u);
  EXPECT_EQ(typed[0].command, stomp::Command::receipt);
  EXPECT_TRUE(others(pending(*ben)).empty()) << "typing reached the member who blocked the typist";

  // Adding him as a friend is hers to know, not his.
  ASSERT_EQ(amy_->post("/api/v1/friends", {{"memberId", ben_id_}}).status, 201);
  auto hers = others(pending(*amy));
  ASSERT_FALSE(hers.empty());
  EXPECT_EQ(hers.back().header("event"), "friendAdded");
  EXPECT_TRUE(others(pending(*ben)).empty()) << "friendAdded reached the member who blocked the adder";
  EXPECT_FALSE(amy->out.closed);
}

TEST_P(StompSessionTest, ABlockMadeOrLiftedWhileBothAreConnectedIsToldAsPresence) {
  auto ben = open();
  feed(*ben, connect_frame(ben_->token));
  feed(*ben, subscribe_frame("/user/queue/events", "mine"));
  auto amy = open();
  feed(*amy, connect_frame(amy_->token));
  ASSERT_EQ(wait_for_frames(*ben).size(), 1u);  // Amy came online
  const auto amy_presence = [&] {
    auto frames = wait_for_frames(*ben);
    EXPECT_EQ(frames.size(), 1u);
    if (frames.empty()) return boost::json::value{};
    EXPECT_EQ(frames[0].header("event"), "presence");
    return boost::json::parse(frames[0].body);
  };
  const auto ben_as_friend = "/api/v1/friends/" + std::to_string(ben_id_);

  // Blocked, he sees her go offline, with no time: no more than a stranger knows.
  ASSERT_EQ(amy_->patch(ben_as_friend, {{"blocked", true}}).status, 200);
  EXPECT_EQ(amy_presence(), (boost::json::value{{"memberId", amy_id_}, {"online", false}, {"lastSeenAt", nullptr}}));
  // Blocking again changes nothing, so tells nothing (what is told is told in order: the
  // next event he gets is the unblock's). Unblocked, he sees her as she is.
  ASSERT_EQ(amy_->patch(ben_as_friend, {{"blocked", true}, {"favorite", true}}).status, 200);
  ASSERT_EQ(amy_->patch(ben_as_friend, {{"blocked", false}}).status, 200);
  EXPECT_EQ(amy_presence(), (boost::json::value{{"memberId", amy_id_}, {"online", true}, {"lastSeenAt", nullptr}}));

  // Dan shares no room with her and never saw her presence: nothing to take back. Removed
  // from her list when blocked, Ben is unblocked.
  auto dan = open();
  feed(*dan, connect_frame(dan_->token));
  feed(*dan, subscribe_frame("/user/queue/events", "mine"));
  ASSERT_EQ(amy_->patch("/api/v1/friends/" + std::to_string(dan_id_), {{"blocked", true}}).status, 200);
  ASSERT_EQ(amy_->patch(ben_as_friend, {{"blocked", true}}).status, 200);
  EXPECT_EQ(amy_presence().at("online"), false);
  EXPECT_TRUE(pending(*dan).empty());
  ASSERT_EQ(amy_->del(ben_as_friend).status, 204);
  EXPECT_EQ(amy_presence().at("online"), true);
}

TEST_P(StompSessionTest, MutingARoomIsToldToMyOwnQueueOnly) {
  auto cat = open();
  auto ben = open();
  feed(*cat, connect_frame(cat_->token));
  feed(*ben, connect_frame(ben_->token));
  feed(*cat, subscribe_frame("/user/queue/events", "mine"));
  feed(*ben, subscribe_frame("/user/queue/events", "mine"));
  ASSERT_EQ(cat_->patch("/api/v1/rooms/" + std::to_string(room_) + "/members/me", {{"muted", true}}).status, 200);
  // Each may also hear of the other coming online, whenever the pool gets to it.
  const auto room_changes = [](std::vector<stomp::Frame> frames) {
    std::erase_if(frames, [](const stomp::Frame& frame) { return frame.header("event") != "roomChanged"; });
    return frames;
  };
  auto mine = room_changes(pending(*cat));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(boost::json::parse(mine[0].body).at("roomId"), room_);
  EXPECT_TRUE(room_changes(pending(*ben)).empty());
}

TEST_P(StompSessionTest, WhenTheOwnerLeavesTheOthersHearTheRoomChanged) {
  auto cat = open();
  feed(*cat, connect_frame(cat_->token));
  feed(*cat, subscribe_frame("/user/queue/events", "mine"));
  ASSERT_EQ(amy_->del("/api/v1/rooms/" + std::to_string(room_) + "/members/me").status, 204);  // Amy made it
  std::vector<std::string> events;
  for (const auto& frame : without_unread_news(pending(*cat))) events.push_back(std::string(*frame.header("event")));
  EXPECT_EQ(events, (std::vector<std::string>{"roomChanged"}));
  const auto room = cat_->get("/api/v1/rooms/" + std::to_string(room_));
  for (const auto& member : room.json.at("members").as_array()) {
    EXPECT_EQ(member.at("role"), member.at("memberId") == ben_id_ ? "owner" : "member");
  }
}

TEST_P(StompSessionTest, AFrameCutAcrossWebSocketMessagesAnywhereIsOneFrame) {
  // Subscribed to my queue, a connection may also hear the fixture's unread news, from the
  // worker pool whenever it gets there: that is left out.
  const auto subscribe = subscribe_frame("/user/queue/events", "mine");
  for (std::size_t cut = 1; cut < subscribe.size(); ++cut) {
    auto amy = open();
    feed(*amy, connect_frame(amy_->token));
    EXPECT_TRUE(without_unread_news(feed(*amy, subscribe.substr(0, cut))).empty()) << "cut at " << cut;
    auto answered = without_unread_news(feed(*amy, subscribe.substr(cut)));
    ASSERT_EQ(answered.size(), 1u) << "cut at " << cut;
    EXPECT_EQ(answered[0].command, stomp::Command::receipt) << "cut at " << cut;
    EXPECT_FALSE(amy->out.closed) << "cut at " << cut;
  }
  // A SEND whose body comes in a message of its own, as some clients write a large one.
  auto amy = open();
  feed(*amy, connect_frame(amy_->token));
  const auto send = send_frame(R"({"type":"text","body":"in two parts"})", "r-1");
  const auto body_starts = send.find("\n\n") + 2;
  EXPECT_TRUE(feed(*amy, send.substr(0, body_starts)).empty());
  auto answered = feed(*amy, send.substr(body_starts));
  ASSERT_EQ(answered.size(), 1u);
  EXPECT_EQ(answered[0].header("receipt-id"), "r-1");
  EXPECT_EQ(amy_->get("/api/v1/rooms/" + std::to_string(room_) + "/messages/count").json.at("count"), 2);
}

TEST_P(StompSessionTest, LoggingOutClosesTheSessionsConnections) {
  auto ben = open();
  feed(*ben, connect_frame(ben_->token));
  EXPECT_EQ(ben_->post("/api/v1/auth/logout", boost::json::object{}).status, 204);
  auto frames = pending(*ben);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].command, stomp::Command::error);
  EXPECT_EQ(frames[0].header("message"), "the session was logged out");
  EXPECT_TRUE(ben->out.closed);
}

TEST_P(StompSessionTest, MyQueueHearsMyUnreadCountAsMessagesArriveInMyRooms) {
  auto cat = open();
  feed(*cat, connect_frame(cat_->token));
  feed(*cat, subscribe_frame("/user/queue/events", "mine"));
  const auto messages = "/api/v1/rooms/" + std::to_string(room_) + "/messages";
  std::int64_t last_seq = 0;
  for (const auto* text : {"one", "two", "three"}) {
    last_seq = amy_->post(messages, {{"type", "text"}, {"body", text}}).json.at("seq").as_int64();
  }

  // The first is told at once, the rest together an interval later: the last word is the
  // newest message, and the count GET /rooms gives.
  boost::json::value news;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline && (news.is_null() || news.at("lastSeq") != last_seq)) {
    for (const auto& frame : wait_for_frames(*cat, true)) {
      EXPECT_EQ(frame.header("event"), "unread");
      EXPECT_EQ(frame.header("subscription"), "mine");
      news = boost::json::parse(frame.body);
    }
  }
  ASSERT_FALSE(news.is_null()) << "no unread news";
  EXPECT_EQ(news.at("roomId"), room_);
  EXPECT_EQ(news.at("lastSeq"), last_seq);
  EXPECT_EQ(news.at("lastMessage").at("body"), "three");
  const auto listed = cat_->get("/api/v1/rooms").json.at("items").at(0);
  EXPECT_EQ(listed.at("unreadCount"), news.at("unreadCount"));
  EXPECT_GE(news.at("unreadCount").as_int64(), 3);
  EXPECT_EQ(news.at("unreadCount").as_int64(), last_seq - news.at("readSeq").as_int64());
}

TEST_P(StompSessionTest, WhoSharesARoomWithMeSeesMeComeOnlineAndGoOffline) {
  auto ben = open();
  feed(*ben, connect_frame(ben_->token));
  feed(*ben, subscribe_frame("/user/queue/events", "mine"));
  const auto amy_presence = "/api/v1/members/" + std::to_string(amy_id_) + "/presence";
  auto before = ben_->get(amy_presence);
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(before.json.at("online"), false);

  auto amy = open();
  feed(*amy, connect_frame(amy_->token));
  auto online = wait_for_frames(*ben);
  ASSERT_EQ(online.size(), 1u);
  EXPECT_EQ(online[0].header("event"), "presence");
  auto body = boost::json::parse(online[0].body);
  EXPECT_EQ(body.at("memberId"), amy_id_);
  EXPECT_EQ(body.at("online"), true);
  EXPECT_TRUE(body.at("lastSeenAt").is_null());
  EXPECT_EQ(ben_->get(amy_presence).json.at("online"), true);

  // A second connection of hers changes nothing; closing both takes her offline.
  auto amy_phone = open();
  feed(*amy_phone, connect_frame(amy_->token));
  amy.reset();
  EXPECT_EQ(ben_->get(amy_presence).json.at("online"), true);
  amy_phone.reset();
  auto offline = wait_for_frames(*ben);
  ASSERT_EQ(offline.size(), 1u);
  body = boost::json::parse(offline[0].body);
  EXPECT_EQ(body.at("online"), false);
  EXPECT_FALSE(body.at("lastSeenAt").is_null());
  auto after = ben_->get(amy_presence);
  EXPECT_EQ(after.json.at("online"), false);
  EXPECT_EQ(after.json.at("lastSeenAt"), body.at("lastSeenAt"));

  // Dan shares no room with her: her presence is none of his business.
  EXPECT_EQ(dan_->get(amy_presence).status, 404);
  EXPECT_EQ(dan_->get("/api/v1/members/" + std::to_string(dan_id_) + "/presence").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Engines, StompSessionTest, ::testing::Values(testing::Engine::sqlite, testing::Engine::mysql),
                         testing::engine_name);

}  // namespace
}  // namespace modu::ws
