#pragma once

// Included only by websocket_server.cpp, the one translation unit with Beast's WebSocket.

#include "http/upgrade.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

namespace modu::ws {

/// The socket under Beast's WebSocket stream. It hands Beast no byte past the end of the
/// WebSocket frame being read, so that once a message has been read whole, Beast holds
/// nothing of the next one. The connection can then wait for its next message on the
/// socket itself: a wait costs a small operation, where Beast's pending read (its state,
/// its executors and ours) would be a sixth of what an idle connection costs.
///
/// It learns where a frame ends by peeking at its header (RFC 6455 §5.2: two octets, an
/// extended length of 0, 2 or 8, and a 4-octet mask when masked); what Beast then reads
/// is limited to the rest of that frame. That costs one peek per frame a client sends.
/// @par Thread safety
/// None, like the socket: used on the connection's own thread.
class FrameBoundedSocket {
 public:
  using socket_type = http::Socket;
  using executor_type = socket_type::executor_type;

  explicit FrameBoundedSocket(socket_type socket) : socket_(std::move(socket)) {
    boost::system::error_code ignored;
    socket_.non_blocking(true, ignored);  // the peek must not block
  }

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  socket_type& next_layer() noexcept { return socket_; }
  const socket_type& next_layer() const noexcept { return socket_; }

  /// True when no frame is begun: every byte read so far belongs to frames read whole.
  bool between_frames() const noexcept { return frame_left_ == 0 && head_size_ == 0; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& buffers) { start_read(std::move(handler), buffers); }, token,
        buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return socket_.async_write_some(buffers, std::forward<Token>(token));
  }

 private:
  static constexpr std::size_t kLongestHeader = 14;

  /// The frame's whole size from its first octets, or none while they are too few.
  static std::optional<std::uint64_t> frame_size(const std::uint8_t* head, std::size_t size) {
    if (size < 2) return std::nullopt;
    const std::uint8_t code = head[1] & 0x7F;
    const std::size_t extended = code == 126 ? 2 : code == 127 ? 8 : 0;
    const std::size_t header = 2 + extended + ((head[1] & 0x80) ? 4 : 0);
    if (size < 2 + extended) return std::nullopt;
    std::uint64_t payload = code;
    if (extended > 0) {
      payload = 0;
      for (std::size_t i = 0; i < extended; ++i) payload = payload << 8 | head[2 + i];
    }
    return header + payload;
  }

  template <class Handler, class MutableBuffers>
  void start_read(Handler handler, const MutableBuffers& buffers) {
    boost::system::error_code ec;
    std::size_t n = 0;
    if (frame_left_ > 0 && head_size_ == 0) {
      // Within a frame whose length is known: at most its rest.
      socket_.async_read_some(
          boost::beast::buffers_prefix(frame_left_, buffers),
          [this, handler = std::move(handler)](boost::system::error_code ec, std::size_t n) mutable {
            frame_left_ -= n;
            std::move(handler)(ec, n);
          });
      return;
    }
    if (frame_left_ > 0) {
      n = hand_over_head(buffers);  // a header taken earlier, larger than what Beast asked for
    } else {
      n = read_at_frame_start(buffers, ec);
      if (ec == boost::asio::error::would_block) {
        socket_.async_wait(socket_type::wait_read,
                           [this, handler = std::move(handler), buffers](boost::system::error_code ec) mutable {
                             if (ec) return std::move(handler)(ec, 0);
                             start_read(std::move(handler), buffers);  // readable, or at its end
                           });
        return;
      }
    }
    // Done without waiting: the handler still runs later, never inside the initiation.
    boost::asio::post(socket_.get_executor(),
                      [handler = std::move(handler), ec, n]() mutable { std::move(handler)(ec, n); });
  }

  /// At the start of a frame: learns its size, then reads what Beast asked for, up to the
  /// frame's end. would_block when nothing is to be had yet.
  template <class MutableBuffers>
  std::size_t read_at_frame_start(const MutableBuffers& buffers, boost::system::error_code& ec) {
    // Peek at the header: with all of it in the kernel, nothing is taken yet.
    std::array<std::uint8_t, kLongestHeader> peeked;
    std::memcpy(peeked.data(), head_.data(), head_size_);
    const auto n = socket_.receive(boost::asio::buffer(peeked.data() + head_size_, kLongestHeader - head_size_),
                                   socket_type::message_peek, ec);
    if (ec) return 0;
    const auto size = frame_size(peeked.data(), head_size_ + n);
    if (!size) {
      // Too few octets to know the length (a client that trickles): take them, so that
      // waiting for more does not wake at once for the same octets again.
      head_size_ +=
          static_cast<std::uint8_t>(socket_.receive(boost::asio::buffer(head_.data() + head_size_, n), 0, ec));
      if (!ec) ec = boost::asio::error::would_block;
      return 0;
    }
    frame_left_ = *size;
    const auto given = hand_over_head(buffers);
    if (head_size_ > 0) return given;
    boost::beast::buffers_suffix<MutableBuffers> rest(buffers);
    rest.consume(given);
    const auto read = socket_.receive(boost::beast::buffers_prefix(frame_left_, rest), 0, ec);
    if (ec) {
      if (given > 0) ec = {};  // what was handed over stands; the rest comes with the next read
      return given;
    }
    frame_left_ -= read;
    return given + read;
  }

  /// Hands Beast the header octets taken earlier, as many as fit.
  template <class MutableBuffers>
  std::size_t hand_over_head(const MutableBuffers& buffers) {
    const auto given = boost::asio::buffer_copy(buffers, boost::asio::buffer(head_.data(), head_size_));
    std::memmove(head_.data(), head_.data() + given, head_size_ - given);
    head_size_ = static_cast<std::uint8_t>(head_size_ - given);
    frame_left_ -= given;
    return given;
  }

  socket_type socket_;
  std::uint64_t frame_left_ = 0;                     ///< octets of the frame begun not yet handed to Beast
  std::array<std::uint8_t, kLongestHeader> head_{};  ///< octets of a header taken, not yet handed to Beast
  std::uint8_t head_size_ = 0;
};

/// What Beast calls to close the connection: the socket's own teardown.
inline void teardown(boost::beast::role_type role, FrameBoundedSocket& socket, boost::system::error_code& ec) {
  boost::beast::websocket::teardown(role, socket.next_layer(), ec);
}

template <class Handler>
void async_teardown(boost::beast::role_type role, FrameBoundedSocket& socket, Handler&& handler) {
  boost::beast::websocket::async_teardown(role, socket.next_layer(), std::forward<Handler>(handler));
}

}  // namespace modu::ws
