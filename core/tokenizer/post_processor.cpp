#include "post_processor.h"

namespace slim::tok {

namespace {

std::vector<int64_t> idsOf(const JsonAt &specialTokens, const std::string &name, const JsonAt &where)
{
    if (!specialTokens.has(name))
        where.fail("'" + name + "' is not in special_tokens");
    const auto ids = specialTokens[name]["ids"];
    std::vector<int64_t> out;
    for (size_t i = 0; i < ids.array().size(); ++i)
        out.push_back(ids[i].integer());
    return out;
}

} // namespace

SpecialWrap makePostProcessor(const JsonAt &json)
{
    SpecialWrap wrap;
    if (json.isNull())
        return wrap;
    const auto type = json["type"].string();
    if (type == "ByteLevel")
        return wrap; // offsets only
    if (type == "TemplateProcessing") {
        const auto single = json["single"];
        bool seenSequence = false;
        for (size_t i = 0; i < single.array().size(); ++i) {
            const auto item = single[i];
            if (item.has("Sequence")) {
                if (item["Sequence"]["id"].string() != "A")
                    item["Sequence"]["id"].fail("a single sequence is $A");
                seenSequence = true;
            } else if (item.has("SpecialToken")) {
                auto ids = idsOf(json["special_tokens"], item["SpecialToken"]["id"].string(), item);
                auto &side = seenSequence ? wrap.after : wrap.before;
                side.insert(side.end(), ids.begin(), ids.end());
            } else {
                item.fail("expected Sequence or SpecialToken");
            }
        }
        return wrap;
    }
    if (type == "RobertaProcessing" || type == "BertProcessing") {
        wrap.before = {json["cls"][1].integer()};
        wrap.after = {json["sep"][1].integer()};
        return wrap;
    }
    if (type == "Sequence") {
        const auto list = json["processors"];
        for (size_t i = 0; i < list.array().size(); ++i) {
            const auto step = makePostProcessor(list[i]);
            wrap.before.insert(wrap.before.begin(), step.before.begin(), step.before.end());
            wrap.after.insert(wrap.after.end(), step.after.begin(), step.after.end());
        }
        return wrap;
    }
    json["type"].unsupported("post_processor", type);
}

} // namespace slim::tok
