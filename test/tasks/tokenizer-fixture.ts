/** Test helper: a real tokenizer.json, trained here, with the Python library's own counts. */
import { join } from "node:path";
import { pythonEnv } from "../../src/engine/python-env.js";
import { run } from "../../src/util/subprocess.js";

// Trains a small byte-level BPE with the Python `tokenizers` library (Qwen2's pre-tokenizer
// regex, NFC, an added special token), saves tokenizer.json and prints its own counts: the
// independent reference the TypeScript counts must match exactly.
const TRAIN = `
import json, sys
from tokenizers import Tokenizer, Regex, models, normalizers, pre_tokenizers, decoders, trainers
out, texts = sys.argv[1], json.load(sys.stdin)
tok = Tokenizer(models.BPE())
tok.normalizer = normalizers.NFC()
tok.pre_tokenizer = pre_tokenizers.Sequence([
    pre_tokenizers.Split(Regex(r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"), behavior="isolated"),
    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
])
tok.decoder = decoders.ByteLevel()
trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
tok.train_from_iterator(texts * 3, trainer)
tok.save(out)
print(json.dumps([len(tok.encode(t, add_special_tokens=False).ids) for t in texts]))
`;

/** Writes <dir>/tokenizer.json trained on `texts` and returns Python's token count of each text. */
export async function trainTokenizer(dir: string, texts: string[]): Promise<number[]> {
  const { python, env } = await pythonEnv({ quiet: true });
  const result = await run(python, ["-c", TRAIN, join(dir, "tokenizer.json")], { env, input: JSON.stringify(texts), timeoutMs: 120_000 });
  if (!result.ok) throw new Error(`training the test tokenizer failed: ${result.stderr.slice(-1500)}`);
  return JSON.parse(result.stdout.trim()) as number[];
}
