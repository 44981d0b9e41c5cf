// The tests of chat templates ("x is defined", "n is divisibleby 3", ...), as Jinja2 defines them.
#include "jinja_builtins.h"
#include "jinja_builtins_internal.h"

#include <algorithm>

namespace slim::tok::jinja {

using namespace detail;

bool hasTest(const std::string &name)
{
    static const std::vector<std::string> names = {
        "defined", "undefined", "none", "string", "number", "integer", "float", "boolean",
        "true", "false", "mapping", "iterable", "sequence", "callable", "odd", "even",
        "divisibleby", "equalto", "eq", "==", "ne", "!=", "lt", "<", "le", "<=", "gt", ">",
        "ge", ">=", "sameas", "in", "lower", "upper"};
    return std::find(names.begin(), names.end(), name) != names.end();
}

bool applyTest(const std::string &name, const Value &value, const Args &args)
{
    const auto arg = args.at(0, "value");
    if (name == "defined")
        return !value.isUndefined();
    if (name == "undefined")
        return value.isUndefined();
    if (name == "none")
        return value.isNone();
    if (name == "string")
        return value.isString();
    if (name == "number")
        return value.isNumber();
    if (name == "integer")
        return value.isInt();
    if (name == "float")
        return value.isFloat();
    if (name == "boolean")
        return value.isBool();
    if (name == "true")
        return value.isBool() && std::get<bool>(value.v);
    if (name == "false")
        return value.isBool() && !std::get<bool>(value.v);
    if (name == "mapping")
        return value.isDict();
    if (name == "iterable")
        return value.isList() || value.isDict() || value.isString();
    if (name == "sequence")
        return value.isList() || value.isDict() || value.isString();
    if (name == "callable")
        return value.isCallable();
    if (name == "odd" || name == "even") {
        if (!value.isInt())
            typeError("test '" + name + "' expects an integer");
        return (value.integer() % 2 != 0) == (name == "odd");
    }
    if (name == "divisibleby")
        return arg.integer() != 0 && value.integer() % arg.integer() == 0;
    if (name == "equalto" || name == "eq" || name == "==" || name == "sameas")
        return equal(value, arg);
    if (name == "ne" || name == "!=")
        return !equal(value, arg);
    if (name == "lt" || name == "<")
        return less(value, arg);
    if (name == "le" || name == "<=")
        return !less(arg, value);
    if (name == "gt" || name == ">")
        return less(arg, value);
    if (name == "ge" || name == ">=")
        return !less(value, arg);
    if (name == "in") {
        if (arg.isString())
            return value.isString() && arg.str().find(value.str()) != std::string::npos;
        for (const auto &item : listOf(arg, "in"))
            if (equal(item, value))
                return true;
        return false;
    }
    if (name == "lower")
        return value.isString() && mapCase(value.str(), false) == value.str();
    if (name == "upper")
        return value.isString() && mapCase(value.str(), true) == value.str();
    typeError("unsupported test '" + name + "'");
}

} // namespace slim::tok::jinja
