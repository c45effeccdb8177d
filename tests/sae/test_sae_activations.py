"""Activation collection and its on-disk cache."""

from __future__ import annotations

import pytest
import torch

from tutor.labs.sae import activations as A


def test_collected_activations_equal_run_with_cache(tiny_model) -> None:
    rows = A.corpus_rows(tiny_model, 200, seed=0, seq_len=12)
    assert rows.shape[1] == 12 and bool((rows[:, 0] == tiny_model.tokenizer.bos_token_id).all())
    for site, layer in (("resid_pre", 1), ("resid_pre", 0), ("mlp_out", 0)):
        got = A.collect_activations(tiny_model, rows, site, layer, batch_rows=5)
        _, cache = tiny_model.run_with_cache(rows)
        expected = cache[f"blocks.{layer}.hook_{site}"][:, 1:].reshape(-1, 48)
        torch.testing.assert_close(got.acts, expected, rtol=1e-5, atol=1e-5)
        assert torch.equal(got.tokens, rows[:, 1:].reshape(-1))
        assert got.positions[:11].tolist() == list(range(1, 12))


def test_context_stops_at_the_row_start(tiny_model) -> None:
    rows = A.corpus_rows(tiny_model, 100, seed=0, seq_len=8)
    got = A.collect_activations(tiny_model, rows, "resid_pre", 1)
    ids, idx = got.context(7, width=20)  # second row's first token
    assert ids == [int(rows[1, 1])] and idx == 0
    ids, idx = got.context(10, width=3)
    assert ids == rows[1, 2:5].tolist() and idx == 2


def test_cache_is_written_reused_and_regenerated_when_damaged(tiny_model, tiny_model_dir) -> None:
    calls = []
    first = A.load_or_collect(
        tiny_model,
        str(tiny_model_dir),
        "resid_pre",
        1,
        500,
        on_progress=lambda d, t: calls.append(d),
    )
    assert first.path is not None and first.path.is_file() and calls
    calls.clear()
    again = A.load_or_collect(
        tiny_model,
        str(tiny_model_dir),
        "resid_pre",
        1,
        500,
        on_progress=lambda d, t: calls.append(d),
    )
    assert calls == []  # served from the cache
    assert torch.equal(again.acts, first.acts) and torch.equal(again.tokens, first.tokens)
    first.path.write_bytes(b"not a safetensors file")
    fresh = A.load_or_collect(tiny_model, str(tiny_model_dir), "resid_pre", 1, 500)
    torch.testing.assert_close(fresh.acts, first.acts)
    # Different layer or site: a different cache file.
    other = A.cache_path(tiny_model, str(tiny_model_dir), "mlp_out", 1, 500, 0)
    assert other != first.path


def test_bad_layer_and_site_are_named(tiny_model) -> None:
    with pytest.raises(ValueError, match="--layer 5: the model has layers 0..1"):
        A.check_layer(tiny_model, 5)
    with pytest.raises(ValueError, match="site 'attn'"):
        A.hook_name("attn", 0)


def test_collection_can_be_cancelled(tiny_model) -> None:
    rows = A.corpus_rows(tiny_model, 300, seed=0, seq_len=8)
    with pytest.raises(A.CollectionCancelled):
        A.collect_activations(tiny_model, rows, "resid_pre", 1, should_stop=lambda: True)
