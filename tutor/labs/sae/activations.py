"""Collecting a model's activations at one site over the generated corpus, cached on disk.

The corpus (``tutor.model.world.corpus_documents``) is tokenised, joined with the
end-of-text token and cut into fixed-length rows that each start with BOS, the way SAE
training pipelines usually stream text. The BOS position is dropped: its activation is an
outlier that every SAE would spend features on.

The cache (best effort: without a writable cache directory the activations are collected
and simply not kept) is a safetensors file in ``paths.cache_dir()`` named by model, site, layer and
corpus (token count, seed, split) and the checkpoint's size and modification time, so a
retrained model never reuses stale activations. It stores the activations (float16), the
token ids and each token's position in its row (for dashboard contexts).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from tutor import paths
from tutor.labs.sae.params import DEFAULT_TOKENS

SITES: tuple[str, ...] = ("resid_pre", "mlp_out")
DEFAULT_SEQ_LEN = 64


class CollectionCancelled(RuntimeError):
    """``should_stop`` asked the collection to end early."""


@dataclass
class ActivationSet:
    """Activations [n, d] with the token id and in-row position of each row."""

    acts: torch.Tensor
    tokens: torch.Tensor
    positions: torch.Tensor
    hook_name: str
    layer: int
    site: str
    path: Path | None = None

    def context(self, row: int, width: int = 8) -> tuple[list[int], int]:
        """Token ids of up to ``width`` tokens ending at ``row``, and the index of ``row`` in them."""
        start = max(row - min(int(self.positions[row]) - 1, width - 1), 0)
        ids = self.tokens[start : row + 1].tolist()
        return ids, len(ids) - 1


def hook_name(site: str, layer: int) -> str:
    """The TransformerLens hook name for a site (``resid_pre`` or ``mlp_out``) at ``layer``."""
    if site not in SITES:
        raise ValueError(f"site {site!r}: expected one of {', '.join(SITES)}")
    return f"blocks.{layer}.hook_{site}"


def check_layer(model: Any, layer: int) -> None:
    n_layers = int(model.cfg.n_layers)
    if not 0 <= layer < n_layers:
        raise ValueError(f"--layer {layer}: the model has layers 0..{n_layers - 1}")


def model_key(model: Any, model_name: str) -> str:
    """A short, filename-safe key for a model that changes when its checkpoint changes."""
    stamp = model_name
    source = Path(model_name).expanduser()
    if model_name == "tutor-gpt":
        source = paths.BUNDLED_MODEL_DIR
    if source.is_dir():
        for f in sorted(source.glob("*.safetensors")) + sorted(source.glob("*.bin")):
            st = f.stat()
            stamp += f"|{f.name}:{st.st_size}:{st.st_mtime_ns}"
    stamp += f"|{model.cfg.n_layers}x{model.cfg.d_model}"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", Path(model_name).name or model_name).strip("-")
    return f"{slug[:40]}-{hashlib.sha1(stamp.encode()).hexdigest()[:10]}"


def cache_path(
    model: Any,
    model_name: str,
    site: str,
    layer: int,
    n_tokens: int,
    seed: int,
    split: str = "train",
) -> Path:
    key = model_key(model, model_name)
    return paths.cache_dir() / f"acts-{key}-{site}-L{layer}-{split}-{n_tokens}-s{seed}.safetensors"


def token_rows(model: Any, documents: list[str], n_tokens: int, seq_len: int) -> torch.Tensor:
    """Rows [n_rows, seq_len] of BOS + text tokens, enough for ``n_tokens`` non-BOS tokens."""
    tok = model.tokenizer
    bos = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
    sep = tok.eos_token_id if tok.eos_token_id is not None else bos
    body = seq_len - 1
    n_rows = -(-n_tokens // body)
    stream: list[int] = []
    ids = tok(documents, add_special_tokens=False)["input_ids"]
    for doc in ids:
        stream.extend(doc)
        stream.append(sep)
        if len(stream) >= n_rows * body:
            break
    if len(stream) < body:
        raise ValueError(f"corpus too small: {len(stream)} tokens for rows of {seq_len}")
    n_rows = min(n_rows, len(stream) // body)
    flat = torch.tensor(stream[: n_rows * body], dtype=torch.long).view(n_rows, body)
    return torch.cat([torch.full((n_rows, 1), bos, dtype=torch.long), flat], dim=1)


def corpus_rows(
    model: Any, n_tokens: int, seed: int = 0, split: str = "train", seq_len: int = DEFAULT_SEQ_LEN
) -> torch.Tensor:
    """Token rows from the generated corpus (about 18 words per document, so over-ask)."""
    from tutor.model.world import corpus_documents

    seq_len = min(seq_len, int(model.cfg.n_ctx))
    n_docs = max(64, n_tokens // 10)
    return token_rows(model, corpus_documents(n_docs, seed=seed, split=split), n_tokens, seq_len)


@torch.no_grad()
def run_to_site(model: Any, rows: torch.Tensor, name: str, layer: int) -> torch.Tensor:
    """Activations at hook ``name`` for a batch of token rows, running no further than needed.

    ``resid_pre`` of block L is what the first L blocks return, so the forward stops before
    block L and no cache is built; ``mlp_out`` needs block L itself.
    """
    if name == hook_name("resid_pre", layer):
        return model(rows, stop_at_layer=layer)
    stop = layer + 1 if layer + 1 < int(model.cfg.n_layers) else None
    _, cache = model.run_with_cache(rows, names_filter=lambda n: n == name, stop_at_layer=stop)
    return cache[name]


def collect_activations(
    model: Any,
    rows: torch.Tensor,
    site: str,
    layer: int,
    *,
    batch_rows: int = 128,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ActivationSet:
    """Activations at ``site``/``layer`` for every non-BOS token of ``rows``."""
    check_layer(model, layer)
    name = hook_name(site, layer)
    device = next(iter(model.parameters())).device
    chunks: list[torch.Tensor] = []
    total = rows.shape[0] * (rows.shape[1] - 1)
    done = 0
    for i in range(0, rows.shape[0], batch_rows):
        if should_stop is not None and should_stop():
            raise CollectionCancelled("activation collection cancelled")
        batch = rows[i : i + batch_rows]
        acts = run_to_site(model, batch.to(device), name, layer)[:, 1:]
        chunks.append(acts.reshape(-1, acts.shape[-1]).to("cpu", torch.float32))
        done += batch.shape[0] * (batch.shape[1] - 1)
        if on_progress is not None:
            on_progress(done, total)
    positions = torch.arange(1, rows.shape[1]).repeat(rows.shape[0])
    return ActivationSet(
        acts=torch.cat(chunks),
        tokens=rows[:, 1:].reshape(-1).clone(),
        positions=positions,
        hook_name=name,
        layer=layer,
        site=site,
    )


def load_or_collect(
    model: Any,
    model_name: str,
    site: str = "resid_pre",
    layer: int = 6,
    n_tokens: int = DEFAULT_TOKENS,
    seed: int = 0,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ActivationSet:
    """The cached activations for this model/site/layer/corpus, collecting them if missing."""
    from safetensors.torch import load_file, save_file

    check_layer(model, layer)
    try:
        path: Path | None = cache_path(model, model_name, site, layer, n_tokens, seed)
    except OSError:  # no usable cache directory (a read-only home): collect, keep nothing
        path = None
    if path is not None and path.is_file():
        try:
            data = load_file(str(path))
            return ActivationSet(
                acts=data["acts"].float(),
                tokens=data["tokens"].long(),
                positions=data["positions"].long(),
                hook_name=hook_name(site, layer),
                layer=layer,
                site=site,
                path=path,
            )
        except Exception:  # a truncated or damaged cache is regenerated, never fatal
            path.unlink(missing_ok=True)
    rows = corpus_rows(model, n_tokens, seed=seed)
    result = collect_activations(
        model, rows, site, layer, on_progress=on_progress, should_stop=should_stop
    )
    result.acts = result.acts.half().float()  # the same values a later cache hit returns
    if path is None:
        return result
    tmp = path.with_suffix(".tmp")
    try:
        save_file(
            {
                "acts": result.acts.half(),
                "tokens": result.tokens.int(),
                "positions": result.positions.int(),
            },
            str(tmp),
            metadata={"model": model_name, "hook_name": result.hook_name, "seed": str(seed)},
        )
        tmp.replace(path)
    except OSError:  # a full or read-only disk costs the cache, not the run
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return result
    result.path = path
    return result
