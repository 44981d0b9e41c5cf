#include "store/migrations.h"

#include "store/database.h"
#include "store/store_error.h"
#include "store/transaction.h"

#include <string>

namespace slim::store {

namespace {

// Timestamps are ISO-8601 UTC text with milliseconds ("2025-01-31T12:00:00.000Z"): readable in
// the sqlite3 shell, sortable as text, and accepted by julianday()/datetime().
#define SLIM_NOW "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))"

// 1: runs and what the listing and forgetting analysis need.
constexpr std::string_view kCoreSchema = R"sql(
CREATE TABLE runs (
    id                  INTEGER PRIMARY KEY,
    uuid                TEXT    NOT NULL UNIQUE,
    name                TEXT    NOT NULL DEFAULT '',
    method              TEXT    NOT NULL DEFAULT '',
    status              TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN
                        ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
    spec_json           TEXT    NOT NULL DEFAULT '{}',
    seed                INTEGER,
    git_commit          TEXT,
    versions_json       TEXT    NOT NULL DEFAULT '{}',
    device              TEXT,
    dataset_hashes_json TEXT    NOT NULL DEFAULT '{}',
    created_at          TEXT    NOT NULL DEFAULT )sql" SLIM_NOW R"sql(,
    started_at          TEXT,
    finished_at         TEXT,
    heartbeat_at        TEXT,
    pid                 INTEGER,
    current_step        INTEGER NOT NULL DEFAULT 0,
    total_steps         INTEGER NOT NULL DEFAULT 0,
    progress            REAL    NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    error_message       TEXT,
    error_detail        TEXT,
    parent_run_id       INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    notes               TEXT    NOT NULL DEFAULT '',
    downstream_avg      REAL,
    general_avg         REAL,
    forgetting_avg      REAL
);

CREATE TABLE run_tags (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    tag    TEXT    NOT NULL,
    PRIMARY KEY (run_id, tag)
) WITHOUT ROWID;

CREATE TABLE metric_names (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- One row per (run, metric, step); the primary key is the series order, so a series read is
-- one range scan and there is no separate index to maintain.
CREATE TABLE metrics (
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name_id INTEGER NOT NULL REFERENCES metric_names(id),
    step    INTEGER NOT NULL,
    value   REAL,
    PRIMARY KEY (run_id, name_id, step)
) WITHOUT ROWID;

CREATE VIEW metric_values AS
    SELECT m.run_id, m.step, n.name, m.value
    FROM metrics m JOIN metric_names n ON n.id = m.name_id;

CREATE TABLE eval_results (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step          INTEGER NOT NULL,
    task          TEXT    NOT NULL,
    split         TEXT    NOT NULL DEFAULT 'test',
    metric        TEXT    NOT NULL,
    value         REAL,
    stderr        REAL,
    n             INTEGER NOT NULL DEFAULT 0,
    mode          TEXT    NOT NULL CHECK (mode IN
                  ('loglikelihood', 'label_logits', 'exact_match', 'bits_per_byte')),
    template_hash TEXT    NOT NULL DEFAULT '',
    shots         INTEGER NOT NULL DEFAULT 0,
    task_version  TEXT    NOT NULL DEFAULT '',
    is_final      INTEGER NOT NULL DEFAULT 0 CHECK (is_final IN (0, 1)),
    floor         REAL,
    task_kind     TEXT    NOT NULL CHECK (task_kind IN ('general', 'downstream')),
    UNIQUE (run_id, task, split, metric, mode, step, is_final)
);

CREATE TABLE base_scores (
    model_hash    TEXT    NOT NULL,
    task          TEXT    NOT NULL,
    split         TEXT    NOT NULL,
    metric        TEXT    NOT NULL,
    mode          TEXT    NOT NULL,
    template_hash TEXT    NOT NULL,
    shots         INTEGER NOT NULL,
    task_version  TEXT    NOT NULL,
    value         REAL,
    stderr        REAL,
    n             INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL DEFAULT )sql" SLIM_NOW R"sql(,
    PRIMARY KEY (model_hash, task, split, metric, mode, template_hash, shots, task_version)
) WITHOUT ROWID;
)sql";

// 2: analysis tables (routing, clusters), files, and the listing indexes.
constexpr std::string_view kAnalysisSchema = R"sql(
CREATE TABLE routing_layer_stats (
    run_id             INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step               INTEGER NOT NULL,
    probe              TEXT    NOT NULL,
    layer              INTEGER NOT NULL,
    site               TEXT    NOT NULL,
    tokens             INTEGER NOT NULL DEFAULT 0,
    identity_mass      REAL,
    full_identity_rate REAL,
    router_entropy     REAL,
    load_cv2           REAL,
    PRIMARY KEY (run_id, step, probe, layer, site)
) WITHOUT ROWID;

CREATE TABLE routing_expert_stats (
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step            INTEGER NOT NULL,
    probe           TEXT    NOT NULL,
    layer           INTEGER NOT NULL,
    site            TEXT    NOT NULL,
    expert          INTEGER NOT NULL,
    is_identity     INTEGER NOT NULL DEFAULT 0 CHECK (is_identity IN (0, 1)),
    mean_weight     REAL,
    selection_share REAL,
    PRIMARY KEY (run_id, step, probe, layer, site, expert)
) WITHOUT ROWID;

-- Rowid tables with a unique key where rows carry blobs: WITHOUT ROWID suits small rows only.
CREATE TABLE cluster_layer_stats (
    id                   INTEGER PRIMARY KEY,
    run_id               INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step                 INTEGER NOT NULL,
    probe                TEXT    NOT NULL,
    layer                INTEGER NOT NULL,
    scored               INTEGER NOT NULL DEFAULT 0,
    dplus_mean           REAL,
    dplus_max            REAL,
    dplus_positive_share REAL,
    reference            REAL,
    dplus_histogram      BLOB,
    histogram_max        REAL,
    UNIQUE (run_id, step, probe, layer)
);

CREATE TABLE cluster_centres (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step       INTEGER NOT NULL,
    layer      INTEGER NOT NULL,
    cluster    INTEGER NOT NULL,
    size       INTEGER NOT NULL DEFAULT 0,
    drift      REAL,
    mean_sigma REAL,
    centre     BLOB,
    UNIQUE (run_id, step, layer, cluster)
);

CREATE TABLE checkpoints (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step       INTEGER NOT NULL,
    path       TEXT    NOT NULL,
    sha256     TEXT    NOT NULL DEFAULT '',
    bytes      INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL DEFAULT )sql" SLIM_NOW R"sql(,
    UNIQUE (run_id, step)
);

CREATE TABLE artifacts (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    path       TEXT    NOT NULL,
    sha256     TEXT    NOT NULL DEFAULT '',
    bytes      INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL DEFAULT )sql" SLIM_NOW R"sql(
);
CREATE INDEX artifacts_run ON artifacts(run_id, kind);

CREATE INDEX runs_created ON runs(created_at);
CREATE INDEX runs_status ON runs(status);
CREATE INDEX runs_method ON runs(method);
CREATE INDEX runs_parent ON runs(parent_run_id);
CREATE INDEX run_tags_tag ON run_tags(tag);
)sql";

// 3: the host of runs.pid, so liveness is only judged for processes on this machine.
constexpr std::string_view kRunHost = R"sql(
ALTER TABLE runs ADD COLUMN host TEXT;
)sql";

// 4: per-64-step rollups of every metric (min, max, last, count), kept exact at ingest, so a
// display load of a long series reads 1/64 of its rows (RunStore::series).
// 5: checkpoints the user pinned are kept by the retention policy (recorder/checkpoint_retention.h).
constexpr std::string_view kCheckpointPins = R"sql(
ALTER TABLE checkpoints ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
)sql";

constexpr std::string_view kMetricRollups = R"sql(
CREATE TABLE metric_rollups (
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name_id    INTEGER NOT NULL REFERENCES metric_names(id),
    bucket     INTEGER NOT NULL,  -- step >> 6
    first_step INTEGER NOT NULL,
    last_step  INTEGER NOT NULL,
    lo         REAL,
    hi         REAL,
    last       REAL,              -- value at last_step
    n          INTEGER NOT NULL,
    PRIMARY KEY (run_id, name_id, bucket)
) WITHOUT ROWID;
WITH g AS (SELECT run_id, name_id, step >> 6 AS bucket, min(step) AS fs, max(step) AS ls,
                  min(value) AS lo, max(value) AS hi, count(*) AS n
           FROM metrics GROUP BY run_id, name_id, step >> 6)
INSERT INTO metric_rollups
SELECT g.run_id, g.name_id, g.bucket, g.fs, g.ls, g.lo, g.hi, m.value, g.n FROM g
JOIN metrics m ON m.run_id = g.run_id AND m.name_id = g.name_id AND m.step = g.ls;
)sql";

// 6: sweeps (sweeps/sweep_spec.h) and their runs' place in them. A sweep's runs keep their own
// rows; deleting a sweep leaves its runs as plain runs.
constexpr std::string_view kSweeps = R"sql(
CREATE TABLE sweeps (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    spec_json  TEXT    NOT NULL DEFAULT '{}',
    run_count  INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL DEFAULT )sql" SLIM_NOW R"sql(,
    slurm_json TEXT    NOT NULL DEFAULT '[]'
);
ALTER TABLE runs ADD COLUMN sweep_id INTEGER REFERENCES sweeps(id) ON DELETE SET NULL;
ALTER TABLE runs ADD COLUMN sweep_index INTEGER;
CREATE INDEX runs_sweep ON runs(sweep_id, sweep_index);
)sql";

#undef SLIM_NOW

void applyOne(Database &db, const Migration &migration)
{
    Transaction transaction(db);
    // Re-read under the write lock: another connection may have migrated meanwhile.
    const int current = db.userVersion();
    if (current >= migration.version)
        return;
    if (current != migration.version - 1)
        throw StoreError("schema migration " + std::to_string(migration.version)
                         + " expects version " + std::to_string(migration.version - 1) + ", found "
                         + std::to_string(current));
    try {
        db.exec(migration.sql);
    } catch (const StoreError &error) {
        throw StoreError("schema migration " + std::to_string(migration.version) + " ("
                             + std::string(migration.description) + ") failed: " + error.what(),
                         error.code());
    }
    db.setUserVersion(migration.version);
    transaction.commit();
}

} // namespace

void checkNotNewer(Database &db)
{
    const int found = db.userVersion();
    if (found > latestSchemaVersion())
        throw StoreError("'" + db.path() + "': database schema version " + std::to_string(found)
                         + " is newer than this program supports ("
                         + std::to_string(latestSchemaVersion()) + "); upgrade SLIM Workbench");
}

const std::vector<Migration> &migrations()
{
    static const std::vector<Migration> all = {
        {1, "runs, tags, metrics, eval results, base scores", kCoreSchema},
        {2, "routing and cluster statistics, checkpoints, artifacts, listing indexes",
         kAnalysisSchema},
        {3, "runs.host", kRunHost},
        {4, "metric rollups for display loads", kMetricRollups},
        {5, "pinned checkpoints", kCheckpointPins},
        {6, "sweeps", kSweeps},
    };
    return all;
}

int latestSchemaVersion()
{
    return migrations().back().version;
}

void migrateTo(Database &db, int version)
{
    if (version < 0 || version > latestSchemaVersion())
        throw StoreError("no schema version " + std::to_string(version) + " (latest is "
                         + std::to_string(latestSchemaVersion()) + ")");
    checkNotNewer(db);
    if (db.userVersion() > version)
        throw StoreError("cannot migrate down from schema version "
                         + std::to_string(db.userVersion()) + " to " + std::to_string(version));
    for (const Migration &migration : migrations()) {
        if (migration.version > version)
            break;
        if (migration.version > db.userVersion())
            applyOne(db, migration);
    }
}

int migrate(Database &db)
{
    migrateTo(db, latestSchemaVersion());
    return db.userVersion();
}

} // namespace slim::store
