// slimctl's command line: only wiring from CLI11 options to the command functions.
#include "commands.h"

#include "command_args.h"
#include "model_commands.h"
#include "suite_commands.h"
#include "sweep_commands.h"
#include "tokenizer_commands.h"

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
    // Global options may also follow the command: `slimctl score --model M --json TEXT`.
    app.fallthrough();
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

    auto addModelOptions = [](CLI::App *cmd, ModelArgs &m) {
        cmd->add_option("--model", m.model, "Model folder (Hugging Face layout)")->required();
        cmd->add_option("--adapter", m.adapter,
                        "Adapter folder: a PEFT adapter, an exported workbench adapter or a "
                        "run's checkpoint");
        cmd->add_option("--dtype", m.dtype,
                        "bf16, f16 or f32 (default: f32 on a CPU, the checkpoint's on a GPU)");
        cmd->add_option("--mask-seed", m.seed,
                        "Random state of SLIM's sampled inference masks (default: as run "
                        "evaluations, eval.seed)");
    };
    TokenizeArgs tokenizeArgs;
    auto *tokenizeCmd = app.add_subcommand(
        "tokenize", "Token ids of UTF-8 text on stdin, with a Hugging Face tokenizer");
    tokenizeCmd->add_option("--tokenizer", tokenizeArgs.tokenizer,
                            "Folder with tokenizer.json (and tokenizer_config.json)")
        ->required();
    tokenizeCmd->add_flag("--no-special", tokenizeArgs.noSpecial,
                          "No special tokens from the post-processor (BOS/EOS)");
    tokenizeCmd->add_flag("--jsonl", tokenizeArgs.jsonl,
                          "One JSON string per stdin line, one line of ids each");
    auto *detokenizeCmd = app.add_subcommand("detokenize", "Text of token ids on stdin");
    detokenizeCmd->add_option("--tokenizer", tokenizeArgs.tokenizer,
                              "Folder with tokenizer.json (and tokenizer_config.json)")
        ->required();
    detokenizeCmd->add_flag("--skip-special", tokenizeArgs.skipSpecial, "Drop special tokens");
    detokenizeCmd->add_flag("--jsonl", tokenizeArgs.jsonl,
                            "One JSON array of ids per stdin line, one JSON string each");
    ChatTemplateArgs chatArgs;
    auto *chatCmd = app.add_subcommand(
        "chat-template", "Render a conversation (JSON on stdin) with the tokenizer's chat template");
    chatCmd->add_option("--tokenizer", chatArgs.tokenizer,
                        "Folder with tokenizer_config.json (chat_template) and tokenizer.json")
        ->required();
    chatCmd->add_flag("--add-generation-prompt", chatArgs.addGenerationPrompt,
                      "End with the assistant's turn header");
    chatCmd->add_flag("--tokenize", chatArgs.tokenize, "Print the token ids of the rendering");
    chatCmd->add_option("--template", chatArgs.templateName, "A named template (default: default)");
    chatCmd->add_option("--var", chatArgs.vars,
                        "Extra template variable name=JSON (e.g. enable_thinking=false)");

    ScoreArgs scoreArgs;
    auto *score = app.add_subcommand("score", "Per-token log-probabilities and bits per byte");
    addModelOptions(score, scoreArgs.model);
    score->add_option("--ids", scoreArgs.ids,
                      "Score these token ids (\"1 2 3\" or 1,2,3) instead of text");
    score->add_option("text", scoreArgs.text, "Text to score (BOS is added)");

    GenerateArgs genArgs;
    auto &gen = genArgs.options;
    auto *generateCmd = app.add_subcommand("generate", "Continue a prompt");
    addModelOptions(generateCmd, genArgs.model);
    generateCmd->add_option("--max-new-tokens", gen.max_new_tokens)->capture_default_str();
    generateCmd->add_flag("--sample", gen.do_sample, "Sample instead of greedy decoding");
    generateCmd->add_option("--temperature", gen.temperature)->capture_default_str();
    generateCmd->add_option("--top-k", gen.top_k)->capture_default_str();
    generateCmd->add_option("--top-p", gen.top_p)->capture_default_str();
    generateCmd->add_option("--seed", gen.seed)->capture_default_str();
    generateCmd->add_option("prompt", genArgs.prompt, "Prompt")->required();

    PretrainArgs pretrain;
    auto *pretrainCmd = app.add_subcommand("pretrain", "Build the built-in base model");
    pretrainCmd->add_option("--out", pretrain.out, "Model folder (default: the built-in one)");
    pretrainCmd->add_option("--steps", pretrain.steps, "Override the number of steps");
    pretrainCmd->add_flag("--force", pretrain.force, "Rebuild even if it exists");

    TrainArgs train;
    auto *trainCmd = app.add_subcommand("train", "Fine-tune: a run spec JSON file or a preset");
    trainCmd->add_option("spec", train.spec, "Spec file, or a preset (see `presets`)")->required();
    trainCmd->add_option("--model", train.model,
                         "Base model folder (Hugging Face layout); overrides the spec's "
                         "base_model");
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

    BenchmarkArgs bench;
    auto *benchCmd = app.add_subcommand(
        "benchmark", "Every method and SLIM's ablations over seeds on the built-in benchmark; "
                     "resumable (run it again after an interruption); prints the methods x "
                     "tasks table");
    benchCmd->add_option("--methods", bench.methods, "Subset of methods");
    benchCmd->add_option("--seeds", bench.seeds, "Seeds per configuration (default 3)")
        ->check(CLI::Range(1, 1000));
    benchCmd->add_flag("--no-ablations", bench.noAblations, "Leave SLIM's ablations out");
    benchCmd->add_option("--steps", bench.steps, "Override fine-tuning steps");
    benchCmd->add_option("--pretrain-steps", bench.pretrainSteps, "Override pretraining steps");
    benchCmd->add_option("--model", bench.model, "Base model folder instead of the built-in one");
    benchCmd->add_option("--format", bench.format, "The table: md (default), csv or latex")
        ->check(CLI::IsMember({"md", "csv", "latex"}));
    benchCmd->add_flag("--table", bench.tableOnly,
                       "Print the table of the runs recorded so far; run nothing");

    EvalArgs eval;
    auto *evalCmd = app.add_subcommand(
        "eval", "Score a model (and adapter) on the built-in tasks or an lm-evaluation-harness "
                "suite");
    addModelOptions(evalCmd, eval.model);
    evalCmd->add_option("--tasks", eval.tasks, "Tasks (default: all)");
    evalCmd->add_option("--mode", eval.mode, "loglikelihood, label_logits or both")
        ->capture_default_str();
    evalCmd->add_option("--max-items", eval.maxItems, "Only the first N items of each task");
    evalCmd->add_option("--suite", eval.suite,
                        "An lm-evaluation-harness task on --data instead of the built-in tasks "
                        "(the names of slimctl prompts)");
    evalCmd->add_option("--data", eval.data, "The suite's records (.jsonl, .json or .csv)");
    evalCmd->add_option("--fewshot-data", eval.fewshotData, "The suite's few-shot records");
    evalCmd->add_option("--shots", eval.shots, "Few-shot examples (default: lm-eval's)");
    evalCmd->add_option("--limit", eval.limit, "Only the first K records of --data")
        ->check(CLI::NonNegativeNumber);
    evalCmd->add_option("--samples", eval.samples,
                        "Write every scored item to FILE, one JSON object a line (task, mode, "
                        "doc_id, target, gold, per-choice log-likelihoods, prediction, scores), "
                        "to hold against lm-eval's per-sample logs");

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
    std::string compareFormat = "text";
    auto *compare = app.add_subcommand("compare", "Runs side by side: downstream, general, "
                                                  "forgetting");
    compare->add_option("runs", compareRuns, "Run ids")->required();
    compare->add_option("--format", compareFormat,
                        "text (default), or the methods x tasks table over seeds as md, csv "
                        "or latex")
        ->check(CLI::IsMember({"text", "md", "csv", "latex"}));

    ExportArgs exportArgs;
    auto *exportCmd = app.add_subcommand("export", "A run's records as CSV");
    exportCmd->add_option("run", exportArgs.run, "Run id or uuid prefix")->required();
    exportCmd->add_option("--table", exportArgs.table, "eval, metrics, routing or clusters")
        ->capture_default_str();
    exportCmd->add_option("--out", exportArgs.out, "File (default: stdout)");

    ExportAdapterArgs exportAdapter;
    auto *exportAdapterCmd = app.add_subcommand(
        "export-adapter", "A run's adapter as a PEFT adapter (LoRA, DoRA) or in the workbench "
                          "format (every method; docs/adapter-format.md)");
    exportAdapterCmd->add_option("run", exportAdapter.run, "Run id or uuid prefix")->required();
    exportAdapterCmd->add_option("--format", exportAdapter.format, "peft or slim")
        ->check(CLI::IsMember({"peft", "slim"}))
        ->capture_default_str();
    exportAdapterCmd->add_option("--out", exportAdapter.out, "Folder to write")->required();
    exportAdapterCmd->add_option("--step", exportAdapter.step,
                                 "Checkpoint step (default: the latest)");

    ExportMergedArgs exportMerged;
    auto *exportMergedCmd = app.add_subcommand(
        "export-merged", "The base model with a run's adapter folded in (Hugging Face layout)");
    exportMergedCmd->add_option("run", exportMerged.run, "Run id or uuid prefix")->required();
    exportMergedCmd->add_option("--out", exportMerged.out, "Folder to write")->required();
    exportMergedCmd->add_option("--dtype", exportMerged.dtype, "bf16, f16 or f32 (default: the base's)")
        ->check(CLI::IsMember({"bf16", "f16", "f32"}));
    exportMergedCmd->add_option("--step", exportMerged.step,
                                "Checkpoint step (default: the latest)");
    exportMergedCmd->add_option("--routing", exportMerged.routing,
                                "Mixtures: the routing to merge at: mean (each router's recorded "
                                "mean routing, the default) or one weight per expert for every "
                                "router, SLIM's LoRA experts then identity experts (w1,w2,...); "
                                "docs/adapter-format.md says how exact each method's fold is");

    ImportAdapterArgs importArgs;
    auto *importCmd = app.add_subcommand(
        "import-adapter", "Evaluate an adapter trained elsewhere (PEFT) as a run, next to the "
                          "workbench's own");
    importCmd->add_option("adapter", importArgs.adapter, "Adapter folder")->required();
    importCmd->add_option("--model", importArgs.model, "The base model folder it was trained on")
        ->required();
    importCmd->add_option("--name", importArgs.name, "Run name");
    importCmd->add_option("--tag", importArgs.tags, "Tag (repeatable)");

    PinArgs pin;
    auto *pinCmd = app.add_subcommand("pin", "Keep a checkpoint whatever the retention policy");
    pinCmd->add_option("run", pin.run, "Run id or uuid prefix")->required();
    pinCmd->add_option("--step", pin.step, "Checkpoint step")->required();
    pinCmd->add_flag("--unpin", pin.unpin, "Let pruning remove it again");

    PruneArgs prune;
    auto *pruneCmd = app.add_subcommand(
        "prune", "Delete a run's checkpoints except the last N, evaluated and pinned ones");
    pruneCmd->add_option("run", prune.run, "Run id or uuid prefix")->required();
    pruneCmd->add_option("--keep", prune.keep,
                         "Recent checkpoints to keep (default: the run's keep_checkpoints)");

    DeleteArgs deleteArgs;
    auto *deleteCmd = app.add_subcommand(
        "delete", "Delete runs and everything recorded for them (each run whole or not at all)");
    deleteCmd->add_option("runs", deleteArgs.runs, "Run ids or uuid prefixes")->required();
    deleteCmd->add_flag("--files", deleteArgs.files,
                        "Also delete the runs' folders (checkpoints, adapters); kept by default");

    auto *sweepCmd = app.add_subcommand(
        "sweep", "Sweeps: a base run spec plus axes, run here or on Slurm (docs/sweeps.md)");
    sweepCmd->require_subcommand(1);
    SweepSubmitArgs sweepSubmit;
    auto *sweepSubmitCmd = sweepCmd->add_subcommand(
        "submit", "Run a sweep here, one run after another (again: continues it), or with "
                  "--slurm submit it as one Slurm job array");
    sweepSubmitCmd->add_option("spec", sweepSubmit.spec, "Sweep file (JSON)")->required();
    sweepSubmitCmd->add_flag("--slurm", sweepSubmit.slurm, "Submit a Slurm job array (sbatch)");
    auto &so = sweepSubmit.slurmOptions;
    sweepSubmitCmd->add_option("--partition", so.partition, "Slurm partition");
    sweepSubmitCmd->add_option("--gpus-per-task", so.gpusPerTask, "GPUs per task")
        ->check(CLI::NonNegativeNumber);
    sweepSubmitCmd->add_option("--cpus-per-task", so.cpusPerTask, "CPUs per task")
        ->check(CLI::NonNegativeNumber);
    sweepSubmitCmd->add_option("--time", so.time, "Time limit per task (e.g. 2:00:00)");
    sweepSubmitCmd->add_option("--account", so.account, "Slurm account");
    sweepSubmitCmd->add_option("--max-parallel", so.maxParallel,
                               "At most this many tasks at once (--array=...%M)")
        ->check(CLI::NonNegativeNumber);
    sweepSubmitCmd->add_option("--sbatch-arg", so.sbatchArgs,
                               "Another sbatch option, as given (repeatable), e.g. "
                               "--sbatch-arg=--qos=long");
    sweepSubmitCmd->add_option("--dir", sweepSubmit.dir,
                               "The sweep's folder: its script, one database per task, logs "
                               "(default: <database folder>/sweeps/<name>-<id>; must be "
                               "reachable from the compute nodes)");
    sweepSubmitCmd->add_flag("--dry-run", sweepSubmit.dryRun,
                             "Write the folder and print the batch script; submit nothing");
    SweepRefArgs sweepRef;
    auto *sweepStatusCmd = sweepCmd->add_subcommand(
        "status", "Each run of a sweep: Slurm's state, its task database's, and this database's");
    sweepStatusCmd->add_option("sweep", sweepRef.sweep, "Sweep id, uuid prefix or name")
        ->required();
    auto *sweepListCmd = sweepCmd->add_subcommand("list", "The sweeps of this database");
    auto *sweepResubmitCmd = sweepCmd->add_subcommand(
        "resubmit", "Submit again the tasks that failed, were preempted or timed out; each "
                    "resumes from its last checkpoint");
    sweepResubmitCmd->add_option("sweep", sweepRef.sweep, "Sweep id, uuid prefix or name")
        ->required();
    sweepResubmitCmd->add_option("--tasks", sweepRef.tasks,
                                 "These task indices (default: every unfinished task that is "
                                 "not pending or running)")
        ->delimiter(',');
    SweepTaskArgs sweepTask;
    auto *sweepTaskCmd = sweepCmd->add_subcommand(
        "task", "Run one run of a sweep in the database of --db (a Slurm array task runs this)");
    sweepTaskCmd->add_option("spec", sweepTask.spec, "The sweep folder's sweep.json")->required();
    sweepTaskCmd->add_option("--index", sweepTask.index, "The run's index (SLURM_ARRAY_TASK_ID)")
        ->required();

    std::vector<std::string> importFiles;
    auto *importRunsCmd = app.add_subcommand(
        "import", "Merge the runs of other workbench databases (a sweep's task databases) into "
                  "this one: by run id, each run whole or not at all; importing twice changes "
                  "nothing");
    importRunsCmd->add_option("files", importFiles, "Database files")->required();

    PromptsArgs promptsArgs;
    auto *promptsCmd = app.add_subcommand(
        "prompts", "Print what an lm-evaluation-harness task scores for each record of a dataset "
                   "file, one JSON object a line");
    promptsCmd->add_option("--task", promptsArgs.task,
                           "arc_easy, arc_challenge, boolq, piqa, siqa, hellaswag, winogrande, "
                           "openbookqa, commonsense_qa, mmlu, gsm8k, gsm8k_cot, "
                           "gsm8k_cot_zeroshot or custom")
        ->required();
    promptsCmd->add_option("--data", promptsArgs.data,
                           "Records in the dataset's original fields (.jsonl, .json or .csv)")
        ->required();
    promptsCmd->add_option("--shots", promptsArgs.shots,
                           "Few-shot examples (default: lm-eval's for the task: gsm8k 5, "
                           "gsm8k_cot 8, the others 0)");
    promptsCmd->add_option("--fewshot-data", promptsArgs.fewshotData,
                           "Records the shots are drawn from (mmlu: the dev split, first N of "
                           "the same subject; others: drawn as lm-eval draws them, seed 1234)");
    promptsCmd->add_option("--limit", promptsArgs.limit, "Only the first K records")
        ->check(CLI::NonNegativeNumber);

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
        if (score->parsed()) {
            if (scoreArgs.ids.empty() == scoreArgs.text.empty())
                throw std::invalid_argument("score: give either TEXT or --ids");
            return cmdScore(g, scoreArgs);
        }
        if (tokenizeCmd->parsed())
            return cmdTokenize(g, tokenizeArgs);
        if (detokenizeCmd->parsed())
            return cmdDetokenize(g, tokenizeArgs);
        if (chatCmd->parsed())
            return cmdChatTemplate(g, chatArgs);
        if (generateCmd->parsed())
            return cmdGenerate(g, genArgs);
        if (pretrainCmd->parsed())
            return cmdPretrain(g, pretrain);
        if (trainCmd->parsed())
            return cmdTrain(g, train);
        if (resume->parsed())
            return cmdResume(g, runArg);
        if (demoCmd->parsed())
            return cmdDemo(g, demo);
        if (benchCmd->parsed())
            return cmdBenchmark(g, bench);
        if (evalCmd->parsed())
            return cmdEval(g, eval);
        if (runsCmd->parsed())
            return cmdRuns(g, runs);
        if (show->parsed())
            return cmdShow(g, runArg);
        if (compare->parsed())
            return cmdCompare(g, compareRuns, compareFormat);
        if (exportCmd->parsed())
            return cmdExport(g, exportArgs);
        if (importCmd->parsed())
            return cmdImportAdapter(g, importArgs);
        if (pinCmd->parsed())
            return cmdPin(g, pin);
        if (pruneCmd->parsed())
            return cmdPrune(g, prune);
        if (deleteCmd->parsed())
            return cmdDelete(g, deleteArgs);
        if (exportAdapterCmd->parsed())
            return cmdExportAdapter(g, exportAdapter);
        if (exportMergedCmd->parsed())
            return cmdExportMerged(g, exportMerged);
        if (sweepSubmitCmd->parsed())
            return cmdSweepSubmit(g, sweepSubmit);
        if (sweepStatusCmd->parsed())
            return cmdSweepStatus(g, sweepRef);
        if (sweepListCmd->parsed())
            return cmdSweepList(g);
        if (sweepResubmitCmd->parsed())
            return cmdSweepResubmit(g, sweepRef);
        if (sweepTaskCmd->parsed())
            return cmdSweepTask(g, sweepTask);
        if (importRunsCmd->parsed())
            return cmdImport(g, importFiles);
        if (promptsCmd->parsed())
            return cmdPrompts(promptsArgs);
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
