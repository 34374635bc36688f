#pragma once

#include "storage/database.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace modu::storage {

/// One step of the schema: src/storage/migrations/<dialect>/<NNNN>_<name>.sql.
struct Migration {
  int version;
  std::string name;
  std::string_view sql;
};

/// The built-in migrations for a dialect, by version.
std::vector<Migration> migrations_for(Dialect dialect);

struct MigrationReport {
  int from_version;
  int to_version;
};

/// Brings the schema up to the newest version, each migration in a transaction where
/// the engine allows (SQLite; MySQL commits DDL as it goes) and recorded in
/// `schema_migrations`. Safe to run from several instances at once: they take a lock.
MigrationReport migrate(Database& database);

/// The newest applied version; 0 for an empty database.
int schema_version(Database& database);

}  // namespace modu::storage
