"""pretrain: build testtune's tiny default base model from scratch.

Trains a byte-level BPE tokenizer on a text corpus, creates a Llama-architecture model from
a small config and, when `steps` > 0, trains it as a causal language model on the same
corpus. Writes a Hugging Face model directory (config.json, model.safetensors,
generation_config.json, tokenizer.json, tokenizer_config.json) that every other job, and
`AutoModelForCausalLM` / `AutoTokenizer`, can load.

    cat > spec.json <<'JSON'
    {"version": 1, "job": "pretrain", "corpus": "corpus.jsonl", "output_dir": "base", "steps": 200}
    JSON
    PYTHONPATH=python python -m testtune_engine pretrain --spec spec.json

The corpus is JSONL with a `text` field, or `prompt` and `completion` fields, per line.
Assumptions and limits: the whole corpus is tokenized in memory (it is meant for corpora of
megabytes, not gigabytes). Checkpoints go to `<output_dir>/checkpoints` while training and
are removed once the model is saved; an interrupted run resumes from the newest one, reusing
the tokenizer it already wrote.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from .. import events
from ..data import read_texts
from ..runtime import seed_everything, use_bf16
from ..spec import require

BOS, EOS, PAD = "<|bos|>", "<|eos|>", "<|pad|>"


@dataclass
class Spec:
    corpus: str  # JSONL: `text`, or `prompt` + `completion`, per line
    output_dir: str  # the model directory to write
    seed: int = 0
    # Tokenizer. A small vocabulary keeps the embedding matrix, most of a tiny model's
    # parameters, small; 2048 byte-level merges still cover Python's keywords and idioms.
    vocab_size: int = 2048
    min_frequency: int = 2  # a merge must occur at least this often in the corpus
    # Model: small enough to train and sample on a laptop CPU in minutes (about 0.6M
    # parameters besides the embeddings). Grouped-query attention as in Llama 2/3 and Qwen2.
    hidden_size: int = 128
    num_layers: int = 2
    num_heads: int = 4
    num_kv_heads: int = 2
    intermediate_size: int = 384  # about 8/3 x hidden_size, Llama's SwiGLU ratio
    max_position_embeddings: int = 2048  # prompts with a whole module under test are long
    # Training (skipped when steps == 0: the model is only initialised).
    steps: int = 0
    batch_size: int = 8
    block_size: int = 256  # tokens per training sequence; the corpus is packed into blocks
    learning_rate: float = 1e-3  # tiny models trained from scratch take high rates (nanoGPT's small configs use 1e-3)
    warmup_ratio: float = 0.05  # fraction of steps with a linear warmup
    logging_steps: int = 10
    save_steps: int = 100

    def check(self) -> None:
        require(self.vocab_size >= 256 + 3, "vocab_size", "must be at least 259 (256 bytes + bos, eos, pad)")
        require(self.hidden_size % self.num_heads == 0, "hidden_size", f"must be a multiple of num_heads ({self.num_heads})")
        require(self.num_heads % self.num_kv_heads == 0, "num_kv_heads", f"must divide num_heads ({self.num_heads})")
        require(self.steps >= 0, "steps", "must be >= 0")
        require(0 <= self.warmup_ratio < 1, "warmup_ratio", "must be in [0, 1)")
        for name in ("num_layers", "batch_size", "block_size", "logging_steps", "save_steps", "min_frequency"):
            require(getattr(self, name) > 0, name, "must be > 0")


def train_tokenizer(texts: list[str], spec: Spec) -> PreTrainedTokenizerFast:
    """Byte-level BPE (as GPT-2): every string is representable, no unknown token needed."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=spec.vocab_size,
        min_frequency=spec.min_frequency,
        special_tokens=[BOS, EOS, PAD],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    # Every sequence starts with bos, as Llama's tokenizer does; eos is appended by the trainers.
    bos_id = tokenizer.token_to_id(BOS)
    tokenizer.post_processor = processors.TemplateProcessing(single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, bos_id)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token=BOS, eos_token=EOS, pad_token=PAD, model_max_length=spec.max_position_embeddings
    )


def build_model(tokenizer: PreTrainedTokenizerFast, spec: Spec) -> LlamaForCausalLM:
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=spec.hidden_size,
        intermediate_size=spec.intermediate_size,
        num_hidden_layers=spec.num_layers,
        num_attention_heads=spec.num_heads,
        num_key_value_heads=spec.num_kv_heads,
        max_position_embeddings=spec.max_position_embeddings,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,  # halves the parameters of a model whose embedding dominates
    )
    model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id
    )
    return model


def pack_blocks(texts: list[str], tokenizer: PreTrainedTokenizerFast, block_size: int) -> list[dict[str, torch.Tensor]]:
    """Concatenates `bos text eos` for every text and cuts the stream into equal blocks."""
    stream: list[int] = []
    for ids in tokenizer(texts)["input_ids"]:
        stream.extend(ids)
        stream.append(tokenizer.eos_token_id)
    size = min(block_size, len(stream))
    blocks = [torch.tensor(stream[start : start + size]) for start in range(0, len(stream) - size + 1, size)]
    return [{"input_ids": block, "labels": block} for block in blocks]


def train_model(model: LlamaForCausalLM, blocks: list[dict[str, torch.Tensor]], spec: Spec, checkpoints: str) -> None:
    # Imported here: the Trainer costs seconds of startup that an init-only run does not need.
    from transformers import Trainer, TrainingArguments

    from ..training import train, training_arguments

    args = TrainingArguments(
        **training_arguments(
            output_dir=checkpoints,
            max_steps=spec.steps,
            per_device_train_batch_size=spec.batch_size,
            learning_rate=spec.learning_rate,
            warmup_steps=spec.warmup_ratio,
            lr_scheduler_type="cosine",
            logging_steps=spec.logging_steps,
            save_steps=spec.save_steps,
            save_total_limit=1,
            seed=spec.seed,
            bf16=use_bf16(),
        )
    )
    train(Trainer(model=model, args=args, train_dataset=blocks), checkpoints)


def run(spec: Spec) -> None:
    seed_everything(spec.seed)
    checkpoints = os.path.join(spec.output_dir, "checkpoints")
    texts = read_texts(spec.corpus)
    resuming = spec.steps > 0 and os.path.isdir(checkpoints) and os.path.isfile(os.path.join(spec.output_dir, "tokenizer.json"))
    if resuming:
        # The checkpoint's embedding rows belong to the tokenizer trained by the first run.
        tokenizer = PreTrainedTokenizerFast.from_pretrained(spec.output_dir)
    else:
        tokenizer = train_tokenizer(texts, spec)
        tokenizer.save_pretrained(spec.output_dir)
    events.log(f"tokenizer: {len(tokenizer)} tokens from {len(texts)} texts")
    model = build_model(tokenizer, spec)
    events.log(f"model: Llama, {sum(p.numel() for p in model.parameters()):,} parameters")
    if spec.steps > 0:
        blocks = pack_blocks(texts, tokenizer, spec.block_size)
        events.log(f"pretraining {spec.steps} steps on {len(blocks)} blocks of {len(blocks[0]['input_ids'])} tokens")
        train_model(model, blocks, spec, checkpoints)
    model.save_pretrained(spec.output_dir)
    tokenizer.save_pretrained(spec.output_dir)
    shutil.rmtree(checkpoints, ignore_errors=True)
    events.artifact("model", spec.output_dir)
