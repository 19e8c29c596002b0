#include "postgres_server.hpp"

#include <unistd.h>

#include <random>
#include <stdexcept>

#include "test_support.hpp"

namespace vctp::test {

namespace fs = std::filesystem;

namespace {

std::filesystem::path find_bindir() {
  for (const auto& root : {fs::path("/usr/lib/postgresql")}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      if (fs::exists(entry.path() / "bin" / "initdb")) return entry.path() / "bin";
    }
  }
  throw std::runtime_error("PostgresServer: no initdb under /usr/lib/postgresql (install Debian's postgresql)");
}

std::string random_hex(std::size_t bytes) {
  std::random_device rd;
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    const auto b = rd() & 0xff;
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

}  // namespace

PostgresServer::PostgresServer() : bindir_(find_bindir()), password_(random_hex(12)) {
  char tmpl[] = "/tmp/vctp-pgsrv-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("PostgresServer: mkdtemp failed");
  cluster_ = tmpl;
  const bool root = ::geteuid() == 0;
  if (root) run_command("chown postgres: " + cluster_.string());
  const auto pwfile = cluster_ / "pwfile";
  write_file(pwfile, password_ + "\n");
  if (root) run_command("chown postgres: " + pwfile.string());
  const auto init = run_command(as_postgres((bindir_ / "initdb").string() + " -D " + (cluster_ / "data").string() +
                                            " -U postgres --pwfile=" + pwfile.string() +
                                            " --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8"));
  fs::remove(pwfile);
  if (init.status != 0) throw std::runtime_error("PostgresServer: initdb failed: " + init.output);
  bool started = false;
  for (int attempt = 0; attempt < 5 && !started; ++attempt) {
    port_ = free_port();
    started = try_start();
  }
  if (!started) throw std::runtime_error("PostgresServer: the server did not start: " + log());
  const std::string super = "PGPASSWORD=" + password_ + " " + (bindir_ / "psql").string() +
                            " -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " + std::to_string(port_) +
                            " -U postgres -d postgres";
  const auto setup = run_command(super + " -c \"CREATE ROLE vctp LOGIN CREATEDB PASSWORD '" + password_ + "'\" -c " +
                                 "\"CREATE DATABASE vctp OWNER vctp\"");
  if (setup.status != 0) throw std::runtime_error("PostgresServer: cannot create role vctp: " + setup.output);
}

PostgresServer::~PostgresServer() {
  run_command(
      as_postgres((bindir_ / "pg_ctl").string() + " -D " + (cluster_ / "data").string() + " stop -m immediate -w"));
  std::error_code ec;
  fs::remove_all(cluster_, ec);
}

std::string PostgresServer::as_postgres(const std::string& command) const {
  return (::geteuid() == 0 ? "runuser -u postgres -- " : "") + command;
}

bool PostgresServer::try_start() {
  const std::string options = "-c listen_addresses=127.0.0.1 -c port=" + std::to_string(port_) +
                              " -c unix_socket_directories=" + cluster_.string() +
                              " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100";
  return run_command(as_postgres((bindir_ / "pg_ctl").string() + " -D " + (cluster_ / "data").string() + " -l " +
                                 (cluster_ / "server.log").string() + " -w -t 60 start -o '" + options + "'"))
             .status == 0;
}

void PostgresServer::stop(const std::string& mode) {
  const auto r = run_command(
      as_postgres((bindir_ / "pg_ctl").string() + " -D " + (cluster_ / "data").string() + " stop -w -t 60 -m " + mode));
  if (r.status != 0) throw std::runtime_error("PostgresServer: pg_ctl stop failed: " + r.output);
}

void PostgresServer::start() {
  if (!try_start()) throw std::runtime_error("PostgresServer: the server did not start again: " + log());
}

std::string PostgresServer::dsn() const {
  return "postgres://vctp:" + password_ + "@127.0.0.1:" + std::to_string(port_) + "/vctp";
}

std::string PostgresServer::psql_command() const {
  return "PGPASSWORD=" + password_ + " " + (bindir_ / "psql").string() + " -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " +
         std::to_string(port_) + " -U vctp -d vctp";
}

int PostgresServer::psql(const std::string& sql) const {
  return run_command(psql_command() + " -c \"" + sql + "\"").status;
}

std::string PostgresServer::log() const {
  std::error_code ec;
  if (!fs::exists(cluster_ / "server.log", ec)) return {};
  return read_file(cluster_ / "server.log");
}

}  // namespace vctp::test
