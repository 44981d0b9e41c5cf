// slimctl's command line: only wiring from CLI11 options to the command functions.
#include "commands.h"

#include "command_args.h"
#include "model_commands.h"

#include "jobs/run_jobs.h"
#include "store/store_error.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace slim::cli {

int runSlimctl(int argc, char **argv)
{
    jobs::configureEngineThreads();
    CLI::App app{"slimctl: train, evaluate and compare SLIM and its baselines, headless"};
    app.require_subcommand(1);
    GlobalOptions g;
    app.add_option("--db", g.database, "Run database (default: "
                                       "~/.local/share/slim-workbench/runs.sqlite)");
    app.add_option("--device", g.device, "cpu, cuda, cuda:1 (default: CUDA when available)");
    app.add_flag("--json", g.json, "Machine-readable output");
    app.add_flag("--quiet", g.quiet, "No progress line");

    auto *info = app.add_subcommand("info", "Versions, device and threads");

    InitModelArgs init;
    auto *initCmd = app.add_subcommand("init-model", "Write an untrained Llama-architecture model");
    initCmd->add_option("--out", init.out, "Model folder to write")->required();
    initCmd->add_option("--hidden-size", init.config.hidden_size)->capture_default_str();
    initCmd->add_option("--intermediate-size", init.config.intermediate_size)->capture_default_str();
    initCmd->add_option("--layers", init.config.num_hidden_layers)->capture_default_str();
    initCmd->add_option("--heads", init.config.num_attention_heads)->capture_default_str();
    init.config.num_key_value_heads = 0;
    initCmd->add_option("--kv-heads", init.config.num_key_value_heads,
                        "Key/value heads (default: as many as --heads)");
    initCmd->add_option("--seed", init.seed)->capture_default_str();

    std::string modelDir, text;
    auto *score = app.add_subcommand("score", "Per-token log-probabilities and bits per byte");
    score->add_option("--model", modelDir, "Model folder (Hugging Face layout)")->required();
    score->add_option("text", text, "Text to score")->required();

    engine::GenerationOptions gen;
    auto *generateCmd = app.add_subcommand("generate", "Continue a prompt");
    generateCmd->add_option("--model", modelDir, "Model folder")->required();
    generateCmd->add_option("--max-new-tokens", gen.max_new_tokens)->capture_default_str();
    generateCmd->add_flag("--sample", gen.do_sample, "Sample instead of greedy decoding");
    generateCmd->add_option("--temperature", gen.temperature)->capture_default_str();
    generateCmd->add_option("--top-k", gen.top_k)->capture_default_str();
    generateCmd->add_option("--top-p", gen.top_p)->capture_default_str();
    generateCmd->add_option("--seed", gen.seed)->capture_default_str();
    generateCmd->add_option("prompt", text, "Prompt")->required();

    PretrainArgs pretrain;
    auto *pretrainCmd = app.add_subcommand("pretrain", "Build the built-in base model");
    pretrainCmd->add_option("--out", pretrain.out, "Model folder (default: the built-in one)");
    pretrainCmd->add_option("--steps", pretrain.steps, "Override the number of steps");
    pretrainCmd->add_flag("--force", pretrain.force, "Rebuild even if it exists");

    TrainArgs train;
    auto *trainCmd = app.add_subcommand("train", "Fine-tune: a run spec JSON file or a preset");
    trainCmd->add_option("spec", train.spec, "Spec file, or a preset (see `presets`)")->required();
    trainCmd->add_option("--name", train.name, "Run name");
    trainCmd->add_option("--steps", train.steps, "Override schedule.steps");
    trainCmd->add_option("--tag", train.tags, "Tag (repeatable)");

    std::string runArg;
    auto *resume = app.add_subcommand("resume", "Resume an interrupted or cancelled run");
    resume->add_option("run", runArg, "Run id or uuid prefix")->required();

    DemoArgs demo;
    auto *demoCmd = app.add_subcommand("demo", "Build the base model, fine-tune every method on "
                                               "the multi-dataset setting, compare");
    demoCmd->add_option("--methods", demo.methods, "Subset of methods");
    demoCmd->add_option("--steps", demo.steps, "Override fine-tuning steps");
    demoCmd->add_option("--pretrain-steps", demo.pretrainSteps, "Override pretraining steps");

    EvalArgs eval;
    auto *evalCmd = app.add_subcommand("eval", "Score a model (and adapter) on built-in tasks");
    evalCmd->add_option("--model", eval.model, "Model folder")->required();
    evalCmd->add_option("--adapter", eval.adapter, "Adapter folder (a checkpoint)");
    evalCmd->add_option("--tasks", eval.tasks, "Tasks (default: all)");
    evalCmd->add_option("--mode", eval.mode, "loglikelihood, label_logits or both")
        ->capture_default_str();
    evalCmd->add_option("--max-items", eval.maxItems, "Only the first N items of each task");

    RunsArgs runs;
    auto *runsCmd = app.add_subcommand("runs", "List runs");
    runsCmd->add_option("--text", runs.text, "Substring of name, method, notes or tag");
    runsCmd->add_option("--method", runs.method);
    runsCmd->add_option("--status", runs.status);
    runsCmd->add_option("--tag", runs.tag);
    runsCmd->add_option("--limit", runs.limit)->capture_default_str();

    auto *show = app.add_subcommand("show", "One run: spec, environment, scores, checkpoints");
    show->add_option("run", runArg, "Run id or uuid prefix")->required();

    std::vector<std::string> compareRuns;
    auto *compare = app.add_subcommand("compare", "Runs side by side: downstream, general, "
                                                  "forgetting");
    compare->add_option("runs", compareRuns, "Run ids")->required();

    ExportArgs exportArgs;
    auto *exportCmd = app.add_subcommand("export", "A run's records as CSV");
    exportCmd->add_option("run", exportArgs.run, "Run id or uuid prefix")->required();
    exportCmd->add_option("--table", exportArgs.table, "eval, metrics, routing or clusters")
        ->capture_default_str();
    exportCmd->add_option("--out", exportArgs.out, "File (default: stdout)");

    auto *presets = app.add_subcommand("presets", "List run-spec presets");
    auto *schema = app.add_subcommand("schema", "Print the run-spec schema (JSON)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    }
    try {
        if (info->parsed())
            return cmdInfo(g);
        if (initCmd->parsed())
            return cmdInitModel(init);
        if (score->parsed())
            return cmdScore(g, modelDir, text);
        if (generateCmd->parsed())
            return cmdGenerate(g, modelDir, text, gen);
        if (pretrainCmd->parsed())
            return cmdPretrain(g, pretrain);
        if (trainCmd->parsed())
            return cmdTrain(g, train);
        if (resume->parsed())
            return cmdResume(g, runArg);
        if (demoCmd->parsed())
            return cmdDemo(g, demo);
        if (evalCmd->parsed())
            return cmdEval(g, eval);
        if (runsCmd->parsed())
            return cmdRuns(g, runs);
        if (show->parsed())
            return cmdShow(g, runArg);
        if (compare->parsed())
            return cmdCompare(g, compareRuns);
        if (exportCmd->parsed())
            return cmdExport(g, exportArgs);
        if (presets->parsed())
            return cmdPresets(g);
        if (schema->parsed())
            return cmdSchema();
    } catch (const std::exception &e) {
        std::cerr << "slimctl: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

} // namespace slim::cli
