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

Groups with different start positions run together (``run_parts``): every per-token step
(LayerNorm, the QKV, output, and MLP matrices) takes all groups' rows in one matrix product,
and only attention, which needs each group's own prefix of cached keys, runs per group. On
a CPU a product of a few rows against a 768 × 3072 matrix is bound by reading the matrix
(at 8 rows torch reaches about a third of its peak FLOP/s, at 64 rows over 80%), so one
product over every group instead of one per group is what keeps a sweep near peak.

The blocks are driven from the bridge's own (processed) weights as ``blocks.Stack``: GPT-2
and Llama-style models (rotary positions are applied to the suffix's queries and keys at
their absolute positions; the cached keys are stored rotated). ``SuffixModel.build``
returns None for any other model, and ``engine.suffix_runner`` checks the runner against
the corrupted run's cached logits before trusting it. No tensor is created on a fixed device:
everything follows the cache's device.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tutor.labs.patching.blocks import Stack, rotate, stack_of

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
    """A transformer stack (``blocks.Stack``) run on position suffixes, with the corrupted
    run's keys and values for the positions before."""

    def __init__(self, prep: PreparedRuns, stack: Stack, kv: list[Any] | None = None):
        import torch

        self.prep = prep
        self.stack = stack
        self.layers = stack.layers
        self.d_model = int(prep.model.cfg.d_model)
        self.cos_sin = None
        if stack.rotary is not None:
            device = prep.tokens.device
            self.cos_sin = stack.rotary(torch.arange(prep.n_pos, device=device))
        # Corrupted keys/values per layer: [samples, kv heads, pos, d_head] (keys rotated).
        if kv is None:
            kv = []
            with torch.no_grad():
                for ly, layer in enumerate(self.layers):
                    resid = prep.corrupted_cache[f"blocks.{ly}.hook_resid_pre"]
                    batch, t = resid.shape[0], resid.shape[1]
                    h = layer.norm1(resid.reshape(-1, self.d_model))
                    _, k, v = stack.split_qkv(layer.qkv(h), batch, t)
                    kv.append((self._rotated(k, 0), v))
        self.kv = kv

    @classmethod
    def build(cls, prep: PreparedRuns) -> SuffixModel | None:
        """The suffix runner for ``prep``'s model, or None when its blocks are not ones
        ``blocks.stack_of`` knows."""
        stack = stack_of(prep.model)
        return None if stack is None else cls(prep, stack)

    def for_samples(self, sub: PreparedRuns, lo: int, hi: int) -> SuffixModel:
        """This runner on noise samples ``lo:hi`` (``sub`` is ``prep.sample_slice(lo, hi)``)."""
        return SuffixModel(sub, self.stack, [(k[lo:hi], v[lo:hi]) for k, v in self.kv])

    def _rotated(self, x: Any, start: int) -> Any:
        """Queries or keys ([.., t, d_head]) at positions ``start``… with rotary applied."""
        if self.cos_sin is None:
            return x
        cos, sin = self.cos_sin
        t = x.shape[-2]
        return rotate(x, cos[start : start + t], sin[start : start + t])

    def attention(self, ly: int, parts: list[tuple[torch.Tensor, int, bool]]) -> list[Any]:
        """Attention output of block ``ly`` for each suffix ``x`` ([rows, t, d]) at its
        ``start``, cut to the last position where ``last_only``; one QKV and one output
        product for all parts."""

        layer = self.layers[ly]
        d = self.d_model
        qkv = layer.qkv(layer.norm1(_cat([x.reshape(-1, d) for x, _, _ in parts])))
        zs, shapes, offset = [], [], 0
        for x, start, last_only in parts:
            batch, t = x.shape[0], x.shape[1]
            q, k, v = self.stack.split_qkv(qkv[offset : offset + batch * t], batch, t)
            offset += batch * t
            q, k = self._rotated(q, start), self._rotated(k, start)
            z = self._attend(ly, q, k, v, start, last_only)
            shapes.append((batch, z.shape[2]))
            zs.append(z.transpose(1, 2).reshape(-1, z.shape[1] * z.shape[3]))
        return _split(layer.proj(_cat(zs)), shapes, d)

    def _attend(self, ly: int, q: Any, k: Any, v: Any, start: int, last_only: bool) -> Any:
        """softmax(q kᵀ) v for one part, its keys and values preceded by the corrupted run's
        for the positions before ``start``; [batch, heads, t or 1, d_head]."""
        import torch

        batch, t = q.shape[0], q.shape[2]
        scale = self.stack.scale
        sdpa = torch.nn.functional.scaled_dot_product_attention
        if start:
            ck, cv = self.kv[ly]
            reps = batch // ck.shape[0]
            k = torch.cat([ck[:, :, :start].repeat(reps, 1, 1, 1), k], dim=2)
            v = torch.cat([cv[:, :, :start].repeat(reps, 1, 1, 1), v], dim=2)
        groups = self.stack.n_heads // self.stack.n_kv_heads
        if groups > 1:  # grouped key/value heads: each serves ``groups`` query heads
            k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
        if last_only:
            return sdpa(q[:, :, -1:], k, v, scale=scale)
        if start == 0:
            return sdpa(q, k, v, is_causal=True, scale=scale)
        qi = torch.arange(t, device=q.device).unsqueeze(1) + start
        kj = torch.arange(start + t, device=q.device).unsqueeze(0)
        return sdpa(q, k, v, attn_mask=kj <= qi, scale=scale)

    def mlp(self, ly: int, xs: list[torch.Tensor]) -> list[Any]:
        """Block ``ly``'s MLP output for each ``x`` ([rows, t, d]), in one product each way."""

        layer = self.layers[ly]
        d = self.d_model
        out = layer.mlp(layer.norm2(_cat([x.reshape(-1, d) for x in xs])))
        return _split(out, [(x.shape[0], x.shape[1]) for x in xs], d)

    def head_change(self, ly: int, delta_z: torch.Tensor, head: int) -> torch.Tensor:
        """What a change of head ``head``'s z ([.., d_head]) does to block ``ly``'s output."""
        dh = self.stack.d_head
        w = self.layers[ly].proj.weight[head * dh : (head + 1) * dh]
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
        return self.run_parts([(cells, start)])

    def run_parts(self, parts: list[tuple[list[Cell], int]]) -> torch.Tensor:
        """``run`` for several groups (cells, start) at once: their logits concatenated in
        the order given. Per-token steps take every group's rows in one product."""
        import torch

        prep = self.prep
        n_layers = prep.n_layers
        groups = [_Group(self, cells, start) for cells, start in parts]
        for ly in range(min(g.first_layer for g in groups), n_layers):
            last = ly == n_layers - 1
            for g in groups:
                g.join(self, ly, 0)
                g.x = g.patched(ly, 0, g.x)
            active = [g for g in groups if g.x is not None]
            if active:
                outs = self.attention(ly, [(g.x, g.start, last and g.t > 1) for g in active])
                for g, attn_out in zip(active, outs, strict=True):
                    attn_out = g.patched(ly, 1, attn_out)
                    g.x = (g.x[:, -1:] if last else g.x) + attn_out
            for g in groups:
                g.join(self, ly, 1)
                if last and g.x is not None:
                    g.x = g.x[:, -1:]
            active = [g for g in groups if g.x is not None]
            if active:
                outs = self.mlp(ly, [g.x for g in active])
                for g, mlp_out in zip(active, outs, strict=True):
                    g.x = g.x + g.patched(ly, 2, mlp_out)
            for g in groups:
                g.join(self, ly, 2)
        model = prep.model
        finals = []
        for g in groups:
            assert g.x is not None and not g.pending
            finals.append(g.x[:, -1:])
        logits = model.unembed(model.ln_final(_cat(finals)))[:, -1]
        index, offset = [], 0
        for g in groups:
            index.append(g.output_order() + offset)
            offset += g.x.shape[0]
        return logits[torch.cat(index).to(logits.device)]


class _Group:
    """One group's rows while ``SuffixModel.run_parts`` runs: cells sharing a start position.

    Rows are ordered by where they join (layer, then phase), so the batch only grows; each
    cell owns ``samples`` consecutive rows from ``base_of[cell]``."""

    def __init__(self, model: SuffixModel, cells: list[Cell], start: int) -> None:
        self.cells, self.start = cells, start
        self.t, self.samples = model.prep.n_pos - start, model.prep.samples
        self.joins = [(cell.start, _PHASE[cell.kind]) for cell in cells]
        order = sorted(range(len(cells)), key=lambda i: self.joins[i])
        self.base_of = {i: rank * self.samples for rank, i in enumerate(order)}
        self.pending = order
        self.first_layer = self.joins[order[0]][0]
        self.later = model._later_patches(cells, self.base_of, start)
        self.x: Any = None

    def join(self, model: SuffixModel, ly: int, phase: int) -> None:
        """Append the rows of the cells whose first patch is at (block ``ly``, ``phase``)."""
        import torch

        new = []
        while self.pending and self.joins[self.pending[0]] == (ly, phase):
            new.append(model._joining_rows(self.cells[self.pending.pop(0)], self.start))
        if not new:
            return
        if self.x is not None and self.x.shape[1] != new[0].shape[1]:  # x is cut to the last
            new = [r[:, -1:] for r in new]
        self.x = torch.cat([self.x, *new] if self.x is not None else new)

    def patched(self, ly: int, phase: int, act: Any) -> Any:
        """``act`` with this group's later patches at (``ly``, ``phase``) written in."""
        if act is None:
            return None
        return SuffixModel._set(self.later.get((ly, phase)), act, self.t)

    def output_order(self) -> Any:
        """Row indices that put the group's rows back in its cells' order."""
        import torch

        n = self.samples
        return torch.cat(
            [torch.arange(self.base_of[i], self.base_of[i] + n) for i in range(len(self.cells))]
        )


def _cat(tensors: list[Any]) -> Any:
    import torch

    return tensors[0] if len(tensors) == 1 else torch.cat(tensors)


def _split(flat: Any, shapes: list[tuple[int, int]], d: int) -> list[Any]:
    """Cut ``flat`` ([sum of rows × t, d]) back into one [rows, t, d] view per shape."""
    out, offset = [], 0
    for rows, t in shapes:
        out.append(flat[offset : offset + rows * t].view(rows, t, d))
        offset += rows * t
    return out


def applies(cell: Cell) -> bool:
    """Whether the suffix runner can run this cell (position patches and single heads)."""
    if cell.kind == "heads":
        return cell.head is not None and len(cell.layers) == 1
    return cell.kind in POSITION_KINDS and bool(cell.positions)
