#pragma once
// The data model shared by the benchmark builders, training and evaluation. Plain std types:
// no torch, no Qt.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace slim::data {

// Part of a formatted training example; `trained`: its tokens carry the loss.
struct TextSegment
{
    std::string text;
    bool trained = false;
};

// One training example: the model sees prompt + answer; the loss covers the answer (and the
// prompt unless training on answers only). An EOS token follows the answer.
// A formatted conversation (users' instruction data) comes as `segments` instead: each segment
// tokenized on its own, in order, the trained ones carrying the loss (all of them unless
// training on answers only). `own_special_tokens`: the text carries its BOS and EOS itself (a
// rendered chat template), so none is added.
struct TextExample
{
    TextExample() = default;
    TextExample(std::string prompt_, std::string answer_)
        : prompt(std::move(prompt_)), answer(std::move(answer_))
    {}

    std::string prompt;
    std::string answer;
    std::vector<TextSegment> segments;
    bool own_special_tokens = false;
    size_t characters() const;
};

// A multiple-choice item. Log-likelihood mode scores context + target_delimiter + choice;
// label-token mode shows the choices inline as "(A) ... (B) ..." and reads the logits of the
// labels at the last prompt position (see ../shared/docs/evaluation.md).
struct ChoiceItem
{
    ChoiceItem() = default;
    ChoiceItem(std::string context_, std::vector<std::string> choices_, int64_t gold_,
               std::string sharedContinuation = {})
        : context(std::move(context_))
        , choices(std::move(choices_))
        , gold(gold_)
        , shared_continuation(std::move(sharedContinuation))
    {}

    std::string context;               // e.g. "The capital of France is"
    std::vector<std::string> choices;  // e.g. {"Paris", "Rome", "Lima", "Oslo"}
    int64_t gold = 0;                  // index into choices
    // Partial evaluation (lm-eval's WinoGrande): when not empty, choice i is scored as the
    // continuation target_delimiter + shared_continuation after the context context + choices[i].
    std::string shared_continuation;
    // Label-token mode's view when it differs from the above (a suite's record as the paper's
    // harness shows it: the question alone, the choices' texts); empty: context and choices.
    std::string label_context;
    std::vector<std::string> label_choices;
};

// A generation item scored by exact match of the greedy continuation.
struct GenerationItem
{
    std::string prompt;
    std::string target;
};

// How a task's generations end and are scored. The default is the built-in tasks': stop at the
// first newline, exact match of the stripped line, and per-character accuracy.
struct GenerationRule
{
    std::vector<std::string> stop_strings; // empty: the first newline ends a generation
    // "line" (the built-in tasks, custom evaluations), "gsm8k" or "gsm8k_cot" (lm-eval's
    // strict-match and flexible-extract filters; metrics "exact_match,<filter>")
    std::string answer_filter = "line";
    int64_t max_new_tokens = 0; // 0: EvalOptions::max_new_tokens
};

enum class TaskKind {
    Choice,     // choiceTest filled; accuracy
    Generation, // generationTest filled; exact match
    Text,       // texts filled; bits per byte
};

struct Task
{
    std::string name;        // "capitals", "name_gender", "brown_heldout", ...
    std::string version;     // bumped when items or templates change
    TaskKind kind = TaskKind::Choice;
    bool general = false;    // part of the general suite (forgetting), else downstream
    std::string target_delimiter = " ";
    std::string prompt_template; // the template text, hashed into every score
    std::vector<TextExample> train;         // downstream tasks only
    std::vector<ChoiceItem> choiceTest;
    std::vector<GenerationItem> generationTest;
    std::vector<std::string> texts;         // TaskKind::Text
    GenerationRule generation;              // TaskKind::Generation
    // Metrics reported (lm-eval reports acc only for some choice tasks); empty: every metric
    // the task's kind computes.
    std::vector<std::string> metrics;
    int64_t shots = 0;       // few-shot examples in each context (recorded with the scores)
    std::string sha256;      // of the task's canonical serialisation (items + template)
};

} // namespace slim::data
