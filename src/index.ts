/**
 * testtune's library API: what the CLI is built from, for scripts and other tools.
 * Each export is documented where it is defined; docs/architecture.md maps the modules.
 */
export { TesttuneError, ConfigError, DataError, UsageError, EnvError, SandboxError, NetworkError, isTesttuneError, type ErrorCode } from "./errors.js";

// Configuration
export { runConfigSchema, STAGES, type RunConfig, type Stage } from "./config/run-config.js";
export { trainConfigSections, type PrefsConfig, type DpoConfig, type PpoConfig, type GrpoConfig } from "./config/train-config.js";

// Tasks and data
export { taskSchema, sampleSchema, TASK_SPLITS, type Task, type TaskInput, type Sample } from "./tasks/schema.js";
export { prepare, type PrepareOptions, type PrepareStats } from "./tasks/prepare.js";
export { generateTinyTests, TINY_TIERS, type TinyTestsOptions } from "./tasks/tinytests/index.js";
export { verlRows, writeVerlParquet, type VerlRow } from "./tasks/export-verl.js";
export { extractTestFile, type ExtractedTests, type ExtractionMethod } from "./prompts/extract.js";

// Sandbox
export { SandboxPool, type PoolOptions } from "./sandbox/pool.js";
export { OUTCOMES, type Outcome, type TestOutcome, type TestResult, type ExecRequest, type ExecResult, type MutationReport, type CoverageReport, type Isolation } from "./sandbox/types.js";

// Scoring and rewards
export { scoreSamples, scoreCompletions, type ScoreSamplesOptions, type ScoreSummary, type ScoreRecord, type Completion } from "./quality/score.js";
export { scoreFiles, type ScoreFilesOptions, type ScoreFilesResult } from "./quality/score-files.js";
export { reward, REWARD_PRESETS, REWARD_DESCRIPTIONS, type RewardPreset } from "./quality/rewards.js";
export type { ScoredSample } from "./quality/sample.js";
export { startRewardService, type RewardService, type RewardServiceOptions } from "./quality/service.js";
export { mutantSets, sampleMutants, type MutantSet } from "./quality/mutant-sets.js";
export { missedMutants, MAX_MISSED_MUTANTS, type MissedMutant } from "./quality/missed-mutants.js";

// Engine and training
export { runEngineJob, jobSpecSchemas, type JobName, type JobSpecInput, type JobSpec, type EngineJobOptions, type EngineJobResult } from "./engine/job.js";
export { buildPreferencePairs, type PrefsOptions, type PrefsStats } from "./train/prefs.js";
export { runTrainJob, type TrainOptions } from "./train/run-train.js";
export { refine, type RefineOptions, type RefineResult } from "./train/refine.js";
export { readTraces, traceSchema, traceSftRow, type Trace } from "./train/traces.js";
export { syntheticTraces, type SyntheticTrace, type SyntheticTraceCounts, type SyntheticTraceOptions } from "./train/synthetic-traces.js";
export { repairLoop, type FirstAttempt, type RepairSettings, type RepairOutcome } from "./eval/repair.js";
export { repairResults, compareByRound, type RepairResults } from "./eval/repair-results.js";
export { buildRepairPrompt, type RepairCase } from "./prompts/repair.js";
export { failureLog } from "./quality/failure-log.js";
export { curriculumStageSchema, type CurriculumStage } from "./config/curriculum.js";

// Evaluation and the pipeline
export { passAtK, meanPassAtK } from "./eval/pass-at-k.js";
export { pairedDifference, type PairedResult, type PairedOptions } from "./eval/paired.js";
export { pairedTTest, type TTestResult } from "./eval/t-test.js";
export { wilcoxonSignedRank, type WilcoxonResult } from "./eval/wilcoxon.js";
export { mcnemar, mcnemarCounts, type McNemarResult } from "./eval/mcnemar.js";
export { holmAdjust } from "./eval/holm.js";
export { compareModels, withHolm, type Comparison } from "./eval/comparison.js";
export { readResults, locateResults, resultsSchema, RESULTS_SCHEMA_VERSION } from "./eval/results-file.js";
export { computeStrength, isStrong, DEFAULT_STRONG_AT, type StrengthResults } from "./eval/strength.js";
export { evaluate, type EvaluateOptions, type EvaluateOutcome } from "./eval/evaluate.js";
export { parseModelSpec, parseModelSpecs, type ModelSpec } from "./eval/model-spec.js";
export { selectTasks, BENCHMARKS } from "./eval/benchmarks.js";
export { EngineBackend } from "./eval/backends/engine.js";
export { GgufBackend } from "./eval/backends/gguf.js";
export { OpenAiBackend } from "./eval/backends/openai.js";
export type { GenerationBackend, GeneratedSample, SampleRequest, SamplingParams } from "./eval/backends/types.js";
export { writeReport, type ReportOptions } from "./report/build.js";
export { runPipeline, type PipelineOptions, type PipelineResult } from "./pipeline/runner.js";
export { pipelineStages } from "./pipeline/stages/index.js";

// Models: GGUF import, known models pulled from PyPI, export to GGUF and Ollama
export { importGguf, CHECK_PROMPTS, type ImportOptions, type ImportResult, type Provenance } from "./model/import.js";
export { pullModel, resolveModelBase, listCachedModels, type PullResult, type CachedModel } from "./model/pull.js";
export { KNOWN_MODELS, type KnownModel } from "./model/registry.js";
export { exportModel, type ExportOptions, type ExportResult } from "./model/export.js";
export { openGguf, type GgufModel } from "./model/llama-cpp.js";
export { checkAgainstLlamaCpp, formatAgreement, type AgreementReport } from "./model/agreement.js";
export { buildModelfile, type Modelfile } from "./model/modelfile.js";
export { KINDS, kindOf, kindName, kindTaskId, type KindCheck, type KindContext, type TaskKind } from "./kinds/index.js";
export { kindPrompt, kindTarget } from "./kinds/prompt.js";
export { scoreByKind, type KindScoreRecord } from "./kinds/score.js";
export { expandKinds, type ExpandResult } from "./kinds/expand.js";
export { answerChecks } from "./kinds/answer-checks.js";
export { findPlaceholders } from "./kinds/hallucination.js";
export { styleScore, type StyleScore } from "./kinds/style.js";
export { textKindTasks, type TextTasksResult } from "./kinds/text-tasks.js";
