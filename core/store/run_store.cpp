// RunStore: the connection and the table families on it.
#include "store/run_store.h"

#include "store/migrations.h"

namespace slim::store {

detail::StoreConnection::StoreConnection(Database db)
    : m_connection(std::make_unique<Database>(std::move(db)))
{
    migrate(*m_connection);
}

RunStore::RunStore(const std::string &path)
    : RunStore(Database(path))
{ }

RunStore::RunStore(Database db)
    : StoreConnection(std::move(db))
    , RunTable(*m_connection)
    , MetricTables(*m_connection)
    , EvalTables(*m_connection)
    , RoutingTables(*m_connection)
    , CheckpointTables(*m_connection)
    , SweepTable(*m_connection)
{ }

} // namespace slim::store
