#pragma once
// The run store: every run, its settings, series, scores and files, in one SQLite file.

#include "store/checkpoint_tables.h"
#include "store/database.h"
#include "store/eval_tables.h"
#include "store/metric_tables.h"
#include "store/routing_tables.h"
#include "store/run_records.h"
#include "store/run_table.h"
#include "store/store_error.h"
#include "store/sweep_table.h"

#include <memory>
#include <string>

namespace slim::store {

namespace detail {
// The connection of a RunStore. A base listed before the table families, so it is opened and
// migrated before they borrow it; held on the heap, so it keeps its address when the store
// moves and the families' references stay valid.
class StoreConnection
{
protected:
    explicit StoreConnection(Database db);
    std::unique_ptr<Database> m_connection;
};
} // namespace detail

// Queries and writes of the run store on one connection, which it owns. Opening migrates the
// file to the current schema (see migrations.h). The methods come from one class per family of
// tables, all on this connection: RunTable (runs, tags), MetricTables (metric series),
// EvalTables (evaluation results, base scores), RoutingTables (routing and cluster statistics),
// CheckpointTables (checkpoints, artifacts), SweepTable (sweeps).
//
// Thread affinity: one RunStore per thread (it owns a Database; see there). The recorder writes
// through its own RunStore; the UI reads through another, on another thread.
// Every write method is one transaction: batched appends are all-or-nothing, and a StoreError
// leaves the database as before the call. Methods taking a run id throw StoreError when the
// run does not exist (appends fail on the foreign key). A moved-from RunStore must not be used.
class RunStore : private detail::StoreConnection,
                 public RunTable,
                 public MetricTables,
                 public EvalTables,
                 public RoutingTables,
                 public CheckpointTables,
                 public SweepTable
{
public:
    explicit RunStore(const std::string &path);
    explicit RunStore(Database db); // migrates `db`
    RunStore(RunStore &&) noexcept = default;
    RunStore &operator=(RunStore &&) noexcept = default;

    Database &database() { return *m_connection; }
};

} // namespace slim::store
