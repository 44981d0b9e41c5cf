#pragma once
// Numbered schema migrations of the run store.

#include <string_view>
#include <vector>

namespace slim::store {

class Database;

// One step of the schema. Migration N takes a database at user_version N-1 to N; it runs in
// one transaction together with the user_version bump, so a crash leaves version N-1 or N,
// never in between. Rules: never renumber or edit a released migration, only append.
struct Migration
{
    int version;
    std::string_view description;
    std::string_view sql;
};

// All migrations in order; migrations()[i].version == i + 1.
const std::vector<Migration> &migrations();
int latestSchemaVersion();

// Throws StoreError when the file comes from a newer program (its user_version is above
// latestSchemaVersion()); reads only. Database's constructor calls it before writing anything.
void checkNotNewer(Database &db);

// Brings the database to latestSchemaVersion(). Throws StoreError when the file comes from a
// newer program ("database schema version N is newer than this program supports (M); upgrade
// SLIM Workbench") and leaves it untouched. Safe when several connections open the same file
// at once: each step re-reads the version under the write lock. Returns the final version.
int migrate(Database &db);

// Applies migrations up to exactly `version` (0..latest); for tests that need a database as an
// older program left it. Refuses to go down.
void migrateTo(Database &db, int version);

} // namespace slim::store
