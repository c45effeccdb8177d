"""Suffix runs for position patches: compute only the positions at and after the patch.

Attention is causal, so a patch at position ``p`` leaves every position before ``p``
exactly as in the corrupted run, at every layer. A patched row therefore only needs the
positions ``p..end``; its attention reads the corrupted run's keys and values for the
positions before ``p``. Cells are grouped by their first patched position so each batch is
rectangular, and rows still join at their first patched layer.

The blocks are driven from their raw GPT-2 weights (LayerNorm, fused QKV, Conv1D), so this
only applies to GPT-2-style models; ``SuffixModel.build`` returns None for anything else and
the caller checks the result against the corrupted run before trusting it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from tutor.labs.patching.engine import Cell, PreparedRuns

_KIND_OF = {"resid": "resid", "attn": "attn", "mlp": "mlp"}


def _raw(module: Any) -> Any:
    while hasattr(module, "original_component"):
        module = module.original_component
    return module


@dataclass
class _Layer:
    ln1: tuple[Any, Any, float]
    qkv: tuple[Any, Any]
    proj: tuple[Any, Any]
    ln2: tuple[Any, Any, float]
    fc: tuple[Any, Any]
    out: tuple[Any, Any]
    act: Any


def _linear(module: Any) -> tuple[Any, Any]:
    """(weight [in, out], bias) of a Conv1D or nn.Linear."""
    import torch

    raw = _raw(module)
    if type(raw).__name__ == "Conv1D":
        weight = raw.weight.detach()
    elif isinstance(raw, torch.nn.Linear):
        weight = raw.weight.detach().T
    else:
        raise TypeError("not a linear layer")
    if raw.bias is None:
        raise TypeError("no bias")
    return weight.contiguous(), raw.bias.detach()


def _fused_qkv(attn: Any) -> tuple[Any, Any]:
    import torch

    parts = [_linear(getattr(attn, name)) for name in ("q", "k", "v")]
    return torch.cat([w for w, _ in parts], 1), torch.cat([b for _, b in parts])


def _ln(module: Any) -> tuple[Any, Any, float]:
    import torch

    ln = _raw(module)
    if not isinstance(ln, torch.nn.LayerNorm):
        raise TypeError("not a LayerNorm")
    return ln.weight.detach(), ln.bias.detach(), float(ln.eps)


class SuffixModel:
    """A GPT-2 stack run on position suffixes, with the corrupted run's keys and values."""

    def __init__(self, prep: PreparedRuns, layers: list[_Layer]) -> None:
        import torch

        self.prep = prep
        self.layers = layers
        cfg = prep.model.cfg
        self.n_heads = int(cfg.n_heads)
        self.d_model = int(cfg.d_model)
        self.d_head = self.d_model // self.n_heads
        self.scale = 1.0 / math.sqrt(self.d_head)
        # Corrupted keys/values per layer: [samples, heads, pos, d_head].
        self.kv: list[tuple[torch.Tensor, torch.Tensor]] = []
        with torch.no_grad():
            for ly, layer in enumerate(layers):
                resid = prep.corrupted_cache[f"blocks.{ly}.hook_resid_pre"]
                _, k, v = self._qkv(layer, resid)
                self.kv.append((k, v))

    @classmethod
    def build(cls, prep: PreparedRuns) -> SuffixModel | None:
        """The suffix runner for ``prep``'s model, or None when its blocks are not GPT-2's."""
        try:
            layers = []
            for block in prep.model.blocks:
                # The bridge's own components: they hold the processed (folded) weights.
                hf = _raw(block)
                if getattr(hf.attn, "scale_attn_by_inverse_layer_idx", False) or not getattr(
                    hf.attn, "scale_attn_weights", True
                ):
                    return None
                act = _raw(hf.mlp).act
                if type(act).__name__ not in ("NewGELUActivation", "GELUActivation"):
                    return None
                layers.append(
                    _Layer(
                        _ln(block.ln1),
                        _fused_qkv(block.attn),
                        _linear(block.attn.o),
                        _ln(block.ln2),
                        _linear(getattr(block.mlp, "in")),
                        _linear(block.mlp.out),
                        act,
                    )
                )
            return cls(prep, layers)
        except (AttributeError, TypeError, KeyError):
            return None

    def _qkv(self, layer: _Layer, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        import torch

        w, b, eps = layer.ln1
        h = torch.nn.functional.layer_norm(x, (self.d_model,), w, b, eps)
        qkv = torch.addmm(layer.qkv[1], h.reshape(-1, self.d_model), layer.qkv[0])
        batch, t = x.shape[0], x.shape[1]
        qkv = qkv.view(batch, t, 3, self.n_heads, self.d_head).permute(2, 0, 3, 1, 4)
        return qkv[0], qkv[1], qkv[2]

    def block(self, ly: int, x: torch.Tensor, start: int, patches: dict[str, Any]) -> torch.Tensor:
        """One block on positions ``start..`` of ``x`` ([rows, t, d]); patches by kind."""
        import torch

        layer = self.layers[ly]
        batch, t, d = x.shape
        if "resid" in patches:
            x = x.clone()
            rows, pos, values = patches["resid"]
            x[rows, pos] = values
        q, k, v = self._qkv(layer, x)
        if start:
            ck, cv = self.kv[ly]
            reps = batch // ck.shape[0]
            k = torch.cat([ck[:, :, :start].repeat(reps, 1, 1, 1), k], dim=2)
            v = torch.cat([cv[:, :, :start].repeat(reps, 1, 1, 1), v], dim=2)
        scores = (q @ k.transpose(-1, -2)) * self.scale
        qi = torch.arange(t, device=x.device).unsqueeze(1) + start
        kj = torch.arange(start + t, device=x.device).unsqueeze(0)
        scores = scores.masked_fill(kj > qi, torch.finfo(scores.dtype).min)
        z = scores.softmax(-1) @ v  # [rows, heads, t, d_head]
        z = z.transpose(1, 2).reshape(batch * t, d)
        attn_out = torch.addmm(layer.proj[1], z, layer.proj[0]).view(batch, t, d)
        if "attn" in patches:
            rows, pos, values = patches["attn"]
            attn_out[rows, pos] = values
        x = x + attn_out
        w, b, eps = layer.ln2
        h = torch.nn.functional.layer_norm(x, (d,), w, b, eps).reshape(-1, d)
        h = layer.act(torch.addmm(layer.fc[1], h, layer.fc[0]))
        mlp_out = torch.addmm(layer.out[1], h, layer.out[0]).view(batch, t, d)
        if "mlp" in patches:
            rows, pos, values = patches["mlp"]
            mlp_out[rows, pos] = values
        return x + mlp_out

    def run(self, cells: list[Cell], start: int) -> torch.Tensor:
        """Last-position logits [len(cells) * samples, vocab] for cells patching from ``start``."""
        import torch

        prep = self.prep
        n = prep.samples
        device = prep.tokens.device
        order = sorted(range(len(cells)), key=lambda i: cells[i].start)
        base_of = {i: rank * n for rank, i in enumerate(order)}
        # patches[layer][kind] = (rows, suffix positions, clean values)
        lists: dict[int, dict[str, tuple[list[int], list[int], list[int]]]] = {}
        for i, cell in enumerate(cells):
            for ly in cell.layers:
                entry = lists.setdefault(ly, {}).setdefault(_KIND_OF[cell.kind], ([], [], []))
                for p in cell.positions:
                    entry[0].extend(range(base_of[i], base_of[i] + n))
                    entry[1].extend([p - start] * n)
                    entry[2].extend([p] * n)
        patches: dict[int, dict[str, Any]] = {}
        hook_name = {"resid": "hook_resid_pre", "attn": "hook_attn_out", "mlp": "hook_mlp_out"}
        for ly, kinds in lists.items():
            patches[ly] = {}
            for kind, (rows, pos, absolute) in kinds.items():
                clean = prep.clean_cache[f"blocks.{ly}.{hook_name[kind]}"][0]
                index = torch.tensor(absolute, dtype=torch.long, device=device)
                patches[ly][kind] = (
                    torch.tensor(rows, dtype=torch.long, device=device),
                    torch.tensor(pos, dtype=torch.long, device=device),
                    clean[index],
                )
        from tutor.labs.patching.engine import cells_joining_at

        first = cells[order[0]].start
        joining = cells_joining_at(cells)
        x: torch.Tensor | None = None
        for ly in range(first, prep.n_layers):
            if count := joining.get(ly, 0):
                resid = prep.corrupted_cache[f"blocks.{ly}.hook_resid_pre"][:, start:]
                new = resid.repeat(count, 1, 1)
                x = new if x is None else torch.cat([x, new])
            assert x is not None
            x = self.block(ly, x, start, patches.get(ly, {}))
        assert x is not None
        model = prep.model
        logits = model.unembed(model.ln_final(x[:, -1:]))[:, -1]
        index = torch.cat([torch.arange(base_of[i], base_of[i] + n) for i in range(len(cells))])
        return logits[index.to(logits.device)]


def suffix_start(cell: Cell) -> int | None:
    """The first position a cell patches, or None when it is not a position patch."""
    if cell.kind not in _KIND_OF or not cell.positions:
        return None
    return min(cell.positions)
