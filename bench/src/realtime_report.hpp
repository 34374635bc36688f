#pragma once

#include "realtime_load.hpp"

#include <boost/json/object.hpp>

#include <ostream>

namespace modu::bench {

/// Whether the run kept its promises: every connection opened and stayed open, every
/// acknowledged message reached every subscriber once and in order, no error frames.
bool realtime_ok(const RealtimeResult& result);

/// The summary for people: connections, server memory a connection, rates, latencies,
/// CPU, and the loss check.
void print_realtime(std::ostream& out, RealtimeResult& result);

/// The same as JSON fields, added to `fields` (which holds the scenario's own).
void add_realtime_json(boost::json::object& fields, RealtimeResult& result);

/// Prints the summary on `out` and, with `json`, the scenario's `fields` and the run's as
/// one line on stdout; the exit code: kExitOk if the run kept its promises.
int report_realtime(std::ostream& out, RealtimeResult& result, bool json, boost::json::object fields);

}  // namespace modu::bench
