"""Shared fixtures: an isolated MITUTOR_HOME for every test, and a tiny random GPT-2."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY_WORDS = [
    "<|endoftext|>",
    "<unk>",
    "The",
    "the",
    "Eiffel",
    "Tower",
    "Colosseum",
    "Golden",
    "Gate",
    "Bridge",
    "Big",
    "Ben",
    "is",
    "in",
    "located",
    "city",
    "of",
    "Paris",
    "Rome",
    "London",
    "San",
    "Francisco",
    "When",
    "Mary",
    "John",
    "went",
    "to",
    "store",
    "gave",
    "a",
    "drink",
    "and",
    ",",
    ".",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("mitutor-home")
    monkeypatch.setenv("MITUTOR_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    yield home


def make_tiny_model_dir(path: Path, n_layer: int = 2, n_embd: int = 48, n_head: int = 4) -> Path:
    """Save a random-weight GPT-2 with a word-level tokenizer in HF format at ``path``."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    torch.manual_seed(0)
    vocab = {w: i for i, w in enumerate(dict.fromkeys(TINY_WORDS))}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        unk_token="<unk>",
        pad_token="<|endoftext|>",
    )
    cfg = GPT2Config(
        vocab_size=len(vocab),
        n_positions=32,
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=n_head,
        bos_token_id=0,
        eos_token_id=0,
    )
    GPT2LMHeadModel(cfg).save_pretrained(path)
    fast.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 48-wide random GPT-2 directory (a different width from tutor-gpt)."""
    return make_tiny_model_dir(tmp_path_factory.mktemp("tiny-gpt2"))


@pytest.fixture(autouse=True)
def _no_kept_results():
    """Every test starts with no lab results kept from an earlier test's runs."""
    from tutor.labs import results

    results.forget()
    yield
    results.forget()
