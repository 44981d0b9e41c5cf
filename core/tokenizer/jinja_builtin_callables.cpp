// The callables of chat templates: str, dict and list methods bound to their object (the list
// ones that would change it are refused), and the global functions raise_exception,
// strftime_now, namespace, dict and range.
#include "jinja_builtins.h"
#include "jinja_builtins_internal.h"

#include "tokenizer_error.h"
#include "unicode_text.h"

#include <utf8proc.h>

#include <ctime>

namespace slim::tok::jinja {

using namespace detail;

namespace {

std::shared_ptr<Callable> bound(std::string name, std::function<Value(const Args &)> f)
{
    return std::make_shared<Callable>(Callable{std::move(name), std::move(f)});
}

} // namespace

Value methodOf(const Value &object, const std::string &name)
{
    if (object.isString()) {
        const auto s = object.str();
        if (name == "strip" || name == "lstrip" || name == "rstrip")
            return bound(name, [s, name](const Args &a) {
                return Value(stripChars(s, a.at(0, "chars"), name != "rstrip", name != "lstrip"));
            });
        if (name == "startswith" || name == "endswith")
            return bound(name, [s, name](const Args &a) {
                return Value(matchesAffix(s, a.at(0, "prefix"), name == "startswith"));
            });
        if (name == "split")
            return bound(name, [s](const Args &a) { return split(s, a.at(0, "sep"), a.at(1, "maxsplit")); });
        if (name == "upper" || name == "lower")
            return bound(name, [s, name](const Args &) { return Value(mapCase(s, name == "upper")); });
        if (name == "title")
            return bound(name, [s](const Args &) { return Value(titleCase(s)); });
        if (name == "capitalize")
            return bound(name, [s](const Args &) { return Value(capitalize(s)); });
        if (name == "replace")
            return bound(name, [s](const Args &a) {
                const auto count = a.at(2, "count");
                return Value(replaceAll(s, needString(a.at(0, "old"), "replace"),
                                        needString(a.at(1, "new"), "replace"),
                                        count.isInt() ? count.integer() : -1));
            });
        if (name == "find")
            return bound(name, [s](const Args &a) {
                const auto pos = s.find(needString(a.at(0, "sub"), "find"));
                return Value(pos == std::string::npos ? int64_t(-1)
                                                      : int64_t(toU32(s.substr(0, pos)).size()));
            });
        if (name == "count")
            return bound(name, [s](const Args &a) {
                const auto &sub = needString(a.at(0, "sub"), "count");
                int64_t n = 0;
                for (size_t pos = 0; !sub.empty() && (pos = s.find(sub, pos)) != std::string::npos; pos += sub.size())
                    ++n;
                return Value(n);
            });
        if (name == "join")
            return bound(name, [s](const Args &a) {
                std::string out;
                bool first = true;
                for (const auto &item : listOf(a.at(0, "iterable"), "join")) {
                    out += (first ? "" : s) + needString(item, "join");
                    first = false;
                }
                return Value(out);
            });
        if (name == "isdigit" || name == "isspace" || name == "isalpha" || name == "isalnum")
            return bound(name, [s, name](const Args &) {
                const auto text = toU32(s);
                if (text.empty())
                    return Value(false);
                for (const char32_t c : text) {
                    const auto cat = utf8proc_category(utf8proc_int32_t(c));
                    const bool alpha = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
                    const bool ok = name == "isdigit" ? cat == UTF8PROC_CATEGORY_ND
                                    : name == "isspace" ? isPythonSpace(c)
                                    : name == "isalpha" ? alpha
                                                        : alpha || isNumeric(c);
                    if (!ok)
                        return Value(false);
                }
                return Value(true);
            });
        return Value::undefined(name);
    }
    if (object.isDict()) {
        const auto dict = object;
        if (name == "items")
            return bound(name, [dict](const Args &) { return Value(itemsOf(dict)); });
        if (name == "keys" || name == "values")
            return bound(name, [dict, name](const Args &) {
                List out;
                for (const auto &[k, v] : dict.dict())
                    out.push_back(name == "keys" ? Value(k) : v);
                return Value(out);
            });
        if (name == "get")
            return bound(name, [dict](const Args &a) {
                const auto v = dict.get(toStr(a.at(0, "key")));
                return v.isUndefined() ? a.at(1, "default", None{}) : v;
            });
        return Value::undefined(name);
    }
    if (object.isList()) {
        if (name == "append" || name == "extend" || name == "pop" || name == "insert"
            || name == "remove" || name == "clear" || name == "sort" || name == "reverse")
            typeError("the chat template sandbox is immutable: list." + name + " is not allowed");
        if (name == "index" || name == "count") {
            const auto list = object;
            return bound(name, [list, name](const Args &a) {
                const auto target = a.at(0, "value");
                int64_t count = 0;
                for (size_t i = 0; i < list.list().size(); ++i) {
                    if (equal(list.list()[i], target)) {
                        if (name == "index")
                            return Value(int64_t(i));
                        ++count;
                    }
                }
                if (name == "index")
                    typeError(toRepr(target) + " is not in list");
                return Value(count);
            });
        }
    }
    return Value::undefined(name);
}

Dict builtinGlobals()
{
    Dict globals;
    globals.emplace_back("raise_exception", bound("raise_exception", [](const Args &a) -> Value {
                             throw TokenizerError("the chat template raised: " + toStr(a.at(0, "message")));
                         }));
    globals.emplace_back("strftime_now", bound("strftime_now", [](const Args &a) {
                             const std::time_t now = std::time(nullptr);
                             std::tm local{};
                             localtime_r(&now, &local);
                             char buffer[256];
                             const auto n = std::strftime(buffer, sizeof buffer,
                                                          needString(a.at(0, "format"), "strftime_now").c_str(), &local);
                             return Value(std::string(buffer, n));
                         }));
    globals.emplace_back("namespace", bound("namespace", [](const Args &a) {
                             Dict d;
                             if (!a.positional.empty() && a.positional[0].isDict())
                                 d = a.positional[0].dict();
                             for (const auto &kw : a.keywords)
                                 d.push_back(kw);
                             return Value(d);
                         }));
    globals.emplace_back("dict", bound("dict", [](const Args &a) { return Value(a.keywords); }));
    globals.emplace_back("range", bound("range", [](const Args &a) {
                             int64_t start = 0, stop = 0, step = 1;
                             if (a.positional.size() == 1)
                                 stop = a.positional[0].integer();
                             else if (a.positional.size() >= 2) {
                                 start = a.positional[0].integer();
                                 stop = a.positional[1].integer();
                                 if (a.positional.size() > 2)
                                     step = a.positional[2].integer();
                             }
                             if (step == 0)
                                 typeError("range() arg 3 must not be zero");
                             List out;
                             for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
                                 out.push_back(i);
                             return Value(out);
                         }));
    return globals;
}

} // namespace slim::tok::jinja
