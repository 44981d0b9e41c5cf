#pragma once
// The one exception type of slim_store.

#include <stdexcept>
#include <string>

namespace slim::store {

// Thrown by every slim_store call that fails. what() carries SQLite's message and the SQL or
// operation that failed; code() is SQLite's extended result code (0 when the error is not
// SQLite's own, e.g. a schema from a newer program or a malformed argument).
class StoreError : public std::runtime_error
{
public:
    explicit StoreError(const std::string &message, int code = 0)
        : std::runtime_error(message)
        , m_code(code)
    { }
    int code() const noexcept { return m_code; }

private:
    int m_code;
};

} // namespace slim::store
