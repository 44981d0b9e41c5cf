#include "token_ids.h"

#include <stdexcept>

namespace slim::cli {

std::vector<int64_t> parseTokenIds(const std::string &text, const std::string &what)
{
    std::vector<int64_t> ids;
    std::string item;
    for (const char c : text + " ") {
        if (c != ' ' && c != ',' && c != '\n' && c != '\t' && c != '\r') {
            item += c;
            continue;
        }
        if (item.empty())
            continue;
        size_t used = 0;
        long long id = -1;
        try {
            id = std::stoll(item, &used);
        } catch (const std::exception &) {
            used = 0;
        }
        if (used != item.size() || id < 0)
            throw std::invalid_argument(what + ": '" + item + "' is not a token id");
        ids.push_back(id);
        item.clear();
    }
    return ids;
}

} // namespace slim::cli
