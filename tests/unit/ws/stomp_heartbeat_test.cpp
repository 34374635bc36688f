#include "ws/stomp/heartbeat.hpp"

#include <gtest/gtest.h>

namespace modu::stomp {
namespace {

using std::chrono::milliseconds;

TEST(StompHeartBeat, ParsesTheHeader) {
  auto offer = parse_heart_beat("10000,20000");
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->can_send, milliseconds(10000));
  EXPECT_EQ(offer->wants, milliseconds(20000));

  offer = parse_heart_beat("0,0");
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->can_send, milliseconds(0));
  EXPECT_EQ(offer->wants, milliseconds(0));

  offer = parse_heart_beat(std::nullopt);  // absent: the same as 0,0
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->can_send, milliseconds(0));
  EXPECT_EQ(offer->wants, milliseconds(0));
}

TEST(StompHeartBeat, MalformedHeaderIsAnError) {
  for (const char* text : {"", "1", "1,", ",1", "a,b", "1,2,3", " 1,2", "1, 2", "-1,0", "1;2", "99999999999,0"}) {
    auto offer = parse_heart_beat(text);
    ASSERT_FALSE(offer) << text;
    EXPECT_EQ(offer.error().errc, Errc::bad_request);
    EXPECT_NE(offer.error().message.find("heart-beat"), std::string::npos);
  }
}

TEST(StompHeartBeat, FormatsTheServerOffer) {
  EXPECT_EQ(format_heart_beat({milliseconds(10000), milliseconds(0)}), "10000,0");
}

TEST(StompHeartBeat, NegotiationTable) {
  struct Row {
    int cx, cy, sx, sy;
    int send_every, expect_every;
  };
  const Row rows[] = {
      {0, 0, 10000, 10000, 0, 0},  // the client wants none and sends none
      {10000, 10000, 0, 0, 0, 0},  // the server offers none
      {10000, 10000, 10000, 10000, 10000, 10000},
      {5000, 20000, 10000, 10000, 20000, 10000},  // each way, the larger number wins
      {20000, 5000, 10000, 10000, 10000, 20000},
      {0, 5000, 10000, 10000, 10000, 0},  // the client cannot send
      {5000, 0, 10000, 10000, 0, 10000},  // the client does not want any
      {5000, 5000, 0, 10000, 0, 10000},   // the server cannot send
      {5000, 5000, 10000, 0, 10000, 0},   // the server does not want any
  };
  for (const auto& row : rows) {
    const auto plan = negotiate_heart_beat({milliseconds(row.cx), milliseconds(row.cy)},
                                           {milliseconds(row.sx), milliseconds(row.sy)});
    EXPECT_EQ(plan.send_every, milliseconds(row.send_every))
        << row.cx << "," << row.cy << " vs " << row.sx << "," << row.sy;
    EXPECT_EQ(plan.expect_every, milliseconds(row.expect_every))
        << row.cx << "," << row.cy << " vs " << row.sx << "," << row.sy;
  }
}

}  // namespace
}  // namespace modu::stomp
