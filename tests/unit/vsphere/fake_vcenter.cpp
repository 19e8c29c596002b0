#include "fake_vcenter.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <regex>
#include <stdexcept>

#include "test_support.hpp"

namespace vctp::test {

namespace {

bool send_all(int fd, const std::string& data, std::size_t size) {
  for (std::size_t sent = 0; sent < size;) {
    const auto n = ::send(fd, data.data() + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string header_value(const std::string& headers, const std::string& name) {
  std::string lower = headers;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string key = "\r\n" + name + ":";
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto p = lower.find(key);
  if (p == std::string::npos) return {};
  auto start = p + key.size();
  while (start < headers.size() && headers[start] == ' ') ++start;
  const auto end = headers.find("\r\n", start);
  return headers.substr(start, end - start);
}

}  // namespace

std::string recorded(const std::string& name) {
  return read_file(source_dir() / "tests/unit/vsphere/data" / name);
}

std::string empty_response(const std::string& method) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
         "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><" +
         method + "Response xmlns=\"urn:vim25\"></" + method + "Response></soapenv:Body></soapenv:Envelope>";
}

FakeResponse default_answer(const FakeRequest& r) {
  FakeResponse res;
  if (r.method == "RetrieveServiceContent") {
    res.body = recorded("service_content.xml");
  } else if (r.method == "Login") {
    res.body = recorded("login.xml");
    res.set_cookie = "vmware_soap_session=fake-session-1; Path=/; HttpOnly";
  } else if (r.method == "CreateContainerView") {
    res.body = recorded("create_container_view.xml");
  } else if (r.method == "ReadNextEvents") {
    res.body = recorded("read_next_events_empty.xml");
  } else if (r.method == "CreateCollectorForEvents") {
    res.body = empty_response("CreateCollectorForEvents");
    res.body.replace(res.body.find("</CreateCollectorForEventsResponse>"), 0,
                     "<returnval type=\"EventHistoryCollector\">collector-1</returnval>");
  } else {
    res.body = empty_response(r.method);
  }
  return res;
}

FakeVcenter::FakeVcenter(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 16) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("bind/listen failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

FakeVcenter::~FakeVcenter() {
  stop_ = true;
  thread_.join();
  for (auto& w : workers_) w.join();
  ::close(listen_fd_);
}

std::vector<FakeRequest> FakeVcenter::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

int FakeVcenter::count(const std::string& method) const {
  std::lock_guard lock(mutex_);
  int n = 0;
  for (const auto& r : requests_) n += r.method == method ? 1 : 0;
  return n;
}

void FakeVcenter::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    const int number = ++connections_;
    workers_.emplace_back([this, fd, number] { serve_connection(fd, number); });
  }
}

void FakeVcenter::serve_connection(int fd, int number) {
  static const std::regex method_re(R"(<(?:[A-Za-z0-9_]+:)?Body[^>]*>\s*<(?:[A-Za-z0-9_]+:)?([A-Za-z0-9_]+))");
  std::string buffer;
  char chunk[65536];
  while (!stop_) {
    // Read one request: headers, then Content-Length bytes.
    std::size_t header_end;
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, 50);
      if (stop_) break;
      if (ready <= 0) continue;
      const auto n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) {
        ::close(fd);
        return;
      }
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
    if (stop_) break;
    const std::string headers = "\r\n" + buffer.substr(0, header_end);
    const auto length = std::stoul(header_value(headers, "Content-Length").empty() ? "0" : header_value(headers, "Content-Length"));
    while (buffer.size() < header_end + 4 + length) {
      const auto n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) {
        ::close(fd);
        return;
      }
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
    FakeRequest req;
    req.body = buffer.substr(header_end + 4, length);
    buffer.erase(0, header_end + 4 + length);
    req.cookie = header_value(headers, "Cookie");
    req.soap_action = header_value(headers, "SOAPAction");
    req.connection = number;
    std::smatch m;
    if (std::regex_search(req.body, m, method_re)) req.method = m[1];
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(req);
    }
    const FakeResponse res = handler_(req);
    if (res.drop) break;
    std::string out = "HTTP/1.1 " + std::to_string(res.status) + (res.status == 200 ? " OK" : " Error") +
                      "\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " + std::to_string(res.body.size()) +
                      "\r\n";
    if (!res.set_cookie.empty()) out += "Set-Cookie: " + res.set_cookie + "\r\n";
    if (res.close) out += "Connection: close\r\n";
    out += "\r\n";
    const auto head = out.size();
    out += res.body;
    const std::size_t size = res.truncate_at > 0 ? head + res.truncate_at : out.size();
    if (res.trickle_ms > 0) {
      bool sent = send_all(fd, out, head);
      for (std::size_t at = head; sent && at < size && !stop_; at += 16) {
        std::this_thread::sleep_for(std::chrono::milliseconds(res.trickle_ms));
        const std::string piece = out.substr(at, std::min<std::size_t>(16, size - at));
        sent = send_all(fd, piece, piece.size());
      }
      if (!sent) break;
    } else if (!send_all(fd, out, size)) {
      break;
    }
    if (res.close || res.truncate_at > 0) break;
  }
  ::close(fd);
}

}  // namespace vctp::test
