"""Suffix runs: compute a patched row only where and when it differs from the corrupted run.

Attention is causal, so a patch whose first change is at position ``p`` leaves every
position before ``p`` exactly as in the corrupted run, at every layer. A patched row
therefore only needs the positions ``p..end``; its attention reads the corrupted run's
cached keys and values for the positions before ``p``. Cells are grouped by that first
position (``first_changed_position``) so each batch is rectangular. The same holds in
depth: a row joins the batch at the point of its first patch, built from the corrupted
run's cache:

- a residual-stream patch at layer ``l`` joins before block ``l`` (the cached stream with
  the clean values written in);
- an attention-output or head patch joins *after* block ``l``'s attention, as the cached
  stream plus the change the patch makes (clean − corrupted output, or for a head
  (clean z − corrupted z) through that head's slice of W_O), so block ``l``'s attention is
  never recomputed for it;
- an MLP-output patch joins after block ``l`` altogether.

At the last block only the last position reaches the logits, so there the queries, the MLP
and the patches are cut to that position.

The blocks are driven from the bridge's own (processed) GPT-2 weights (LayerNorm, fused
QKV, Conv1D / Linear), so this only applies to GPT-2-style models: ``SuffixModel.build``
returns None for anything else, and ``engine.suffix_runner`` checks the runner against the
corrupted run's cached logits before trusting it. No tensor is created on a fixed device:
everything follows the cache's device.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from tutor.labs.patching.engine import Cell, PreparedRuns

POSITION_KINDS = ("resid", "attn", "mlp")
_HOOK = {
    "resid": "hook_resid_pre",
    "attn": "hook_attn_out",
    "mlp": "hook_mlp_out",
    "heads": "attn.hook_z",
}
# Where in a block a patch applies: 0 before the block, 1 after attention, 2 after the MLP.
_PHASE = {"resid": 0, "attn": 1, "heads": 1, "mlp": 2}

_layers_of: weakref.WeakKeyDictionary[Any, list[_Layer] | None] = weakref.WeakKeyDictionary()


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


def _gpt2_layers(model: Any) -> list[_Layer] | None:
    """The model's blocks as GPT-2 weights (cached per model), or None if they are not."""
    if model in _layers_of:
        return _layers_of[model]
    layers: list[_Layer] | None = []
    try:
        for block in model.blocks:
            # The bridge's own components: they hold the processed (folded) weights.
            hf = _raw(block)
            if getattr(hf.attn, "scale_attn_by_inverse_layer_idx", False) or not getattr(
                hf.attn, "scale_attn_weights", True
            ):
                raise TypeError("attention scaled differently from GPT-2's default")
            act = _raw(hf.mlp).act
            if type(act).__name__ not in ("NewGELUActivation", "GELUActivation"):
                raise TypeError("not GPT-2's GELU")
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
    except (AttributeError, TypeError, KeyError):
        layers = None
    _layers_of[model] = layers
    return layers


def cell_changes(prep: PreparedRuns, cell: Cell) -> list[tuple[int, Any]]:
    """Per layer the cell covers: (layer, clean − corrupted of the patched activation), shaped
    like the cached activation ([samples, pos, d] or for a head [samples, pos, d_head])."""
    out = []
    for layer in cell.layers:
        name = f"blocks.{layer}.{_HOOK[cell.kind]}"
        clean = prep.clean_cache[name]
        corrupted = prep.corrupted_cache[name]
        if cell.head is not None:
            delta = clean[:, :, cell.head] - corrupted[:, :, cell.head]
        else:
            index = list(cell.positions)
            delta = clean.new_zeros(corrupted.shape)
            delta[:, index] = clean[:, index] - corrupted[:, index]
        out.append((layer, delta))
    return out


def first_changed_position(prep: PreparedRuns, cell: Cell) -> int | None:
    """The first position where the cell's patch changes anything (None: it changes nothing).

    Before it, the patched run equals the corrupted run at every layer (causal attention).
    Positions before ``prep.first_corrupted`` never count: there the two runs differ only
    by the rounding of different batch sizes."""
    first = None
    for _, delta in cell_changes(prep, cell):
        changed = delta.reshape(delta.shape[0], delta.shape[1], -1).ne(0).any(-1).any(0)
        changed[: prep.first_corrupted] = False
        where = changed.nonzero()
        if len(where):
            p = int(where[0, 0])
            first = p if first is None else min(first, p)
    return first


class SuffixModel:
    """A GPT-2 stack run on position suffixes, with the corrupted run's keys and values."""

    def __init__(self, prep: PreparedRuns, layers: list[_Layer], kv: list[Any] | None = None):
        import torch

        self.prep = prep
        self.layers = layers
        cfg = prep.model.cfg
        self.n_heads = int(cfg.n_heads)
        self.d_model = int(cfg.d_model)
        self.d_head = self.d_model // self.n_heads
        self.scale = 1.0 / math.sqrt(self.d_head)
        # Corrupted keys/values per layer: [samples, heads, pos, d_head].
        if kv is None:
            kv = []
            with torch.no_grad():
                for ly, layer in enumerate(layers):
                    resid = prep.corrupted_cache[f"blocks.{ly}.hook_resid_pre"]
                    _, k, v = self._qkv(layer, resid)
                    kv.append((k, v))
        self.kv = kv

    @classmethod
    def build(cls, prep: PreparedRuns) -> SuffixModel | None:
        """The suffix runner for ``prep``'s model, or None when its blocks are not GPT-2's."""
        layers = _gpt2_layers(prep.model)
        return None if layers is None else cls(prep, layers)

    def for_samples(self, sub: PreparedRuns, lo: int, hi: int) -> SuffixModel:
        """This runner on noise samples ``lo:hi`` (``sub`` is ``prep.sample_slice(lo, hi)``)."""
        return SuffixModel(sub, self.layers, [(k[lo:hi], v[lo:hi]) for k, v in self.kv])

    def _qkv(self, layer: _Layer, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        import torch

        w, b, eps = layer.ln1
        h = torch.nn.functional.layer_norm(x, (self.d_model,), w, b, eps)
        qkv = torch.addmm(layer.qkv[1], h.reshape(-1, self.d_model), layer.qkv[0])
        batch, t = x.shape[0], x.shape[1]
        qkv = qkv.view(batch, t, 3, self.n_heads, self.d_head).permute(2, 0, 3, 1, 4)
        return qkv[0], qkv[1], qkv[2]

    def attention(self, ly: int, x: torch.Tensor, start: int, last_only: bool) -> torch.Tensor:
        """Attention output of block ``ly`` for the suffix ``x`` ([rows, t, d]) at ``start``."""
        import torch

        layer = self.layers[ly]
        batch, t, d = x.shape
        q, k, v = self._qkv(layer, x)
        if start:
            ck, cv = self.kv[ly]
            reps = batch // ck.shape[0]
            k = torch.cat([ck[:, :, :start].repeat(reps, 1, 1, 1), k], dim=2)
            v = torch.cat([cv[:, :, :start].repeat(reps, 1, 1, 1), v], dim=2)
        if last_only:
            q = q[:, :, -1:]
            z = torch.nn.functional.scaled_dot_product_attention(q, k, v, scale=self.scale)
            t = 1
        elif start == 0:
            z = torch.nn.functional.scaled_dot_product_attention(
                q, k, v, is_causal=True, scale=self.scale
            )
        else:
            qi = torch.arange(t, device=x.device).unsqueeze(1) + start
            kj = torch.arange(start + t, device=x.device).unsqueeze(0)
            z = torch.nn.functional.scaled_dot_product_attention(
                q, k, v, attn_mask=kj <= qi, scale=self.scale
            )
        z = z.transpose(1, 2).reshape(batch * t, d)
        return torch.addmm(layer.proj[1], z, layer.proj[0]).view(batch, t, d)

    def mlp(self, ly: int, x: torch.Tensor) -> torch.Tensor:
        import torch

        layer = self.layers[ly]
        batch, t, d = x.shape
        w, b, eps = layer.ln2
        h = torch.nn.functional.layer_norm(x, (d,), w, b, eps).reshape(-1, d)
        h = layer.act(torch.addmm(layer.fc[1], h, layer.fc[0]))
        return torch.addmm(layer.out[1], h, layer.out[0]).view(batch, t, d)

    def head_change(self, ly: int, delta_z: torch.Tensor, head: int) -> torch.Tensor:
        """What a change of head ``head``'s z ([.., d_head]) does to block ``ly``'s output."""
        w = self.layers[ly].proj[0][head * self.d_head : (head + 1) * self.d_head]
        return delta_z @ w

    def _corrupted_stream(self, ly: int, phase: int, start: int) -> torch.Tensor:
        """The corrupted residual stream [samples, t, d] at (block ``ly``, ``phase``)."""
        cache = self.prep.corrupted_cache
        if phase == 2 and ly + 1 < self.prep.n_layers:
            return cache[f"blocks.{ly + 1}.hook_resid_pre"][:, start:]
        x = cache[f"blocks.{ly}.hook_resid_pre"][:, start:]
        if phase >= 1:
            x = x + cache[f"blocks.{ly}.hook_attn_out"][:, start:]
        if phase == 2:
            x = x + cache[f"blocks.{ly}.hook_mlp_out"][:, start:]
        return x

    def _joining_rows(self, cell: Cell, start: int) -> torch.Tensor:
        """A cell's rows [samples, t, d] at its first patch, that patch applied."""
        ly = cell.start
        x = self._corrupted_stream(ly, _PHASE[cell.kind], start)
        changes = dict(cell_changes(self.prep, cell))
        delta = changes[ly][:, start:]
        if cell.head is not None:
            delta = self.head_change(ly, delta, cell.head)
        return x + delta.to(x.dtype)

    def _later_patches(
        self, cells: list[Cell], base_of: dict[int, int], start: int
    ) -> dict[tuple[int, int], tuple[Any, Any, Any]]:
        """Patches after a row's first one (windowed cells, patch-everything): per (layer,
        phase), the rows, their suffix positions and the clean values to write there."""
        import torch

        n = self.prep.samples
        lists: dict[tuple[int, int], tuple[list[int], list[int], list[int]]] = {}
        for i, cell in enumerate(cells):
            for ly in cell.layers[1:] if len(cell.layers) > 1 else ():
                entry = lists.setdefault((ly, _PHASE[cell.kind]), ([], [], []))
                for p in cell.positions:
                    if p < start:  # before the suffix: unchanged (see first_changed_position)
                        continue
                    entry[0].extend(range(base_of[i], base_of[i] + n))
                    entry[1].extend([p - start] * n)
                    entry[2].extend([p] * n)
        device = self.prep.tokens.device
        out = {}
        for (ly, phase), (rows, pos, absolute) in lists.items():
            kind = next(k for k, ph in _PHASE.items() if ph == phase and k != "heads")
            clean = self.prep.clean_cache[f"blocks.{ly}.{_HOOK[kind]}"][0]
            out[(ly, phase)] = (
                torch.tensor(rows, dtype=torch.long, device=device),
                torch.tensor(pos, dtype=torch.long, device=device),
                clean[torch.tensor(absolute, dtype=torch.long, device=device)],
            )
        return out

    @staticmethod
    def _set(patch: tuple[Any, Any, Any] | None, act: torch.Tensor, t: int) -> torch.Tensor:
        """``act`` with a later patch's clean values written in (``act`` may be cut to the
        last position, where only patches of the last position still matter)."""
        if patch is None:
            return act
        rows, pos, values = patch
        if act.shape[1] != t:
            keep = pos == t - 1
            rows, pos, values = rows[keep], pos[keep] - (t - 1), values[keep]
        act = act.clone()
        act[rows, pos] = values.to(act.dtype)
        return act

    def run(self, cells: list[Cell], start: int) -> torch.Tensor:
        """Last-position logits [len(cells) * samples, vocab] for cells whose patches change
        nothing before position ``start``."""
        import torch

        prep = self.prep
        n = prep.samples
        n_layers = prep.n_layers
        t = prep.n_pos - start
        joins = [(cell.start, _PHASE[cell.kind]) for cell in cells]
        order = sorted(range(len(cells)), key=lambda i: joins[i])
        base_of = {i: rank * n for rank, i in enumerate(order)}
        later = self._later_patches(cells, base_of, start)
        pending = list(order)
        x: torch.Tensor | None = None

        def join(ly: int, phase: int, x: torch.Tensor | None) -> torch.Tensor | None:
            new = []
            while pending and joins[pending[0]] == (ly, phase):
                new.append(self._joining_rows(cells[pending.pop(0)], start))
            if not new:
                return x
            if x is not None and x.shape[1] != new[0].shape[1]:  # x is cut to the last
                new = [r[:, -1:] for r in new]
            return torch.cat([x, *new] if x is not None else new)

        for ly in range(joins[order[0]][0], n_layers):
            last = ly == n_layers - 1
            x = join(ly, 0, x)
            if x is not None:
                x = self._set(later.get((ly, 0)), x, t)
                attn_out = self.attention(ly, x, start, last and t > 1)
                attn_out = self._set(later.get((ly, 1)), attn_out, t)
                x = (x[:, -1:] if last else x) + attn_out
            x = join(ly, 1, x)
            if x is not None:
                if last:
                    x = x[:, -1:]
                x = x + self._set(later.get((ly, 2)), self.mlp(ly, x), t)
            x = join(ly, 2, x)
        assert x is not None and not pending
        model = prep.model
        logits = model.unembed(model.ln_final(x[:, -1:]))[:, -1]
        index = torch.cat([torch.arange(base_of[i], base_of[i] + n) for i in range(len(cells))])
        return logits[index.to(logits.device)]


def applies(cell: Cell) -> bool:
    """Whether the suffix runner can run this cell (position patches and single heads)."""
    if cell.kind == "heads":
        return cell.head is not None and len(cell.layers) == 1
    return cell.kind in POSITION_KINDS and bool(cell.positions)
