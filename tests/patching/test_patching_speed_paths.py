"""The engine's fast paths give TransformerLens's numbers, stay within their memory budget,
and refuse what they cannot do.

- heads and windowed sweeps on GPT-2 take the suffix runner and equal the full forward pass;
- a sweep chunked to a tiny memory budget (slices of the noise samples) equals the
  unchunked one, and no batch exceeds the budget;
- the suffix runner's self-check reads only cached logits (no extra forward pass);
- on a rotary (Llama) model, with full or grouped key/value heads, the suffix runner
  applies and matches TransformerLens on every sweep; a block it does not know falls back
  to full forward passes that match; ``strategy="resume"`` is refused with a clear error;
- groups of cells with different start positions run in one batch and equal running each
  group alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from test_patching_vs_transformer_lens import COUNTERFACTUAL, NOISE, assert_matches

from tutor.labs.patching.engine import (
    Cell,
    PatchingInputError,
    bytes_per_row,
    iter_batches,
    prepare,
    run_cells,
    run_sweep,
    suffix_runner,
    sweep_cells,
)
from tutor.labs.patching.suffix import SuffixModel, first_changed_position


def test_heads_sweep_takes_the_suffix_runner_and_matches(tiny_model):
    prep = prepare(tiny_model, NOISE)
    cells = sweep_cells(prep, "heads")
    batches = list(iter_batches(prep, cells))
    assert isinstance(prep.suffix_runner, SuffixModel)
    assert sum(len(idx) for idx, *_ in batches) == len(cells)
    assert_matches(prep, "heads", strategy="suffix")


@pytest.mark.parametrize("sweep", ["attn", "mlp"])
def test_windowed_suffix_runs_equal_full_forward_passes(tiny4_model, sweep):
    prep = prepare(tiny4_model, COUNTERFACTUAL)
    fast = run_sweep(prep, sweep, window=3)
    full = run_sweep(prep, sweep, window=3, strategy="full")
    assert torch.allclose(torch.tensor(fast.values), torch.tensor(full.values), atol=1e-5)
    assert max(abs(v - prep.corrupted_value) for row in full.values for v in row) > 1e-4


def test_patching_every_layer_and_position_gives_the_clean_logits(tiny4_model):
    prep = prepare(tiny4_model, COUNTERFACTUAL)
    cell = Cell("resid", tuple(range(prep.n_layers)), tuple(range(prep.n_pos)))
    logits = run_cells(prep, [cell])[0, 0]
    clean = tiny4_model(prep.tokens)[0, -1]
    assert torch.allclose(logits, clean, atol=1e-4)


@pytest.mark.parametrize("sweep", ["resid", "heads"])
def test_a_tiny_memory_budget_slices_samples_and_changes_nothing(tiny_model, sweep):
    prep = prepare(tiny_model, NOISE)  # 3 noise samples
    budget_rows = 2
    memory_mb = budget_rows * bytes_per_row(prep) / 2**20
    cells = sweep_cells(prep, sweep)
    batches = list(iter_batches(prep, cells, memory_mb=memory_mb))
    worked = [(idx, lo, hi) for idx, lo, hi, _ in batches if hi - lo < prep.samples or idx]
    assert all(len(idx) * (hi - lo) <= budget_rows for idx, lo, hi in worked[1:] or worked)
    assert any(hi - lo < prep.samples for _, lo, hi in worked)  # samples were sliced
    small = run_sweep(prep, sweep, memory_mb=memory_mb)
    whole = run_sweep(prep, sweep)
    assert torch.allclose(torch.tensor(small.values), torch.tensor(whole.values), atol=1e-5)
    assert torch.allclose(
        torch.tensor(small.patched_prob), torch.tensor(whole.patched_prob), atol=1e-6
    )


def test_suffix_self_check_needs_no_forward_pass(tiny_model_dir: Path):
    from tutor.model.loader import load_model

    model = load_model(str(tiny_model_dir), "cpu")  # a fresh model: nothing checked yet
    prep = prepare(model, COUNTERFACTUAL)
    calls = []
    model.register_forward_pre_hook(lambda *_: calls.append(1))
    assert suffix_runner(prep) is not None
    assert calls == []


@pytest.fixture(scope="module", params=[4, 2], ids=["mha", "gqa"])
def tiny_llama(request, tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path):
    """A 2-layer random Llama (rotary, RMSNorm, gated MLP) with the tiny word tokenizer,
    with 4 key/value heads (one per query head) or 2 (grouped)."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from tutor.model.loader import load_model

    path = tmp_path_factory.mktemp("tiny-llama")
    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=48,
        intermediate_size=96,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=request.param,
        max_position_embeddings=32,
        bos_token_id=0,
        eos_token_id=0,
        pad_token_id=0,
    )
    LlamaForCausalLM(cfg).save_pretrained(path)
    tok.save_pretrained(path)
    return load_model(str(path), "cpu")


@pytest.mark.parametrize("sweep", ["resid", "attn", "mlp", "heads"])
def test_rotary_model_takes_the_suffix_runner_and_matches_transformer_lens(tiny_llama, sweep):
    prep = prepare(tiny_llama, NOISE)
    assert isinstance(suffix_runner(prep), SuffixModel)
    assert_matches(prep, sweep, strategy="suffix")


def test_a_block_the_runner_does_not_know_falls_back_and_matches(tiny_llama, monkeypatch):
    from tutor.labs.patching import blocks, engine

    monkeypatch.setattr(blocks, "_GATED_ACT", {})  # as if its MLP's activation were new
    monkeypatch.setattr(blocks, "_stacks", blocks.weakref.WeakKeyDictionary())
    monkeypatch.setattr(engine, "_suffix_ok", engine.weakref.WeakKeyDictionary())
    prep = prepare(tiny_llama, NOISE)
    assert suffix_runner(prep) is None
    assert_matches(prep, "resid")


def test_groups_with_different_starts_run_together_as_they_run_alone(tiny4_model):
    prep = prepare(tiny4_model, COUNTERFACTUAL)
    runner = suffix_runner(prep)
    assert runner is not None
    by_start: dict[int, list[Cell]] = {}
    for cell in sweep_cells(prep, "resid") + sweep_cells(prep, "mlp"):
        first = first_changed_position(prep, cell)
        if first is not None:
            by_start.setdefault(first, []).append(cell)
    assert len(by_start) >= 3
    parts = sorted((start, cells) for start, cells in by_start.items())
    together = runner.run_parts([(cells, start) for start, cells in parts])
    alone = torch.cat([runner.run(cells, start) for start, cells in parts])
    assert torch.allclose(together, alone, atol=1e-5)


def test_rotary_model_refuses_a_forced_resume(tiny_llama):
    prep = prepare(tiny_llama, NOISE)
    with pytest.raises(PatchingInputError) as info:
        run_sweep(prep, "resid", strategy="resume")
    assert info.value.field == "strategy"
    assert "rotary" in str(info.value) and "'full'" in str(info.value)


def test_unknown_strategy_is_named(tiny_model):
    prep = prepare(tiny_model, COUNTERFACTUAL)
    with pytest.raises(PatchingInputError) as info:
        run_sweep(prep, "resid", strategy="fast")
    assert info.value.field == "strategy" and "'fast'" in str(info.value)
