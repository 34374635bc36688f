// Rooms and messages through the real pipeline, on both engines: the issue's
// "two users open their 1:1 room, a third joins a group, everyone pages history both
// ways and sees correct unread counts and last messages".
#include "support/api_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <thread>

namespace modu::testing {
namespace {

class RoomApiTest : public AppFixture {
 protected:
  void SetUp() override {
    AppFixture::SetUp();
    if (IsSkipped()) return;
    amy_.emplace(client());
    bob_.emplace(client());
    cat_.emplace(client());
    amy_id_ = amy_->join("amy@example.com", "Amy");
    bob_id_ = bob_->join("bob@example.com", "Bob");
    cat_id_ = cat_->join("cat@example.com", "Cat");
  }
  std::string room_path(std::int64_t id) { return "/api/v1/rooms/" + std::to_string(id); }
  Reply send(ApiClient& who, std::int64_t room, std::string text, std::optional<std::string> client_id = {}) {
    boost::json::object body{{"type", "text"}, {"body", text}};
    if (client_id) body["clientMsgId"] = *client_id;
    return who.post(room_path(room) + "/messages", body);
  }

  std::optional<ApiClient> amy_, bob_, cat_;
  std::int64_t amy_id_ = 0, bob_id_ = 0, cat_id_ = 0;
};

TEST_P(RoomApiTest, TheOneToOneRoomOfAPairIsTheSameEveryTime) {
  auto opened = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}});
  ASSERT_EQ(opened.status, 201) << boost::json::serialize(opened.json);
  EXPECT_EQ(opened.json.at("type"), "direct");
  EXPECT_EQ(opened.json.at("members").as_array().size(), 2u);
  const auto room = opened.json.at("id").as_int64();
  EXPECT_EQ(amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}}).json.at("id"), room);
  auto from_bob = bob_->post("/api/v1/rooms", {{"memberIds", {amy_id_, bob_id_}}});  // me is ignored
  EXPECT_EQ(from_bob.status, 200);
  EXPECT_EQ(from_bob.json.at("id"), room);
  EXPECT_EQ(cat_->get(room_path(room)).status, 403);
  EXPECT_EQ(cat_->get(room_path(987654)).status, 404);

  // Each side sees who the room is with, also once that one has left it.
  EXPECT_EQ(opened.json.at("peerId"), bob_id_);
  EXPECT_EQ(from_bob.json.at("peerId"), amy_id_);
  ASSERT_EQ(bob_->del(room_path(room) + "/members/me").status, 204);
  const auto left = amy_->get(room_path(room));
  EXPECT_EQ(left.json.at("members").as_array().size(), 1u);
  EXPECT_EQ(left.json.at("peerId"), bob_id_);
  EXPECT_EQ(amy_->get("/api/v1/rooms").json.at("items").at(0).at("peerId"), bob_id_);
  const auto group = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_, cat_id_}}});
  EXPECT_TRUE(group.json.at("peerId").is_null());
}

TEST_P(RoomApiTest, ChatHistoryUnreadCountsAndTheRoomList) {
  const auto direct = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}}).json.at("id").as_int64();
  for (int i = 1; i <= 5; ++i) {
    auto sent = send(i % 2 ? *amy_ : *bob_, direct, "hello " + std::to_string(i));
    ASSERT_EQ(sent.status, 201) << boost::json::serialize(sent.json);
    EXPECT_EQ(sent.json.at("seq"), i);
    EXPECT_EQ(sent.json.at("unreadMemberCount"), 1);  // the other one has not read it yet
  }
  // Amy sent 1, 3, 5 and read what she sent; Bob sent 2, 4.
  auto amy_rooms = amy_->get("/api/v1/rooms");
  ASSERT_EQ(amy_rooms.json.at("items").as_array().size(), 1u);
  EXPECT_EQ(amy_rooms.json.at("items").at(0).at("unreadCount"), 0);
  EXPECT_EQ(amy_rooms.json.at("items").at(0).at("lastMessage").at("body"), "hello 5");
  EXPECT_EQ(amy_rooms.json.at("items").at(0).at("memberCount"), 2);
  EXPECT_EQ(bob_->get("/api/v1/rooms").json.at("items").at(0).at("unreadCount"), 1);

  auto history = bob_->get(room_path(direct) + "/messages");
  auto& items = history.json.at("items").as_array();
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0].at("seq"), 1);
  EXPECT_EQ(items[4].at("unreadMemberCount"), 1);  // Bob has not read 5 yet
  EXPECT_EQ(items[3].at("unreadMemberCount"), 0);  // his own 4: Amy read up to 5
  auto read = bob_->post(room_path(direct) + "/read", {{"seq", 5}});
  EXPECT_EQ(read.json.at("unreadCount"), 0);
  EXPECT_EQ(bob_->post(room_path(direct) + "/read", {{"seq", 2}}).json.at("readSeq"), 5);  // forward only
  EXPECT_EQ(bob_->get(room_path(direct) + "/messages").json.at("items").at(4).at("unreadMemberCount"), 0);

  // A group: Amy, Bob and Cat.
  auto group = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_, cat_id_}}, {"name", " Trip "}});
  ASSERT_EQ(group.status, 201);
  EXPECT_EQ(group.json.at("name"), "Trip");
  const auto group_id = group.json.at("id").as_int64();
  for (int i = 0; i < 30; ++i) send(i % 3 == 0 ? *amy_ : i % 3 == 1 ? *bob_ : *cat_, group_id, "m" + std::to_string(i));
  EXPECT_EQ(cat_->get(room_path(group_id) + "/messages/count").json.at("count"), 31);  // + "created"

  // Scrolling up from the newest page, then catching up again, pages both ways.
  std::vector<std::int64_t> seen;
  std::string query = "?size=7";
  for (;;) {
    auto page = cat_->get(room_path(group_id) + "/messages" + query);
    auto& messages = page.json.at("items").as_array();
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) seen.push_back(it->at("seq").as_int64());
    if (page.json.at("nextCursor").is_null()) break;
    query = "?size=7&before=" + std::string(page.json.at("nextCursor").as_string());
  }
  ASSERT_EQ(seen.size(), 31u);
  EXPECT_EQ(seen.front(), 31);
  EXPECT_EQ(seen.back(), 1);
  auto after = cat_->get(room_path(group_id) + "/messages?after=25&size=3");
  EXPECT_EQ(after.json.at("items").at(0).at("seq"), 26);
  EXPECT_EQ(after.json.at("nextCursor"), "28");
  // The last page forward says it is the last: nothing after seq 31 yet.
  auto caught_up = cat_->get(room_path(group_id) + "/messages?after=28&size=3");
  EXPECT_EQ(caught_up.json.at("items").as_array().size(), 3u);
  EXPECT_TRUE(caught_up.json.at("nextCursor").is_null());

  // The group is now the most recent room for everyone in it.
  auto cat_rooms = cat_->get("/api/v1/rooms");
  ASSERT_EQ(cat_rooms.json.at("items").as_array().size(), 1u);
  EXPECT_EQ(cat_rooms.json.at("items").at(0).at("unreadCount"), 0);  // she sent the last one: all read
  send(*amy_, group_id, "one more");
  EXPECT_EQ(cat_->get("/api/v1/rooms").json.at("items").at(0).at("unreadCount"), 1);
  EXPECT_EQ(bob_->get("/api/v1/rooms").json.at("items").at(0).at("unreadCount"), 2);  // he sent m28: m29, one more
  auto amy_list = amy_->get("/api/v1/rooms?size=1");
  EXPECT_EQ(amy_list.json.at("items").at(0).at("id"), group_id);
  auto amy_next = amy_->get("/api/v1/rooms?size=1&cursor=" + std::string(amy_list.json.at("nextCursor").as_string()));
  EXPECT_EQ(amy_next.json.at("items").at(0).at("id"), direct);
}

TEST_P(RoomApiTest, InviteRenameLeaveAndSystemMessages) {
  const auto group = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_, cat_id_}}}).json.at("id").as_int64();
  auto dan = client();
  const auto dan_id = dan.join("dan@example.com", "Dan");
  EXPECT_EQ(dan.get(room_path(group) + "/messages").status, 403);
  // An invite ignores those in the room already, the inviter among them; it must name someone.
  auto invited = bob_->post(room_path(group) + "/members", {{"memberIds", {bob_id_, cat_id_, dan_id}}});
  ASSERT_EQ(invited.status, 200);
  EXPECT_EQ(invited.json.at("members").as_array().size(), 4u);
  EXPECT_EQ(bob_->post(room_path(group) + "/members", {{"memberIds", {bob_id_, cat_id_}}}).status, 200);
  EXPECT_EQ(bob_->post(room_path(group) + "/members", {{"memberIds", boost::json::array{}}}).status, 400);
  EXPECT_EQ(dan.get(room_path(group) + "/messages").status, 200);
  EXPECT_EQ(amy_->patch(room_path(group), {{"name", "Renamed"}}).json.at("name"), "Renamed");
  EXPECT_EQ(dan.del(room_path(group) + "/members/me").status, 204);
  EXPECT_EQ(dan.get(room_path(group) + "/messages").status, 403);  // a former member keeps nothing new

  auto history = amy_->get(room_path(group) + "/messages");
  std::vector<std::string> events;
  for (const auto& item : history.json.at("items").as_array()) {
    EXPECT_EQ(item.at("type"), "system");
    EXPECT_TRUE(item.at("senderId").is_null());
    events.push_back(std::string(boost::json::parse(item.at("body").as_string()).at("event").as_string()));
  }
  EXPECT_EQ(events, (std::vector<std::string>{"created", "invited", "renamed", "left"}));

  const auto direct = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}}).json.at("id").as_int64();
  EXPECT_EQ(amy_->post(room_path(direct) + "/members", {{"memberIds", {cat_id_}}}).status, 400);
  EXPECT_EQ(amy_->patch(room_path(direct), {{"name", "x"}}).status, 400);
}

/// A double tap on "leave" sends two requests at once: one leaves, the other finds me
/// gone, and the room hears "left" once.
TEST_P(RoomApiTest, TwoLeavesAtOnceLeaveOnceAndSayItOnce) {
  const auto group = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_, cat_id_}}}).json.at("id").as_int64();
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    int statuses[2] = {0, 0};
    {
      std::latch start(2);  // both requests leave at once
      const auto leave = [&](int i) {
        start.arrive_and_wait();
        statuses[i] = bob_->del(room_path(group) + "/members/me").status;
      };
      std::jthread first(leave, 0);
      std::jthread second(leave, 1);
    }
    EXPECT_EQ(std::min(statuses[0], statuses[1]), 204);
    EXPECT_EQ(std::max(statuses[0], statuses[1]), 403);
    ASSERT_EQ(amy_->post(room_path(group) + "/members", {{"memberIds", {bob_id_}}}).status, 200);
  }
  int lefts = 0;
  const auto history = amy_->get(room_path(group) + "/messages?size=100");
  for (const auto& item : history.json.at("items").as_array()) {
    lefts += boost::json::parse(item.at("body").as_string()).at("event") == "left" ? 1 : 0;
  }
  EXPECT_EQ(lefts, kRounds);
}

TEST_P(RoomApiTest, MyOwnRoomChangesAreNoNewsToMe) {
  const auto group = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_, cat_id_}}}).json.at("id").as_int64();
  const auto path = room_path(group);
  auto dan = client();
  const auto dan_id = dan.join("dan@example.com", "Dan");
  // "created", "renamed", "invited": each is read by the one who did it, and only by them.
  ASSERT_EQ(amy_->patch(path, {{"name", "Plans"}}).status, 200);
  ASSERT_EQ(amy_->post(path + "/members", {{"memberIds", {dan_id}}}).status, 200);
  EXPECT_EQ(amy_->get("/api/v1/rooms").json.at("items").at(0).at("unreadCount"), 0);
  EXPECT_EQ(bob_->get("/api/v1/rooms").json.at("items").at(0).at("unreadCount"), 3);
  EXPECT_EQ(dan.get("/api/v1/rooms").json.at("items").at(0).at("unreadCount"), 1);  // that he was invited
  auto items = amy_->get(path + "/messages").json.at("items");
  ASSERT_EQ(items.as_array().size(), 3u);
  EXPECT_EQ(items.at(0).at("unreadMemberCount"), 2);  // "created": Bob and Cat; Amy did it
  EXPECT_EQ(items.at(2).at("unreadMemberCount"), 3);  // "invited": Bob, Cat and Dan
}

TEST_P(RoomApiTest, AFriendsMessageBringsBackTheOneToOneRoomILeft) {
  const auto direct = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}}).json.at("id").as_int64();
  send(*bob_, direct, "bye for now");
  ASSERT_EQ(bob_->del(room_path(direct) + "/members/me").status, 204);
  EXPECT_TRUE(bob_->get("/api/v1/rooms").json.at("items").as_array().empty());

  ASSERT_EQ(send(*amy_, direct, "still there?").status, 201);
  auto bob_rooms = bob_->get("/api/v1/rooms");
  ASSERT_EQ(bob_rooms.json.at("items").as_array().size(), 1u);
  EXPECT_EQ(bob_rooms.json.at("items").at(0).at("id"), direct);
  EXPECT_EQ(bob_rooms.json.at("items").at(0).at("unreadCount"), 1);
  EXPECT_EQ(bob_rooms.json.at("items").at(0).at("lastMessage").at("body"), "still there?");
  EXPECT_EQ(send(*bob_, direct, "yes").status, 201);
}

TEST_P(RoomApiTest, OpeningTheOneToOneRoomBringsBackOnlyWhoOpensIt) {
  const auto direct = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}}).json.at("id").as_int64();
  ASSERT_EQ(bob_->del(room_path(direct) + "/members/me").status, 204);
  // Amy opens it again, and writes nothing: Bob does not get it back.
  EXPECT_EQ(amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}}).json.at("id"), direct);
  EXPECT_TRUE(bob_->get("/api/v1/rooms").json.at("items").as_array().empty());
  EXPECT_EQ(bob_->get(room_path(direct)).status, 403);
  // Bob opens it himself: he is back, with nothing new unread.
  auto reopened = bob_->post("/api/v1/rooms", {{"memberIds", {amy_id_}}});
  EXPECT_EQ(reopened.status, 200);
  EXPECT_EQ(reopened.json.at("id"), direct);
  auto bob_rooms = bob_->get("/api/v1/rooms").json.at("items");
  ASSERT_EQ(bob_rooms.as_array().size(), 1u);
  EXPECT_EQ(bob_rooms.at(0).at("unreadCount"), 0);
  EXPECT_EQ(bob_rooms.at(0).at("memberCount"), 2);
}

TEST_P(RoomApiTest, AMemberMutesARoomForThemselvesOnly) {
  const auto group = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_, cat_id_}}}).json.at("id").as_int64();
  const auto mine = room_path(group) + "/members/me";
  auto muted = bob_->patch(mine, {{"muted", true}});
  ASSERT_EQ(muted.status, 200);
  EXPECT_EQ(muted.json.at("memberId"), bob_id_);
  EXPECT_EQ(muted.json.at("muted"), true);
  EXPECT_EQ(bob_->get("/api/v1/rooms").json.at("items").at(0).at("muted"), true);
  EXPECT_EQ(amy_->get("/api/v1/rooms").json.at("items").at(0).at("muted"), false);
  // It is Bob's own business: he sees his own flag, and nobody sees anyone else's.
  for (const auto& [viewer, viewer_id] : {std::pair{&*bob_, bob_id_}, std::pair{&*amy_, amy_id_}}) {
    const auto detail = viewer->get(room_path(group));
    ASSERT_EQ(detail.json.at("members").as_array().size(), 3u);
    for (const auto& member : detail.json.at("members").as_array()) {
      EXPECT_EQ(member.as_object().contains("muted"), member.at("memberId") == viewer_id);
    }
    const auto list = viewer->get("/api/v1/rooms");
    for (const auto& member : list.json.at("items").at(0).at("members").as_array()) {
      EXPECT_EQ(member.as_object().contains("muted"), member.at("memberId") == viewer_id);
    }
  }
  const auto bobs_view = bob_->get(room_path(group));
  for (const auto& member : bobs_view.json.at("members").as_array()) {
    if (member.at("memberId") == bob_id_) {
      EXPECT_EQ(member.at("muted"), true);
    }
  }
  EXPECT_EQ(bob_->patch(mine, {{"muted", false}}).json.at("muted"), false);
  EXPECT_EQ(bob_->patch(mine, boost::json::object{}).status, 400);
  EXPECT_EQ(bob_->patch(mine, {{"muted", "yes"}}).status, 400);
  auto dan = client();
  dan.join("dan@example.com", "Dan");
  EXPECT_EQ(dan.patch(mine, {{"muted", true}}).status, 403);
  EXPECT_EQ(dan.patch(room_path(987654) + "/members/me", {{"muted", true}}).status, 404);
}

TEST_P(RoomApiTest, TheImageGalleryPagesBackToItsFirstImage) {
  const auto direct = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}}).json.at("id").as_int64();
  send(*amy_, direct, "before any picture");
  for (int i = 1; i <= 5; ++i) {
    const boost::json::object image{{"type", "image"}, {"body", "https://img.example.com/" + std::to_string(i)}};
    ASSERT_EQ(amy_->post(room_path(direct) + "/messages", image).status, 201);
    send(*bob_, direct, "nice " + std::to_string(i));
  }
  std::vector<std::string> seen;
  std::string query = "?size=2";
  int pages = 0;
  while (pages < 5) {
    auto page = bob_->get(room_path(direct) + "/images" + query);
    ++pages;
    auto& items = page.json.at("items").as_array();
    for (auto it = items.rbegin(); it != items.rend(); ++it) seen.emplace_back(it->at("body").as_string());
    if (page.json.at("nextCursor").is_null()) break;
    query = "?size=2&before=" + std::string(page.json.at("nextCursor").as_string());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen.back(), "https://img.example.com/1");
  // A page that ends exactly at the first image says so: no empty page to fetch after it.
  auto exactly = bob_->get(room_path(direct) + "/images?size=5");
  EXPECT_EQ(exactly.json.at("items").as_array().size(), 5u);
  EXPECT_TRUE(exactly.json.at("nextCursor").is_null());
}

TEST_P(RoomApiTest, BlockingStopsOneToOneRoomsInvitesAndMessages) {
  const auto direct = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}}).json.at("id").as_int64();
  ASSERT_EQ(bob_->patch("/api/v1/friends/" + std::to_string(amy_id_), {{"blocked", true}}).status, 200);
  EXPECT_EQ(send(*amy_, direct, "are you there?").status, 403);  // Bob blocked Amy
  EXPECT_EQ(send(*bob_, direct, "I can still write").status, 201);
  EXPECT_EQ(amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}}).status, 403);
  EXPECT_EQ(amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_, cat_id_}}}).status, 403);
  const auto group = cat_->post("/api/v1/rooms", {{"memberIds", {amy_id_}}}).json.at("id").as_int64();
  (void)group;
  const auto trio = cat_->post("/api/v1/rooms", {{"memberIds", {amy_id_, client().join("eve@example.com", "Eve")}}})
                        .json.at("id")
                        .as_int64();
  EXPECT_EQ(amy_->post(room_path(trio) + "/members", {{"memberIds", {bob_id_}}}).status, 403);
  EXPECT_EQ(cat_->post(room_path(trio) + "/members", {{"memberIds", {bob_id_}}}).status, 200);
  // Bob is in the room now: Amy inviting him again asks nothing of him, and is no error.
  EXPECT_EQ(amy_->post(room_path(trio) + "/members", {{"memberIds", {bob_id_}}}).status, 200);
}

TEST_P(RoomApiTest, ARetryAfterABlockStillAnswersTheFirstMessage) {
  const auto direct = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}}).json.at("id").as_int64();
  auto first = send(*amy_, direct, "stored before the block", "before-block");
  ASSERT_EQ(first.status, 201);
  ASSERT_EQ(bob_->patch("/api/v1/friends/" + std::to_string(amy_id_), {{"blocked", true}}).status, 200);
  // The answer was lost, say, and Amy's phone asks again: it was stored, and it says so.
  ASSERT_EQ(bob_->post(room_path(direct) + "/read", {{"seq", 1}}).status, 200);
  auto again = send(*amy_, direct, "stored before the block", "before-block");
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.json.at("id"), first.json.at("id"));
  EXPECT_EQ(first.json.at("unreadMemberCount"), 1);
  EXPECT_EQ(again.json.at("unreadMemberCount"), 0);  // as it stands now: Bob has read it
  EXPECT_EQ(send(*amy_, direct, "a new one", "after-block").status, 403);
  EXPECT_EQ(amy_->get(room_path(direct) + "/messages/count").json.at("count"), 1);
}

TEST_P(RoomApiTest, AFormerMemberKeepsNothingNewEvenByRetrying) {
  const auto group = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_, cat_id_}}}).json.at("id").as_int64();
  ASSERT_EQ(send(*cat_, group, "see you", "last-words").status, 201);
  ASSERT_EQ(cat_->del(room_path(group) + "/members/me").status, 204);
  // Whether the others have read it since is no longer hers to know.
  auto again = send(*cat_, group, "see you", "last-words");
  EXPECT_EQ(again.status, 403);
  EXPECT_EQ(again.code(), "FORBIDDEN");
}

TEST_P(RoomApiTest, ARetriedSendReturnsTheFirstMessage) {
  const auto direct = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}}).json.at("id").as_int64();
  const std::string id = "retry-6f1c2a9e-4b7d-4e0a-9c3f";  // longer than a short string's inline room
  auto first = send(*amy_, direct, "once", id);
  auto again = send(*amy_, direct, "once", id);
  EXPECT_EQ(again.json.at("id"), first.json.at("id"));
  EXPECT_EQ(again.json.at("seq"), 1);
  EXPECT_EQ(first.json.at("clientMsgId").as_string(), id);
  EXPECT_EQ(again.json.at("clientMsgId").as_string(), id);
  EXPECT_EQ(amy_->get(room_path(direct) + "/messages/count").json.at("count"), 1);
  EXPECT_TRUE(send(*amy_, direct, "no id").json.at("clientMsgId").is_null());
  // History reads the id back as it was sent.
  const auto history = amy_->get(room_path(direct) + "/messages");
  EXPECT_EQ(history.json.at("items").at(0).at("clientMsgId").as_string(), id);
  EXPECT_TRUE(history.json.at("items").at(1).at("clientMsgId").is_null());
}

TEST_P(RoomApiTest, BadInputGetsClearErrors) {
  const auto direct = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}}).json.at("id").as_int64();
  const auto messages = room_path(direct) + "/messages";
  for (const auto& [body, why] : std::vector<std::pair<boost::json::value, std::string>>{
           {{{"type", "text"}}, "no body"},
           {{{"type", "text"}, {"body", "   "}}, "blank"},
           {{{"type", "text"}, {"body", "\xE2\x80\x8B\xE3\x85\xA4"}}, "only invisible characters"},
           {{{"type", "text"}, {"body", std::string(4001, 'x')}}, "too long"},
           {{{"type", "text"}, {"body", "bell\u0007"}}, "control character"},
           {{{"type", "system"}, {"body", "x"}}, "system from a client"},
           {{{"type", "video"}, {"body", "x"}}, "unknown type"},
           {{{"type", "image"}, {"body", "has spaces"}}, "bad media reference"},
           {{{"type", "image"}, {"body", "javascript:alert(1)"}}, "a script for a link"},
           {{{"type", "file"}, {"body", "data:text/html,<script>alert(1)</script>"}}, "a data URL"},
           {{{"type", "image"}, {"body", "<script>alert(1)</script>"}}, "markup"},
           {{{"type", "file"}, {"body", "../../etc/passwd"}}, "a climb out of the media folder"},
           {{{"type", "image"}, {"body", "//elsewhere.example.com/x.png"}}, "another host, scheme-relative"},
           {{{"type", "image"}, {"body", "https:///no-host"}}, "a URL without a host"},
           {{{"type", "image"}, {"body", "/api/v1/auth/logout"}}, "a path of this server, not media"},
           {{{"type", "file"}, {"body", "/etc/passwd"}}, "a path that is not media"},
           {{{"type", "file"}, {"body", "media/"}}, "media without an id"},
           {{{"type", "file"}, {"body", "media/1/../../x"}}, "media, then a climb"},
           {{{"type", "file"}, {"body", "media/1?x=1"}}, "media with a query"},
           {{{"type", "file"}, {"body", "media/1/original"}}, "media, and something else"},
           {{{"type", "image"}, {"body", "https://ex.com/\xEA\xB0\x80"}}, "not URL syntax (percent-encode)"},
           {{{"type", "text"}, {"body", "x"}, {"clientMsgId", std::string(65, 'c')}}, "long client id"},
           {{{"type", "text"}, {"body", 5}}, "body a number"},
       }) {
    auto reply = amy_->post(messages, body);
    EXPECT_EQ(reply.status, 400) << why;
    EXPECT_EQ(reply.code(), "VALIDATION_FAILED") << why;
  }
  EXPECT_EQ(send(*amy_, direct, "line one\nline two").status, 201);  // line breaks are fine
  EXPECT_EQ(send(*amy_, direct, "name\tscore").status, 201);         // and tabs, pasted from a table
  for (const auto* reference : {"media/1", "/api/v1/media/1", "/api/v1/media/a3f9_c0-1/thumbnail",
                                "https://img.example.com/a%20b.png?w=200", "https://ex.com/%EA%B0%80"}) {
    EXPECT_EQ(amy_->post(messages, {{"type", "image"}, {"body", reference}}).status, 201) << reference;
  }
  // A clientMsgId is counted in characters: 64 Hangul syllables are 192 octets.
  std::string hangul;
  for (int i = 0; i < 64; ++i) hangul += "\uAC00";
  EXPECT_EQ(amy_->post(messages, {{"type", "text"}, {"body", "x"}, {"clientMsgId", hangul}}).status, 201);
  EXPECT_EQ(amy_->post("/api/v1/rooms", boost::json::object{}).status, 400);
  EXPECT_EQ(amy_->post("/api/v1/rooms", {{"memberIds", boost::json::array{}}}).status, 400);
  EXPECT_EQ(amy_->post("/api/v1/rooms", {{"memberIds", {amy_id_}}}).status, 400);
  EXPECT_EQ(amy_->post("/api/v1/rooms", {{"memberIds", {"2"}}}).status, 400);
  EXPECT_EQ(amy_->post("/api/v1/rooms", {{"memberIds", {987654}}}).status, 404);
  auto tab_in_name = amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_, cat_id_}}, {"name", "a\tb"}});
  EXPECT_EQ(tab_in_name.status, 400);
  EXPECT_NE(tab_in_name.json.at("message").as_string().find("control characters"), std::string::npos);
  // A 1:1 room has no name, but a bad one is still bad input; a good one is ignored.
  EXPECT_EQ(amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}, {"name", std::string(51, 'n')}}).status, 400);
  EXPECT_EQ(amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}, {"name", ""}}).status, 400);
  EXPECT_EQ(amy_->post("/api/v1/rooms", {{"memberIds", {bob_id_}}, {"name", "Us"}}).json.at("id"), direct);
  EXPECT_EQ(amy_->get(messages + "?before=3&after=1").status, 400);
  EXPECT_EQ(amy_->get(messages + "?before=x").status, 400);
  auto huge = amy_->get(messages + "?size=99999999999999999999");  // a number, past 64 bits
  EXPECT_EQ(huge.status, 400);
  EXPECT_NE(huge.json.at("message").as_string().find("out of range"), std::string::npos);
  // The OpenAPI document's minimums: no seq before 1, and `after=0` is "from the first".
  EXPECT_EQ(amy_->get(messages + "?before=0").status, 400);
  EXPECT_EQ(amy_->get(messages + "?after=-1").status, 400);
  EXPECT_EQ(amy_->get(messages + "?after=0").status, 200);
  EXPECT_EQ(amy_->get(room_path(direct) + "/images?before=0").status, 400);
  EXPECT_EQ(amy_->post(room_path(direct) + "/read", {{"seq", "5"}}).status, 400);
  EXPECT_EQ(amy_->post(room_path(direct) + "/read", {{"seq", -1}}).status, 400);
  EXPECT_EQ(amy_->get("/api/v1/rooms?cursor=nonsense").status, 400);
  // An id in the path is checked as a query parameter is: what cannot be an id is 400.
  for (const std::string bad : {"abc", "0", "-1", "1.5", "9223372036854775808"}) {
    const auto got = amy_->get("/api/v1/rooms/" + bad + "/messages");
    EXPECT_EQ(got.status, 400) << bad;
    EXPECT_EQ(got.code(), "VALIDATION_FAILED") << bad;
  }
  EXPECT_EQ(amy_->get("/api/v1/rooms/987654").status, 404);
}

INSTANTIATE_TEST_SUITE_P(Engines, RoomApiTest, ::testing::Values(Engine::sqlite, Engine::mysql), engine_name);

}  // namespace
}  // namespace modu::testing
