"""Activation patching: run clean and corrupted, patch clean activations back, measure recovery.

The engine batches patches: every cell of a sweep (a layer × position, or a head) becomes a
group of rows in one batch, and a row only joins the batch at the first layer it changes
("resume from the patched layer"): it starts from the corrupted run's cached residual
stream there, so the layers before are never recomputed. Only the last position is
unembedded, and a patch that changes nothing (clean and corrupted activations identical,
e.g. at tokens before a noised subject) is not run at all: its result is the corrupted run.
Position patches on GPT-2-style models go further (``patching_suffix``): causal attention
leaves the positions before a patch as in the corrupted run, so a row computes only the
positions from its patch on, reading the corrupted keys and values for the rest. The numbers equal TransformerLens's ``patching.get_act_patch_*`` (tests check
this to 1e-4); ``benchmarks/patching.py`` measures the speed-up.

If a model's blocks cannot be called one by one (the resumed run does not reproduce the
corrupted logits), the engine falls back to batched full forward passes with hooks.

Every sweep takes a ``check`` callable, called between layers and batches: a replaced or
abandoned run raises there (``RunCancelled``) and stops. Hooks are only ever added with
``model.hooks(...)`` / ``run_with_hooks``, which remove them on the way out, so a stopped
run leaves nothing on the shared model.
"""

from __future__ import annotations

import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from tutor.labs.patching.corruption import (
    Corruption,
    CounterfactualCorruption,
    NoiseCorruption,
    PatchingInputError,
    check_same_length,
    embed_noise_hook,
    embedding_std,
    find_subject,
    noise_tensor,
    single_token,
    tokenize_prompt,
)
from tutor.labs.patching.metrics import metric_values, normalised_recovery
from tutor.labs.patching.result import PatchResult

if TYPE_CHECKING:
    import torch
    from transformer_lens.model_bridge import TransformerBridge

SWEEPS = ("resid", "attn", "mlp", "heads")
_HOOK = {
    "resid": "blocks.{}.hook_resid_pre",
    "attn": "blocks.{}.hook_attn_out",
    "mlp": "blocks.{}.hook_mlp_out",
    "heads": "blocks.{}.attn.hook_z",
}
Progress = Callable[[float], None]
Check = Callable[[], None]  # raises (e.g. ``RunCancelled``) to stop a sweep between batches


def _noop_check() -> None:
    return None


DEFAULT_MEMORY_MB = 512  # a sweep's batch is chunked to stay about this size
STRATEGIES = ("auto", "suffix", "resume", "full")
# Per model: whether its blocks called one by one reproduce its forward pass, and whether the
# suffix runner's GPT-2 blocks do (checked once, against the corrupted run's logits).
_resume_ok: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()
_suffix_ok: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Experiment:
    """What the learner asks: a prompt, how to corrupt it, the answer (and a wrong one)."""

    prompt: str = "The Eiffel Tower is in"
    answer: str = "Paris"
    wrong: str | None = None
    corruption: Corruption = field(default_factory=NoiseCorruption)
    metric: str | None = None  # default: logit_diff with a wrong answer, else prob

    @property
    def metric_name(self) -> str:
        return self.metric or ("logit_diff" if self.wrong else "prob")


@dataclass(frozen=True)
class Cell:
    """One patch: the activation kind, the layers it covers, the positions or the head."""

    kind: str
    layers: tuple[int, ...]
    positions: tuple[int, ...] = ()
    head: int | None = None

    @property
    def start(self) -> int:
        return min(self.layers)


@dataclass
class PreparedRuns:
    """Clean and corrupted runs of one experiment, with the caches a sweep patches from."""

    model: Any
    experiment: Experiment
    model_name: str
    tokens: Any  # [1, pos]
    str_tokens: list[str]
    corrupted_tokens: Any  # [samples, pos]
    noise: Any  # [samples, pos, d_model] or None
    subject: tuple[int, int] | None
    answer_id: int
    wrong_id: int | None
    clean_cache: dict[str, Any]
    corrupted_cache: dict[str, Any]
    clean_value: float
    corrupted_value: float
    clean_prob: float
    corrupted_prob: float
    clean_top: list[tuple[str, float]]
    corrupted_top: list[tuple[str, float]]
    corrupted_logits: Any = None  # [samples, vocab] at the last position
    suffix_runner: Any = None  # a SuffixModel once checked; False when it does not apply

    @property
    def n_layers(self) -> int:
        return int(self.model.cfg.n_layers)

    @property
    def n_pos(self) -> int:
        return int(self.tokens.shape[-1])

    @property
    def samples(self) -> int:
        return int(self.corrupted_tokens.shape[0])

    @property
    def metric(self) -> str:
        return self.experiment.metric_name

    def fwd_hooks(self) -> list[tuple[str, Any]]:
        """Hooks that turn a forward pass on ``corrupted_tokens`` into the corrupted run."""
        return [] if self.noise is None else [("hook_embed", embed_noise_hook(self.noise))]

    def last_subject_position(self) -> int | None:
        return None if self.subject is None else self.subject[1] - 1

    @property
    def first_corrupted(self) -> int:
        """The first position the corruption touches (the noised subject's first token, or
        the first token where the counterfactual differs). Before it the clean and corrupted
        runs are the same computation, so a patch there changes nothing: any difference in
        the caches is float rounding of different batch sizes."""
        if self.noise is not None:
            return self.subject[0] if self.subject is not None else 0
        differ = (self.corrupted_tokens != self.tokens).any(0).nonzero()
        return int(differ[0, 0]) if len(differ) else self.n_pos

    def sample_slice(self, lo: int, hi: int) -> PreparedRuns:
        """These runs restricted to noise samples ``lo:hi`` (views, no copies): a sweep
        whose batch would not fit its memory budget runs a slice at a time."""
        if (lo, hi) == (0, self.samples):
            return self
        return replace(
            self,
            corrupted_tokens=self.corrupted_tokens[lo:hi],
            noise=None if self.noise is None else self.noise[lo:hi],
            corrupted_cache={k: v[lo:hi] for k, v in self.corrupted_cache.items()},
            corrupted_logits=self.corrupted_logits[lo:hi],
            suffix_runner=None,
        )


def _cache_filter(name: str) -> bool:
    return name.endswith(("hook_resid_pre", "hook_attn_out", "hook_mlp_out", "attn.hook_z"))


def _top_tokens(model: Any, probs: torch.Tensor, k: int = 5) -> list[tuple[str, float]]:
    values, ids = probs.topk(min(k, probs.shape[-1]))
    names = model.tokenizer.convert_ids_to_tokens(ids.tolist())
    return [(str(n), float(v)) for n, v in zip(names, values.tolist(), strict=True)]


def prepare(model: TransformerBridge, experiment: Experiment, model_name: str = "") -> PreparedRuns:
    """Tokenise and check the experiment, run clean and corrupted, cache their activations."""
    import torch

    if experiment.metric_name not in ("logit_diff", "prob"):
        raise PatchingInputError("metric", f"unknown metric {experiment.metric_name!r}")
    tokens = tokenize_prompt(model, experiment.prompt, "prompt")
    str_tokens = [str(t) for t in model.to_str_tokens(tokens[0])]
    answer_id = single_token(model, experiment.answer, "answer")
    wrong_id = None if experiment.wrong is None else single_token(model, experiment.wrong, "wrong")
    if wrong_id is not None and wrong_id == answer_id:
        raise PatchingInputError("wrong", "the wrong answer is the same token as the answer")
    corruption = experiment.corruption
    noise = None
    subject = find_subject(str_tokens)
    if isinstance(corruption, CounterfactualCorruption):
        corrupted_tokens = tokenize_prompt(model, corruption.prompt, "corrupt")
        check_same_length(model, tokens, corrupted_tokens, corruption.prompt)
        if bool((corrupted_tokens == tokens).all()):
            raise PatchingInputError("corrupt", "the corrupted prompt is the same as the prompt")
    else:
        if corruption.samples < 1:
            raise PatchingInputError("samples", "need at least one noise sample")
        if corruption.scale < 0:
            raise PatchingInputError("noise", "the noise scale must not be negative")
        span = corruption.subject or subject
        if span is None:
            raise PatchingInputError(
                "prompt", "found no subject to add noise to (name a landmark, city or person)"
            )
        if not (0 < span[0] < span[1] <= tokens.shape[-1]):
            raise PatchingInputError("subject", f"token range {span} is outside the prompt")
        subject = span
        noise = noise_tensor(
            corruption, tokens.shape[-1], int(model.cfg.d_model), span, embedding_std(model)
        )
        corrupted_tokens = tokens.repeat(corruption.samples, 1)
    device = model.cfg.device
    tokens = tokens.to(device)
    corrupted_tokens = corrupted_tokens.to(device)
    if noise is not None:
        noise = noise.to(device)
    metric = experiment.metric_name
    with torch.no_grad():
        clean_logits, clean_cache = model.run_with_cache(tokens, names_filter=_cache_filter)
        hooks = [] if noise is None else [("hook_embed", embed_noise_hook(noise))]
        with model.hooks(fwd_hooks=hooks):
            corr_logits, corr_cache = model.run_with_cache(
                corrupted_tokens, names_filter=_cache_filter
            )
    clean_probs = clean_logits[:, -1].float().softmax(-1)
    corr_probs = corr_logits[:, -1].float().softmax(-1).mean(0, keepdim=True)
    return PreparedRuns(
        model=model,
        experiment=experiment,
        model_name=model_name,
        tokens=tokens,
        str_tokens=str_tokens,
        corrupted_tokens=corrupted_tokens,
        noise=noise,
        subject=subject,
        answer_id=answer_id,
        wrong_id=wrong_id,
        clean_cache={k: v.detach() for k, v in clean_cache.items()},
        corrupted_cache={k: v.detach() for k, v in corr_cache.items()},
        clean_value=float(metric_values(clean_logits, metric, answer_id, wrong_id).mean()),
        corrupted_value=float(metric_values(corr_logits, metric, answer_id, wrong_id).mean()),
        clean_prob=float(clean_probs[0, answer_id]),
        corrupted_prob=float(corr_probs[0, answer_id]),
        clean_top=_top_tokens(model, clean_probs[0]),
        corrupted_top=_top_tokens(model, corr_probs[0]),
        corrupted_logits=corr_logits[:, -1].detach(),
    )


def window_layers(layer: int, window: int, n_layers: int) -> tuple[int, ...]:
    """ROME's window: ``window`` consecutive layers centred on ``layer``, clipped to the model."""
    if window < 1:
        raise PatchingInputError("window", "the window must be at least one layer")
    lo = max(0, layer - window // 2)
    hi = min(n_layers, layer - window // 2 + window)
    return tuple(range(lo, hi))


def sweep_cells(
    prep: PreparedRuns, sweep: str, positions: Sequence[int] | None = None, window: int = 1
) -> list[Cell]:
    """The cells of a sweep, layer-major (one row per layer, one column per position/head)."""
    if sweep not in SWEEPS:
        raise PatchingInputError("sweep", f"unknown sweep {sweep!r} (known: {', '.join(SWEEPS)})")
    n_layers = prep.n_layers
    if sweep == "heads":
        n_heads = int(prep.model.cfg.n_heads)
        return [Cell("heads", (ly,), (), h) for ly in range(n_layers) for h in range(n_heads)]
    cols = list(range(prep.n_pos)) if positions is None else list(positions)
    for p in cols:
        if not 0 <= p < prep.n_pos:
            raise PatchingInputError("position", f"{p} is outside the prompt (0..{prep.n_pos - 1})")
    if sweep == "resid":
        return [Cell("resid", (ly,), (p,)) for ly in range(n_layers) for p in cols]
    return [
        Cell(sweep, window_layers(ly, window, n_layers), (p,))
        for ly in range(n_layers)
        for p in cols
    ]


def _hook_for(prep: PreparedRuns, name: str, entries: list[tuple[int, Cell]]) -> Any:
    """One forward hook for ``name`` applying every cell's patch to that cell's rows."""
    import torch

    n = prep.samples
    clean = prep.clean_cache[name][0]
    head_rows: list[int] = []
    heads: list[int] = []
    pos_rows: list[int] = []
    pos: list[int] = []
    for base, cell in entries:
        rows = range(base, base + n)
        if cell.head is not None:
            head_rows += rows
            heads += [cell.head] * n
        else:
            for p in cell.positions:
                pos_rows += rows
                pos += [p] * n
    device = clean.device
    head_r = torch.tensor(head_rows, dtype=torch.long, device=device)
    head_i = torch.tensor(heads, dtype=torch.long, device=device)
    pos_r = torch.tensor(pos_rows, dtype=torch.long, device=device)
    pos_i = torch.tensor(pos, dtype=torch.long, device=device)
    clean_by_head = clean.transpose(0, 1) if clean.ndim == 3 else None  # [head, pos, d_head]

    def hook(act: torch.Tensor, hook: Any) -> torch.Tensor:
        act = act.clone()
        if len(pos_rows):
            act[pos_r, pos_i] = clean[pos_i].to(act.dtype)
        if len(head_rows):
            act[head_r, :, head_i] = clean_by_head[head_i].to(act.dtype)
        return act

    return hook


def _block_output(out: Any) -> torch.Tensor:
    return out[0] if isinstance(out, tuple) else out


def _final_logits(model: Any, resid: torch.Tensor) -> torch.Tensor:
    return model.unembed(model.ln_final(resid[:, -1:]))[:, -1]


def cells_joining_at(cells: Sequence[Cell]) -> Counter[int]:
    """How many patched rows join the batch at each layer (each row starts at its first
    patched layer; rows are appended in start order)."""
    return Counter(cell.start for cell in cells)


def _cell_hooks(prep: PreparedRuns, cells: list[Cell], first_rows: list[int]) -> list[Any]:
    """One forward hook per hooked activation, patching each cell's rows (cell ``i``'s rows
    start at ``first_rows[i]``): shared by the resumed and the full-forward runners."""
    per_hook: dict[str, list[tuple[int, Cell]]] = {}
    for row, cell in zip(first_rows, cells, strict=True):
        for layer in cell.layers:
            per_hook.setdefault(_HOOK[cell.kind].format(layer), []).append((row, cell))
    return [(name, _hook_for(prep, name, entries)) for name, entries in per_hook.items()]


def _run_chunk_resumed(
    prep: PreparedRuns,
    cells: list[Cell],
    progress: Progress | None = None,
    check: Check = _noop_check,
) -> torch.Tensor:
    """Logits [len(cells) * samples, vocab]; each cell's rows join at its first patched layer."""
    import torch

    model = prep.model
    n = prep.samples
    order = sorted(range(len(cells)), key=lambda i: cells[i].start)
    base_of = {i: rank * n for rank, i in enumerate(order)}
    hooks = _cell_hooks(prep, cells, [base_of[i] for i in range(len(cells))])
    first = cells[order[0]].start
    joining = cells_joining_at(cells)
    resid: torch.Tensor | None = None
    with model.hooks(fwd_hooks=hooks):
        for layer in range(first, prep.n_layers):
            if count := joining.get(layer, 0):
                start = prep.corrupted_cache[f"blocks.{layer}.hook_resid_pre"]
                new = start.repeat(count, 1, 1)
                resid = new if resid is None else torch.cat([resid, new])
            assert resid is not None
            check()
            resid = _block_output(model.blocks[layer](resid))
            if progress is not None:
                progress((layer - first + 1) / (prep.n_layers - first))
    assert resid is not None
    logits = _final_logits(model, resid)
    # Rows were appended in start order; put them back in cell order.
    index = torch.cat([torch.arange(base_of[i], base_of[i] + n) for i in range(len(cells))])
    return logits[index.to(logits.device)]


def _run_chunk_full(
    prep: PreparedRuns,
    cells: list[Cell],
    progress: Progress | None = None,
    check: Check = _noop_check,
) -> torch.Tensor:
    """Fallback: one batched full forward pass with every cell's hooks."""
    model = prep.model
    n = prep.samples
    hooks = _cell_hooks(prep, cells, [i * n for i in range(len(cells))])
    tokens = prep.corrupted_tokens.repeat(len(cells), 1)
    check()
    logits = model.run_with_hooks(tokens, fwd_hooks=prep.fwd_hooks() + hooks)
    if progress is not None:
        progress(1.0)
    return logits[:, -1]


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    import torch

    return bool(torch.allclose(a.float(), b.float(), atol=1e-4, rtol=1e-4))


def can_resume(prep: PreparedRuns) -> bool:
    """Whether calling the model's blocks one by one reproduces its forward pass: the
    unpatched resumed run must give the corrupted run's cached logits (checked once per model).
    """
    import warnings

    import torch

    model = prep.model
    if model not in _resume_ok:
        try:
            # A rotary model's blocks warn when called without position inputs: that is the
            # very failure this check detects.
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                resumed = _run_chunk_resumed(prep, [Cell("resid", (0,), ())])
            _resume_ok[model] = _close(resumed, prep.corrupted_logits)
        except Exception:
            _resume_ok[model] = False
    return _resume_ok[model]


def suffix_runner(prep: PreparedRuns) -> Any:
    """The suffix runner for ``prep`` (see ``suffix.py``), or None when it does not apply.

    The check is cheap: the runner, unpatched, from the first position and from the last
    (reading cached keys and values), must give the corrupted run's cached logits. Its
    verdict is kept per model; the runner itself (the corrupted keys and values) per ``prep``.
    """
    import torch

    from tutor.labs.patching.suffix import SuffixModel

    if prep.suffix_runner is None:
        prep.suffix_runner = False
        model = prep.model
        if _suffix_ok.get(model, True):
            runner = SuffixModel.build(prep)
            if runner is not None and model not in _suffix_ok:
                try:
                    with torch.no_grad():
                        unpatched = Cell("resid", (0,), ())
                        ok = all(
                            _close(runner.run([unpatched], start), prep.corrupted_logits)
                            for start in {0, prep.n_pos - 1}
                        )
                except Exception:
                    ok = False
                _suffix_ok[model] = ok
            if runner is not None and _suffix_ok.get(model, False):
                prep.suffix_runner = runner
    return prep.suffix_runner or None


def is_noop(prep: PreparedRuns, cell: Cell) -> bool:
    """Whether a patch copies values the corrupted run already has (so it changes nothing)."""
    if cell.positions and max(cell.positions) < prep.first_corrupted:
        return True
    for layer in cell.layers:
        name = _HOOK[cell.kind].format(layer)
        clean = prep.clean_cache[name][0]
        corrupted = prep.corrupted_cache[name]
        if cell.head is not None:
            same = bool((corrupted[:, :, cell.head] == clean[:, cell.head]).all())
        else:
            index = list(cell.positions)
            same = bool((corrupted[:, index] == clean[index]).all())
        if not same:
            return False
    return True


def bytes_per_row(prep: PreparedRuns) -> int:
    """A generous estimate of the memory one batch row (one cell × one noise sample) takes
    while it runs: the stream, the attention and MLP activations, the logits."""
    cfg = prep.model.cfg
    t = prep.n_pos
    d = int(cfg.d_model)
    d_mlp = int(getattr(cfg, "d_mlp", 0) or 4 * d)
    heads = int(cfg.n_heads)
    vocab = int(getattr(cfg, "d_vocab", 0) or prep.corrupted_logits.shape[-1])
    return 4 * (t * (10 * d + 2 * d_mlp) + 3 * heads * t * t + 2 * vocab)


@dataclass
class _Chunk:
    """One batch of a sweep: groups of cells (each with the position it starts from), on
    noise samples ``lo:hi``."""

    parts: list[tuple[int, list[int]]]
    lo: int
    hi: int

    @property
    def cells(self) -> list[int]:
        return [i for _, idx in self.parts for i in idx]


def _plan(prep: PreparedRuns, groups: dict[int, list[int]], memory_mb: float) -> list[_Chunk]:
    """Pack the groups of cells (by start position) into batches that fit the budget: as
    many whole cells as fit, across groups, while a cell's samples fit; else one cell on a
    slice of its samples. Fewer, fuller batches keep the matrix products wide."""
    rows = max(1, int(memory_mb * 2**20) // bytes_per_row(prep))
    n = prep.samples
    if n > rows:
        return [
            _Chunk([(start, [i])], lo, min(n, lo + rows))
            for start, idx in sorted(groups.items())
            for i in idx
            for lo in range(0, n, rows)
        ]
    per = rows // n
    chunks: list[_Chunk] = []
    parts: list[tuple[int, list[int]]] = []
    room = per
    for start, idx in sorted(groups.items()):
        j = 0
        while j < len(idx):
            take = idx[j : j + room]
            parts.append((start, take))
            j += len(take)
            room -= len(take)
            if room == 0:
                chunks.append(_Chunk(parts, 0, n))
                parts, room = [], per
    if parts:
        chunks.append(_Chunk(parts, 0, n))
    return chunks


def _choose(prep: PreparedRuns, cells: list[Cell], strategy: str) -> str:
    """The path a batch of cells takes: ``suffix``, ``resume`` or ``full``."""
    from tutor.labs.patching.suffix import applies

    if strategy not in STRATEGIES:
        raise PatchingInputError(
            "strategy", f"unknown strategy {strategy!r} (known: {', '.join(STRATEGIES)})"
        )
    if strategy == "resume" and not can_resume(prep):
        raise PatchingInputError(
            "strategy",
            "'resume' does not apply to this model: calling its blocks one by one does not "
            "reproduce its forward pass (rotary or other position inputs); use 'auto' or 'full'",
        )
    if strategy in ("auto", "suffix"):
        if all(applies(c) for c in cells) and suffix_runner(prep) is not None:
            return "suffix"
        return "resume" if can_resume(prep) else "full"
    return strategy


def iter_batches(
    prep: PreparedRuns,
    cells: list[Cell],
    *,
    strategy: str = "auto",
    memory_mb: float = DEFAULT_MEMORY_MB,
    progress: Progress | None = None,
    check: Check = _noop_check,
) -> Iterator[tuple[list[int], int, int, torch.Tensor]]:
    """Run every cell; yield ``(cell indices, lo, hi, logits)`` per batch, ``logits`` being
    the last position's logits shaped [len(indices), hi - lo, vocab] for noise samples
    ``lo:hi``. Cells that change nothing are answered from the corrupted run. Batches are
    sized to ``memory_mb``; ``check()`` runs between layers and batches."""
    import torch

    from tutor.labs.patching.suffix import first_changed_position

    how = _choose(prep, cells, strategy)
    n = prep.samples
    groups: dict[int, list[int]] = {}
    noop: list[int] = []
    for i, cell in enumerate(cells):
        if how == "suffix":
            first = first_changed_position(prep, cell)
        else:
            first = None if is_noop(prep, cell) else 0
        if first is None:
            noop.append(i)
        else:
            groups.setdefault(first, []).append(i)
    if noop:
        yield noop, 0, n, prep.corrupted_logits.unsqueeze(0).expand(len(noop), -1, -1)
    chunks = _plan(prep, groups, memory_mb)
    runner = suffix_runner(prep) if how == "suffix" else None
    with torch.no_grad():
        for done, chunk in enumerate(chunks):
            check()
            sub = prep.sample_slice(chunk.lo, chunk.hi)
            batch = [cells[i] for i in chunk.cells]

            def part(f: float, done: int = done) -> None:
                if progress is not None:
                    progress((done + f) / len(chunks))

            if runner is not None:
                part_runner = runner.for_samples(sub, chunk.lo, chunk.hi)
                logits = part_runner.run_parts(
                    [([cells[i] for i in idx], start) for start, idx in chunk.parts]
                )
            elif how == "resume":
                logits = _run_chunk_resumed(sub, batch, part, check)
            else:
                logits = _run_chunk_full(sub, batch, part, check)
            part(1.0)
            yield chunk.cells, chunk.lo, chunk.hi, logits.reshape(len(batch), sub.samples, -1)


def run_cells(
    prep: PreparedRuns,
    cells: list[Cell],
    *,
    strategy: str = "auto",
    memory_mb: float = DEFAULT_MEMORY_MB,
    progress: Progress | None = None,
    check: Check = _noop_check,
) -> torch.Tensor:
    """Logits at the last position for every patched run: [len(cells), samples, vocab].

    (Its size grows with cells × samples; ``run_sweep`` reduces each batch as it comes.)
    ``check()`` is called between layers and batches; whatever it raises stops the run.
    """
    out: torch.Tensor | None = None
    for idx, lo, hi, logits in iter_batches(
        prep, cells, strategy=strategy, memory_mb=memory_mb, progress=progress, check=check
    ):
        if out is None:
            out = logits.new_empty(len(cells), prep.samples, logits.shape[-1])
        out[idx, lo:hi] = logits.to(out.dtype)
    assert out is not None
    return out


def reduce_cells(
    prep: PreparedRuns,
    cells: list[Cell],
    *,
    strategy: str = "auto",
    memory_mb: float = DEFAULT_MEMORY_MB,
    progress: Progress | None = None,
    check: Check = _noop_check,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per cell, the metric and the answer distribution averaged over the noise samples:
    ([cells], [cells, vocab]), reduced batch by batch so memory stays within the budget."""
    import torch

    n = prep.samples
    values: torch.Tensor | None = None
    probs: torch.Tensor | None = None
    for idx, lo, hi, logits in iter_batches(
        prep, cells, strategy=strategy, memory_mb=memory_mb, progress=progress, check=check
    ):
        if values is None or probs is None:
            values = torch.zeros(len(cells), dtype=torch.float64, device=logits.device)
            probs = torch.zeros(len(cells), logits.shape[-1], device=logits.device)
        at = torch.tensor(idx, dtype=torch.long, device=logits.device)
        if logits.data_ptr() == prep.corrupted_logits.data_ptr():
            # Patches that change nothing: exactly the corrupted run's numbers.
            values[at] = prep.corrupted_value
            probs[at] = prep.corrupted_logits.float().softmax(-1).mean(0)
            continue
        flat = logits.reshape(-1, logits.shape[-1])
        metric = metric_values(flat, prep.metric, prep.answer_id, prep.wrong_id)
        metric = metric.reshape(len(idx), hi - lo)
        p = flat.float().softmax(-1).reshape(len(idx), hi - lo, -1)
        if hi - lo == n:  # the whole mean at once (as the corrupted run's own is taken)
            values[at] = metric.mean(1).double()
            probs[at] = p.mean(1)
        else:  # a slice of the samples: add its share of the mean
            values.index_add_(0, at, metric.double().sum(1) / n)
            probs.index_add_(0, at, p.sum(1) / n)
    assert values is not None and probs is not None
    return values, probs


def run_sweep(
    prep: PreparedRuns,
    sweep: str = "resid",
    *,
    positions: Sequence[int] | None = None,
    window: int = 1,
    attribution: bool = False,
    strategy: str = "auto",
    memory_mb: float = DEFAULT_MEMORY_MB,
    progress: Progress | None = None,
    check: Check = _noop_check,
) -> PatchResult:
    """Patch every cell of a sweep; values and recovery come back layer-major.

    ``check()`` is called between layers and batches (see ``run_cells``)."""
    cells = sweep_cells(prep, sweep, positions, window)
    if strategy in ("auto", "suffix"):
        _choose(prep, cells, strategy)  # one-time checks, kept out of the timing
    t0 = time.perf_counter()
    values, probs = reduce_cells(
        prep, cells, strategy=strategy, memory_mb=memory_mb, progress=progress, check=check
    )
    n_rows, per_cell = cells_shape(prep, sweep, positions)
    elapsed_ms = (time.perf_counter() - t0) * 1000
    answer_prob = probs[:, prep.answer_id]
    top = [_top_tokens(prep.model, probs[i]) for i in range(len(cells))]
    vals = values.tolist()
    grid = [vals[r * per_cell : (r + 1) * per_cell] for r in range(n_rows)]
    rec = [
        [normalised_recovery(v, prep.clean_value, prep.corrupted_value) for v in row]
        for row in grid
    ]
    if sweep == "heads":
        columns = [f"H{h}" for h in range(per_cell)]
        cols_pos = None
    else:
        cols_pos = list(range(prep.n_pos)) if positions is None else list(positions)
        columns = [prep.str_tokens[p] for p in cols_pos]
    pp = answer_prob.tolist()
    result = PatchResult(
        tokens=prep.str_tokens,
        sweep=sweep,
        metric=prep.metric,
        clean=prep.clean_value,
        corrupted=prep.corrupted_value,
        values=grid,
        recovery=rec,
        elapsed_ms=elapsed_ms,
        columns=columns,
        positions=cols_pos,
        prompt=prep.experiment.prompt,
        corruption=prep.experiment.corruption.describe(),
        answer=prep.experiment.answer,
        wrong=prep.experiment.wrong,
        model=prep.model_name,
        window=window,
        clean_prob=prep.clean_prob,
        corrupted_prob=prep.corrupted_prob,
        patched_prob=[pp[r * per_cell : (r + 1) * per_cell] for r in range(n_rows)],
        top_tokens=[top[r * per_cell : (r + 1) * per_cell] for r in range(n_rows)],
        clean_top=prep.clean_top,
        corrupted_top=prep.corrupted_top,
    )
    if attribution:
        from tutor.labs.patching.attribution import add_attribution

        add_attribution(prep, result, window=window)
    return result


def cells_shape(prep: PreparedRuns, sweep: str, positions: Sequence[int] | None) -> tuple[int, int]:
    """(rows, columns) of a sweep's grid."""
    if sweep == "heads":
        return prep.n_layers, int(prep.model.cfg.n_heads)
    return prep.n_layers, prep.n_pos if positions is None else len(positions)


def patch_everything(
    prep: PreparedRuns, position: int | None = None, check: Check = _noop_check
) -> dict[str, float]:
    """Patch the residual stream at every layer at once (at one position, or everywhere).

    A sanity check rather than an experiment: with every position patched the corrupted run
    becomes the clean run, so recovery must be 1.
    """
    positions = tuple(range(prep.n_pos)) if position is None else (position,)
    cell = Cell("resid", tuple(range(prep.n_layers)), positions)
    logits = run_cells(prep, [cell], check=check)[0]
    value = float(metric_values(logits, prep.metric, prep.answer_id, prep.wrong_id).mean())
    prob = float(logits.float().softmax(-1).mean(0)[prep.answer_id])
    return {
        "value": value,
        "prob": prob,
        "recovery": normalised_recovery(value, prep.clean_value, prep.corrupted_value),
    }


def run_experiment(
    model: TransformerBridge,
    experiment: Experiment,
    sweep: str = "resid",
    *,
    model_name: str = "",
    positions: Sequence[int] | None = None,
    window: int = 1,
    attribution: bool = False,
) -> PatchResult:
    """``prepare`` then ``run_sweep``: the whole experiment in one call."""
    prep = prepare(model, experiment, model_name)
    return run_sweep(prep, sweep, positions=positions, window=window, attribution=attribution)


__all__ = [
    "SWEEPS",
    "Cell",
    "CounterfactualCorruption",
    "Experiment",
    "NoiseCorruption",
    "PatchResult",
    "PatchingInputError",
    "PreparedRuns",
    "prepare",
    "run_cells",
    "run_experiment",
    "run_sweep",
    "sweep_cells",
    "window_layers",
]
