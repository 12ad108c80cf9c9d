"""testtune_engine.sampling: nucleus draws, per-row random streams and batched decoding on a tiny Llama."""

from __future__ import annotations

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from testtune_engine import sampling
from testtune_engine.sampling import Decoding, choose_tokens, row_uniforms, sample_rows

VOCAB = 97
GRID = 4000  # evenly spaced uniforms: each token is drawn GRID x its share of the nucleus, to within 1


@pytest.fixture(scope="module")
def model() -> LlamaForCausalLM:
    # A wide initialisation spreads the logits, so greedy decoding has no near-ties that
    # floating-point rounding between batch shapes could flip.
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=VOCAB, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=128, initializer_range=0.3, bos_token_id=None, eos_token_id=None, pad_token_id=0)
    return LlamaForCausalLM(config).eval()


def decoding(temperature: float = 0.8, top_p: float = 0.9, max_new_tokens: int = 24, eos: frozenset[int] = frozenset()) -> Decoding:
    return Decoding(temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens, eos_ids=eos, pad_id=0)


def reference_nucleus(probs: list[float], top_p: float) -> dict[int, float]:
    """Nucleus sampling written plainly: sort, keep tokens until the mass reaches top_p, renormalise."""
    kept: dict[int, float] = {}
    mass = 0.0
    for token in sorted(range(len(probs)), key=lambda index: -probs[index]):
        if mass >= top_p:
            break
        kept[token] = probs[token]
        mass += probs[token]
    return {token: share / mass for token, share in kept.items()}


def mixed_logits() -> torch.Tensor:
    """Rows from peaked (a handful of candidates) to flat (candidates all over a 1000-token vocabulary)."""
    generator = torch.Generator().manual_seed(1)
    scales = torch.tensor([8.0, 4.0, 2.0, 0.5, 0.05])
    return torch.randn(len(scales), 1000, generator=generator, dtype=torch.float64).float() * scales.unsqueeze(-1)


def grid_draws(logits: torch.Tensor, settings: Decoding) -> torch.Tensor:
    """[rows, GRID] tokens drawn at uniforms (i + 0.5) / GRID."""
    uniforms = (torch.arange(GRID) + 0.5) / GRID
    rows = logits.repeat_interleave(GRID, dim=0)
    return choose_tokens(rows, uniforms.repeat(len(logits)), settings).view(len(logits), GRID)


@pytest.mark.parametrize("top_p", [0.5, 0.9, 0.95, 1.0])
def test_a_top_p_draw_follows_the_renormalised_nucleus(top_p: float) -> None:
    logits = mixed_logits()
    draws = grid_draws(logits, decoding(temperature=0.7, top_p=top_p))
    for row, drawn in zip(torch.softmax(logits.double() / 0.7, dim=-1), draws):
        expected = reference_nucleus(row.tolist(), top_p)
        counts = torch.bincount(drawn, minlength=logits.shape[-1])
        assert set(counts.nonzero().squeeze(-1).tolist()) <= set(expected)
        for token, share in expected.items():
            assert abs(counts[token].item() - share * GRID) <= 1.01, (token, share)


def test_the_narrow_and_the_whole_vocabulary_paths_draw_the_same_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    logits = mixed_logits()
    settings = decoding(temperature=1.0, top_p=0.95)
    mixed = grid_draws(logits, settings)  # the peaked rows go narrow, the flat ones sort everything
    monkeypatch.setattr(sampling, "NARROW_SORT", 0)
    all_wide = grid_draws(logits, settings)
    monkeypatch.setattr(sampling, "NARROW_SORT", logits.shape[-1])
    all_narrow = grid_draws(logits, settings)
    assert torch.equal(mixed, all_wide) and torch.equal(mixed, all_narrow)


@pytest.mark.parametrize("narrow_sort", [0, 256])
def test_a_target_rounded_onto_the_total_mass_draws_the_last_kept_token(monkeypatch: pytest.MonkeyPatch, narrow_sort: int) -> None:
    monkeypatch.setattr(sampling, "NARROW_SORT", narrow_sort)
    logits = torch.full((1, 50), -20.0)
    logits[0, 30], logits[0, 7] = 5.0, 4.9  # the nucleus at top_p 0.9: tokens 7 and 30
    assert choose_tokens(logits, torch.tensor([1.0]), decoding(temperature=1.0)).tolist() == [30]
    assert choose_tokens(logits, torch.tensor([0.0]), decoding(temperature=1.0)).tolist() == [7]


def test_temperature_zero_is_argmax_whatever_the_uniforms() -> None:
    logits = mixed_logits()
    assert torch.equal(choose_tokens(logits, torch.rand(len(logits)), decoding(temperature=0)), logits.argmax(dim=-1))


def test_a_rows_random_stream_depends_only_on_its_seed() -> None:
    alone = row_uniforms([11], 50)
    among_others = row_uniforms([5, 11, 11, 7], 50)
    assert torch.equal(among_others[1], alone[0]) and torch.equal(among_others[2], alone[0])
    assert not torch.equal(among_others[0], alone[0])


PROMPTS = [[5, 6, 7], [9, 3, 4, 8, 1, 2, 60, 61, 62, 63, 64], [40, 41, 42, 43, 44, 45, 46], [7] * 20]


@pytest.mark.parametrize("temperature", [0.0, 0.8])
def test_a_row_samples_the_same_alone_as_in_a_batch_of_other_prompts(model: LlamaForCausalLM, temperature: float) -> None:
    settings = decoding(temperature=temperature)
    seeds = [101, 102, 103, 104]
    batched = sample_rows(model, PROMPTS, seeds, settings)
    alone = [sample_rows(model, [prompt], [seed], settings)[0] for prompt, seed in zip(PROMPTS, seeds)]
    assert batched == alone
    assert len({tuple(row.tokens) for row in batched}) == len(PROMPTS)


def test_rows_of_one_prompt_share_its_prefill_but_not_their_draws(model: LlamaForCausalLM) -> None:
    settings = decoding()
    rows = sample_rows(model, [PROMPTS[1]] * 3 + [PROMPTS[0]], [1, 2, 3, 4], settings)
    assert rows[0] != rows[1] != rows[2]
    assert rows == [sample_rows(model, [prompt], [seed], settings)[0] for prompt, seed in zip([PROMPTS[1]] * 3 + [PROMPTS[0]], [1, 2, 3, 4])]


def test_greedy_decoding_equals_hugging_face_generate_on_each_prompt_alone(model: LlamaForCausalLM) -> None:
    rows = sample_rows(model, PROMPTS, [0] * len(PROMPTS), decoding(temperature=0, max_new_tokens=30))
    for prompt, row in zip(PROMPTS, rows):
        ids = torch.tensor([prompt])
        reference = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=30, min_new_tokens=30)
        assert row.tokens == reference[0, len(prompt) :].tolist() and not row.stopped_at_eos


@pytest.mark.parametrize("temperature", [0.0, 0.8])
def test_a_row_stops_at_its_first_eos_and_the_others_carry_on_unchanged(model: LlamaForCausalLM, temperature: float) -> None:
    seeds = [7, 8, 9, 10]
    free = sample_rows(model, PROMPTS, seeds, decoding(temperature=temperature))
    # The eos: a token the first row draws early on, so at least that row stops at it.
    eos = free[0].tokens[3]
    stopped = sample_rows(model, PROMPTS, seeds, decoding(temperature=temperature, eos=frozenset({eos})))
    for unbounded, row in zip(free, stopped):
        if eos in unbounded.tokens:
            assert row.tokens == unbounded.tokens[: unbounded.tokens.index(eos)] and row.stopped_at_eos
        else:
            assert row.tokens == unbounded.tokens and not row.stopped_at_eos
    assert stopped[0].stopped_at_eos and len(stopped[0].tokens) <= 3
    assert any(not row.stopped_at_eos for row in stopped), "pick another eos: every row stopped, the batch shrinking is untested"


def test_a_batch_where_every_row_stops_at_once_ends_there(model: LlamaForCausalLM) -> None:
    first = [row.tokens[0] for row in sample_rows(model, PROMPTS, [0] * 4, decoding(temperature=0))]
    rows = sample_rows(model, PROMPTS, [0] * 4, decoding(temperature=0, eos=frozenset(first)))
    assert all(row.tokens == [] and row.stopped_at_eos for row in rows)
