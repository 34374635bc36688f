#pragma once

#include "storage/database.hpp"

#include <soci/session.h>

#include <string>
#include <string_view>

namespace modu::storage {

/// A transaction that will write. On SQLite it takes the write lock at BEGIN
/// (IMMEDIATE): a deferred transaction that reads first and writes later must upgrade
/// its lock, which in WAL mode fails at once when another writer got there first,
/// instead of waiting on the busy timeout. Rolls back unless committed.
class WriteTransaction {
 public:
  WriteTransaction(soci::session& sql, Dialect dialect) : sql_(sql) {
    sql_ << (dialect == Dialect::sqlite ? "BEGIN IMMEDIATE" : "START TRANSACTION");
  }
  ~WriteTransaction() {
    if (open_) {
      try {
        sql_ << "ROLLBACK";
      } catch (...) {
        // The connection is gone; so is the transaction.
      }
    }
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  void commit() {
    sql_ << "COMMIT";
    open_ = false;
  }

 private:
  soci::session& sql_;
  bool open_ = true;
};

/// A read made to decide a write in the same transaction: on MySQL it locks the rows it
/// reads (a plain read there is a snapshot, blind to a concurrent writer); SQLite's
/// IMMEDIATE transaction holds the whole database already.
inline std::string locking(std::string_view query, Dialect dialect) {
  return dialect == Dialect::mysql ? std::string(query) + " FOR UPDATE" : std::string(query);
}

}  // namespace modu::storage
