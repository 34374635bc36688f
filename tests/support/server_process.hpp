#pragma once

// Starts the real `modu` binary on a free port and speaks raw HTTP/1.1 to it, so that
// tests can send exactly the bytes they mean, malformed ones included.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace modu::testing {

struct ProcessResult {
  int exit_code;
  std::string output;
};

/// Runs `modu` with arguments and extra environment to completion.
inline ProcessResult run_modu(const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& env = {}) {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe");
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(out[1], 2);
    close(out[0]);
    for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
    std::vector<char*> argv{const_cast<char*>(MODU_BINARY)};
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(MODU_BINARY, argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string output;
  char buffer[4096];
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) > 0;) output.append(buffer, n);
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

/// `modu serve` on 127.0.0.1 and a free port, with a data folder of its own.
class ServerProcess {
 public:
  explicit ServerProcess(std::map<std::string, std::string> env = {}) {
    static int counter = 0;
    data_dir_ = std::filesystem::temp_directory_path() /
                ("modu-it-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(data_dir_);
    env.emplace("MODU_LOG_LEVEL", "info");  // the "listening" line tells the port
    env.emplace("MODU_LOG_FORMAT", "json");
    env.emplace("MODU_SERVER_HOST", "127.0.0.1");
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      dup2(out[1], 2);
      close(out[0]);
      for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
      execl(MODU_BINARY, MODU_BINARY, "serve", "--profile", "test", "--port", "0", "--data-dir", data_dir_.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    output_fd_ = out[0];
    const std::string marker = "listening on http://127.0.0.1:";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!read_output(1000)) break;
      if (auto at = output_.find(marker); at != std::string::npos) {
        port_ = std::stoi(output_.substr(at + marker.size()));
        return;
      }
    }
    throw std::runtime_error("server did not start:\n" + output_);
  }

  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(output_fd_);
    std::filesystem::remove_all(data_dir_);
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }

  /// Sends a signal and waits for the exit code.
  int stop(int signal = SIGTERM) {
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    while (read_output(100)) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  const std::string& output() const { return output_; }

 private:
  bool read_output(int timeout_ms) {
    pollfd fd{output_fd_, POLLIN, 0};
    if (poll(&fd, 1, timeout_ms) <= 0) return true;
    char buffer[4096];
    const auto n = read(output_fd_, buffer, sizeof buffer);
    if (n <= 0) return false;
    output_.append(buffer, n);
    return true;
  }

  pid_t pid_ = -1;
  int output_fd_ = -1;
  int port_ = 0;
  std::string output_;
  std::filesystem::path data_dir_;
};

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
};

/// One TCP connection speaking HTTP/1.1 by hand.
class Connection {
 public:
  explicit Connection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect: " + std::string(strerror(errno)));
    }
    timeval timeout{20, 0};  // a test that hangs fails instead
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~Connection() { close(fd_); }
  Connection(const Connection&) = delete;

  /// Whether all of `bytes` went out: the server may close early (413), and the reply
  /// still tells.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(n);
    }
    return true;
  }

  /// Reads one response; nullopt when the server closed the connection first. A reply
  /// to HEAD has a Content-Length but no body.
  std::optional<HttpReply> read_reply(bool to_head = false) {
    while (buffer_.find("\r\n\r\n") == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    const auto head_end = buffer_.find("\r\n\r\n");
    HttpReply reply;
    std::string head = buffer_.substr(0, head_end);
    buffer_.erase(0, head_end + 4);
    reply.status = std::stoi(head.substr(9, 3));
    std::size_t line_start = head.find("\r\n");
    while (line_start != std::string::npos) {
      line_start += 2;
      const auto line_end = head.find("\r\n", line_start);
      const auto line = head.substr(line_start, line_end - line_start);
      const auto colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      line_start = line_end;
    }
    const auto length =
        !to_head && reply.headers.count("content-length") ? std::stoul(reply.headers["content-length"]) : 0;
    while (buffer_.size() < length) {
      if (!fill()) break;
    }
    reply.body = buffer_.substr(0, length);
    buffer_.erase(0, std::min(length, buffer_.size()));
    return reply;
  }

  std::optional<HttpReply> request(std::string_view bytes) {
    send(bytes);
    return read_reply();
  }

  /// True when the server has closed its side: the next read finds the end.
  bool closed_by_server() {
    if (!buffer_.empty()) return false;
    return !fill();
  }

 private:
  bool fill() {
    char chunk[8192];
    const auto n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, n);
    return true;
  }

  int fd_;
  std::string buffer_;
};

inline std::string get_request(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n" + std::string(extra_headers) + "\r\n";
}

}  // namespace modu::testing
