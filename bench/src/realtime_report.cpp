#include "realtime_report.hpp"

#include "scenario.hpp"

#include "stats.hpp"

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <thread>

namespace modu::bench {
namespace {

std::string mib(std::uint64_t bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20)); }

std::string kib(double bytes) { return fmt::format("{:.2f} KiB", bytes / 1024); }

/// Server memory a connection: the growth of its RSS from before the first connection
/// to all connected, over the connections; and over the second half alone, which leaves
/// out what the first connections cost once (allocator arenas, tables growing).
std::optional<double> bytes_per_connection(const RealtimeResult& r) {
  if (!r.rss_before || !r.rss_connected || r.connected == 0) return std::nullopt;
  return (static_cast<double>(*r.rss_connected) - static_cast<double>(*r.rss_before)) /
         static_cast<double>(r.connected);
}

std::optional<double> bytes_per_connection_second_half(const RealtimeResult& r) {
  if (!r.rss_half || !r.rss_connected || r.connected <= r.half_connected) return std::nullopt;
  return (static_cast<double>(*r.rss_connected) - static_cast<double>(*r.rss_half)) /
         static_cast<double>(r.connected - r.half_connected);
}

double per_second(std::uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0;
}

std::string rate_text(double rate) { return with_commas(static_cast<std::uint64_t>(std::llround(rate))); }

std::string latency_text(LatencySamples& samples) {
  if (samples.size() == 0) return "none measured";
  return fmt::format("p50 {}, p90 {}, p99 {}, max {}", format_ms(samples.percentile(0.5)),
                     format_ms(samples.percentile(0.9)), format_ms(samples.percentile(0.99)), format_ms(samples.max()));
}

double other_cpu(const RealtimeResult& r) {
  return std::max(0.0, r.machine_cpu - r.client_cpu - (r.server_cpu ? r.server_cpu->process : 0.0));
}

std::uint64_t error_count(const RealtimeResult& r) {
  std::uint64_t count = 0;
  for (const auto& [what, n] : r.errors) count += n;
  return count;
}

boost::json::object latency_json(LatencySamples& samples) {
  return {{"p50", samples.percentile(0.5).count()},
          {"p90", samples.percentile(0.9).count()},
          {"p99", samples.percentile(0.99).count()},
          {"max", samples.max().count()},
          {"samples", samples.size()}};
}

}  // namespace

bool realtime_ok(const RealtimeResult& r) {
  return r.setup_failed == 0 && r.dropped == 0 && r.lost == 0 && r.duplicates == 0 && r.seq_gaps == 0 &&
         r.seq_disorder == 0 && error_count(r) == 0;
}

void print_realtime(std::ostream& out, RealtimeResult& r) {
  out << fmt::format("connections: {} of {} open in {:.1f} s ({} subscribing, {} publishing){}\n",
                     with_commas(r.connected), with_commas(r.connections), r.setup_seconds, with_commas(r.subscribers),
                     r.publishers,
                     r.setup_failed ? fmt::format("; {} FAILED, first: {}", r.setup_failed, r.first_setup_error) : "");
  if (const auto each = bytes_per_connection(r)) {
    const auto half = bytes_per_connection_second_half(r);
    out << fmt::format("server memory (VmRSS): {} before, {} with all connected: {} a connection{}; {} at the end\n",
                       mib(*r.rss_before), mib(*r.rss_connected), kib(*each),
                       half ? fmt::format(" ({} over the second half)", kib(*half)) : "",
                       r.rss_end ? mib(*r.rss_end) : "?");
  }
  if (r.measured_seconds > 0 && r.publishers > 0) {
    out << fmt::format("measured {:.1f} s:\n", r.measured_seconds);
    out << fmt::format("  published (RECEIPT):  {} msg/s; send -> RECEIPT {}\n",
                       rate_text(per_second(r.acknowledged_measured, r.measured_seconds)),
                       latency_text(r.receipt_latency));
    out << fmt::format("  deliveries:           {} /s; send -> MESSAGE {}\n",
                       rate_text(per_second(r.delivered_measured, r.measured_seconds)),
                       latency_text(r.delivery_latency));
  } else if (r.measured_seconds > 0) {
    out << fmt::format("held {:.1f} s\n", r.measured_seconds);
  }
  const auto per_delivery = [&r](double cores) {
    if (r.delivered_measured == 0) return std::string();
    return fmt::format(", {:.2f} µs a delivery",
                       cores * r.measured_seconds * 1e6 / static_cast<double>(r.delivered_measured));
  };
  if (r.server_cpu)
    out << fmt::format("  server CPU: {}{}\n", describe(*r.server_cpu), per_delivery(r.server_cpu->process));
  if (r.measured_seconds > 0)
    out << fmt::format("  bench CPU:  {:.2f} cores{}\n", r.client_cpu, per_delivery(r.client_cpu));
  if (r.measured_seconds > 0 && r.server_cpu) {
    // Another process busy during the run makes the numbers lower than the machine can do.
    out << fmt::format("  other processes: {:.2f} cores (the machine: {:.2f} busy of {})\n", other_cpu(r),
                       r.machine_cpu, std::thread::hardware_concurrency());
  }
  if (r.publishers > 0) {
    out << fmt::format("check: {} sent, {} acknowledged; {} deliveries expected, {} arrived: {}\n", with_commas(r.sent),
                       with_commas(r.acknowledged), with_commas(r.expected), with_commas(r.delivered),
                       r.lost == 0 && r.duplicates == 0 && r.seq_gaps == 0 && r.seq_disorder == 0
                           ? "nothing lost, no duplicates, in order"
                           : fmt::format("{} LOST, {} duplicated or out of order, {} seq gaps, {} seqs out of order",
                                         with_commas(r.lost), r.duplicates, r.seq_gaps, r.seq_disorder));
    if (r.unacknowledged_deliveries) {
      out << fmt::format("  and {} deliveries of messages whose RECEIPT never came\n", r.unacknowledged_deliveries);
    }
  }
  if (r.dropped) out << fmt::format("connections dropped by the other side: {}\n", r.dropped);
  if (r.errors.empty()) {
    out << "errors: none\n";
  } else {
    out << "errors:\n";
    for (const auto& [what, count] : r.errors) out << fmt::format("  {} x {}\n", with_commas(count), what);
  }
}

void add_realtime_json(boost::json::object& fields, RealtimeResult& r) {
  fields["connections"] = r.connections;
  fields["connected"] = r.connected;
  fields["setupFailed"] = r.setup_failed;
  fields["setupSeconds"] = std::round(r.setup_seconds * 10) / 10;
  fields["subscribers"] = r.subscribers;
  fields["publishers"] = r.publishers;
  if (r.rss_before) fields["rssBefore"] = *r.rss_before;
  if (r.rss_connected) fields["rssConnected"] = *r.rss_connected;
  if (r.rss_end) fields["rssEnd"] = *r.rss_end;
  if (const auto each = bytes_per_connection(r)) fields["bytesPerConnection"] = std::llround(*each);
  if (const auto half = bytes_per_connection_second_half(r))
    fields["bytesPerConnectionSecondHalf"] = std::llround(*half);
  fields["measuredSeconds"] = std::round(r.measured_seconds * 100) / 100;
  fields["publishedPerSecond"] = std::llround(per_second(r.acknowledged_measured, r.measured_seconds));
  fields["deliveriesPerSecond"] = std::llround(per_second(r.delivered_measured, r.measured_seconds));
  fields["latencyUs"] = latency_json(r.delivery_latency);
  fields["receiptLatencyUs"] = latency_json(r.receipt_latency);
  fields["sent"] = r.sent;
  fields["acknowledged"] = r.acknowledged;
  fields["expected"] = r.expected;
  fields["delivered"] = r.delivered;
  fields["lost"] = r.lost;
  fields["duplicates"] = r.duplicates;
  fields["seqGaps"] = r.seq_gaps;
  fields["seqDisorder"] = r.seq_disorder;
  fields["unacknowledgedDeliveries"] = r.unacknowledged_deliveries;
  fields["dropped"] = r.dropped;
  boost::json::object errors;
  for (const auto& [what, count] : r.errors) errors[what] = count;
  fields["errors"] = std::move(errors);
  fields["errorCount"] = error_count(r);
  if (r.server_cpu) {
    fields["serverCpu"] = std::round(r.server_cpu->process * 100) / 100;
    boost::json::array threads;
    for (const auto& thread : r.server_cpu->threads) {
      if (thread.share >= 0.01) threads.push_back(std::round(thread.share * 100) / 100);
    }
    fields["serverThreadsCpu"] = std::move(threads);
  }
  fields["clientCpu"] = std::round(r.client_cpu * 100) / 100;
  fields["machineCpu"] = std::round(r.machine_cpu * 100) / 100;
  if (r.server_cpu) fields["otherCpu"] = std::round(other_cpu(r) * 100) / 100;
  if (r.delivered_measured > 0) {
    const double micros = r.measured_seconds * 1e6 / static_cast<double>(r.delivered_measured);
    if (r.server_cpu) fields["serverCpuUsPerDelivery"] = std::round(r.server_cpu->process * micros * 100) / 100;
    fields["clientCpuUsPerDelivery"] = std::round(r.client_cpu * micros * 100) / 100;
  }
  fields["ok"] = realtime_ok(r);
}

int report_realtime(std::ostream& out, RealtimeResult& result, bool json, boost::json::object fields) {
  print_realtime(out, result);
  if (json) {
    add_realtime_json(fields, result);
    std::cout << boost::json::serialize(fields) << std::endl;
  }
  return realtime_ok(result) ? kExitOk : kExitFailed;
}

}  // namespace modu::bench
