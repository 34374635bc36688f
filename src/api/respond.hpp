#pragma once

#include "core/worker_pool.hpp"
#include "http/message.hpp"

#include <boost/asio/awaitable.hpp>

#include <utility>

namespace modu::api {

/// The end of most handlers: run one blocking service call on the worker pool, answer
/// its error as the contract's error, or its value as JSON with `status`.
template <class Call, class View>
boost::asio::awaitable<http::Reply> respond(WorkerPool& workers, int status, Call call, View view) {
  auto result = co_await workers.run(std::move(call));
  if (!result) co_return result.error();
  co_return http::Response::json(status, view(*result));
}

}  // namespace modu::api
