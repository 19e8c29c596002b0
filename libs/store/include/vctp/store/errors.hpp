#pragma once

#include <stdexcept>
#include <string>

namespace vctp::store {

/// A database failure. The message names the driver and (masked) location where it helps, and
/// says what went wrong; `retryable()` tells whether trying again later may succeed (a locked
/// SQLite file, a PostgreSQL serialization failure or deadlock, a server not up yet).
class StoreError : public std::runtime_error {
 public:
  explicit StoreError(const std::string& message, bool retryable = false)
      : std::runtime_error(message), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

/// A table name that is not one of the snapshot patterns with a valid UTC date; it never
/// reaches SQL.
class InvalidTableName : public StoreError {
 public:
  using StoreError::StoreError;
};

/// The database was migrated by a newer vctp than this binary: refuse rather than guess.
class SchemaTooNew : public StoreError {
 public:
  using StoreError::StoreError;
};

}  // namespace vctp::store
