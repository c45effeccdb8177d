"""The transformer blocks the suffix runner can drive, read from the bridge's own weights.

``suffix.py`` recomputes blocks on a few positions at a time; to do that it needs each
block's arithmetic as plain tensors. Two families are covered:

- GPT-2: LayerNorm, fused QKV with biases, GELU MLP (``gelu_new`` as torch's fused tanh
  GELU: the same formula as HF's Python module, in one pass instead of seven);
- Llama-style (Llama, Mistral, Qwen2): RMSNorm, rotary positions on queries and keys
  (computed by the model's own rotary module, so any RoPE scaling it has is kept), grouped
  key/value heads, gated SiLU MLP, biases where the checkpoint has them.

Weights are read through the bridge's component names (``block.ln1``, ``block.attn.q``,
``block.mlp.in``, ...) down to the module that runs, so they are the processed weights of
compatibility mode — the coordinates every hook reports. ``stack_of`` returns None for any
other block; and whatever it returns is only trusted after ``engine.suffix_runner`` has
reproduced the corrupted run's logits with it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# HF activation modules → how the MLP applies them.
_GPT2_ACT = {"NewGELUActivation": "gelu_tanh", "GELUActivation": "gelu"}
_GATED_ACT = {"SiLU": "silu", "SiLUActivation": "silu"}

_stacks: weakref.WeakKeyDictionary[Any, Stack | None] = weakref.WeakKeyDictionary()


def _raw(module: Any) -> Any:
    while hasattr(module, "original_component"):
        module = module.original_component
    return module


@dataclass
class Affine:
    """``h @ weight + bias`` with ``weight`` stored [in, out] (contiguous for the product)."""

    weight: Any
    bias: Any | None

    def __call__(self, h: Any) -> Any:
        import torch

        if self.bias is None:
            return torch.mm(h, self.weight)
        return torch.addmm(self.bias, h, self.weight)

    @classmethod
    def of(cls, module: Any) -> Affine:
        """A Conv1D (GPT-2, weight [in, out]) or an nn.Linear (weight [out, in])."""
        import torch

        raw = _raw(module)
        if type(raw).__name__ == "Conv1D":
            weight = raw.weight.detach()
        elif isinstance(raw, torch.nn.Linear):
            weight = raw.weight.detach().T
        else:
            raise TypeError("not a linear layer")
        bias = None if raw.bias is None else raw.bias.detach()
        return cls(weight.contiguous(), bias)

    @classmethod
    def joined(cls, parts: list[Affine]) -> Affine:
        """One product computing several (their outputs side by side)."""
        import torch

        weight = torch.cat([p.weight for p in parts], 1).contiguous()
        if all(p.bias is None for p in parts):
            return cls(weight, None)
        biases = [
            p.bias if p.bias is not None else p.weight.new_zeros(p.weight.shape[1]) for p in parts
        ]
        return cls(weight, torch.cat(biases))


@dataclass
class Norm:
    """A LayerNorm (with bias) or an RMSNorm over the last dimension."""

    weight: Any
    bias: Any | None
    eps: float
    rms: bool

    def __call__(self, h: Any) -> Any:
        import torch

        shape = (h.shape[-1],)
        if self.rms:
            return torch.nn.functional.rms_norm(h, shape, self.weight, self.eps)
        return torch.nn.functional.layer_norm(h, shape, self.weight, self.bias, self.eps)

    @classmethod
    def of(cls, module: Any) -> Norm:
        import torch

        raw = _raw(module)
        if isinstance(raw, torch.nn.LayerNorm):
            return cls(raw.weight.detach(), raw.bias.detach(), float(raw.eps), rms=False)
        if type(raw).__name__.endswith("RMSNorm") and hasattr(raw, "variance_epsilon"):
            if type(raw).__name__.startswith("Gemma"):  # scales by (1 + weight)
                raise TypeError("Gemma's RMSNorm")
            return cls(raw.weight.detach(), None, float(raw.variance_epsilon), rms=True)
        raise TypeError("not a LayerNorm or RMSNorm")


@dataclass
class Layer:
    """One block: norms, the joint QKV product (q heads, then k heads, then v heads), the
    output product, and the MLP (``up`` is [gate | up] side by side when ``act`` is gated)."""

    norm1: Norm
    qkv: Affine
    proj: Affine
    norm2: Norm
    up: Affine
    down: Affine
    act: str  # "gelu_tanh", "gelu" or "silu" (gated)

    def mlp(self, h: Any) -> Any:
        """The MLP on normalised rows ``h`` ([rows, d])."""
        import torch

        a = self.up(h)
        if self.act == "silu":
            gate, up = a.chunk(2, dim=-1)
            return self.down(torch.nn.functional.silu(gate) * up)
        approximate = "tanh" if self.act == "gelu_tanh" else "none"
        return self.down(torch.nn.functional.gelu(a, approximate=approximate))


@dataclass
class Stack:
    """Every block of a model, plus what attention needs beyond the weights."""

    layers: list[Layer]
    n_heads: int
    n_kv_heads: int
    d_head: int
    scale: float
    # positions [t] → (cos, sin), each [t, d_head]; None: no rotary positions (GPT-2)
    rotary: Callable[[Any], tuple[Any, Any]] | None = None

    def split_qkv(self, qkv: Any, batch: int, t: int) -> tuple[Any, Any, Any]:
        """[batch·t, (H + 2·H_kv)·d_head] → q [batch, H, t, dh], k and v [batch, H_kv, t, dh]."""
        dh = self.d_head
        nq, nkv = self.n_heads * dh, self.n_kv_heads * dh
        q, k, v = qkv.split([nq, nkv, nkv], dim=-1)

        def heads(x: Any, n: int) -> Any:
            return x.reshape(batch, t, n, dh).transpose(1, 2)

        return heads(q, self.n_heads), heads(k, self.n_kv_heads), heads(v, self.n_kv_heads)


def stack_of(model: Any) -> Stack | None:
    """The model's blocks as a ``Stack`` (cached per model), or None if they are neither
    GPT-2's nor Llama-style."""
    if model in _stacks:
        return _stacks[model]
    stack: Stack | None
    try:
        stack = _gpt2(model)
    except (AttributeError, TypeError, KeyError, ValueError):
        try:
            stack = _llama(model)
        except (AttributeError, TypeError, KeyError, ValueError):
            stack = None
    _stacks[model] = stack
    return stack


def _gpt2(model: Any) -> Stack:
    import math

    layers = []
    for block in model.blocks:
        hf = _raw(block)
        attn = hf.attn
        if getattr(attn, "scale_attn_by_inverse_layer_idx", False) or not getattr(
            attn, "scale_attn_weights", True
        ):
            raise TypeError("attention scaled differently from GPT-2's default")
        act = _GPT2_ACT[type(_raw(hf.mlp).act).__name__]
        qkv = Affine.joined([Affine.of(getattr(block.attn, n)) for n in ("q", "k", "v")])
        if qkv.bias is None:
            raise TypeError("GPT-2 has biases")
        layers.append(
            Layer(
                Norm.of(block.ln1),
                qkv,
                Affine.of(block.attn.o),
                Norm.of(block.ln2),
                Affine.of(getattr(block.mlp, "in")),
                Affine.of(block.mlp.out),
                act,
            )
        )
    n_heads = int(model.cfg.n_heads)
    d_head = int(model.cfg.d_model) // n_heads
    return Stack(layers, n_heads, n_heads, d_head, 1.0 / math.sqrt(d_head))


def _llama(model: Any) -> Stack:
    import torch

    layers = []
    scale = None
    heads = kv_heads = d_head = 0
    for block in model.blocks:
        attn = _raw(block.attn)
        act = _GATED_ACT[type(_raw(block.mlp).act_fn).__name__]
        scale = float(attn.scaling)
        d_head = int(attn.head_dim)
        q, k, v = (Affine.of(getattr(block.attn, n)) for n in ("q", "k", "v"))
        heads, kv_heads = q.weight.shape[1] // d_head, k.weight.shape[1] // d_head
        if getattr(attn, "sliding_window", None) or getattr(attn, "q_norm", None) is not None:
            raise TypeError("sliding-window or normalised queries")
        layers.append(
            Layer(
                Norm.of(block.ln1),
                Affine.joined([q, k, v]),
                Affine.of(block.attn.o),
                Norm.of(block.ln2),
                Affine.joined([Affine.of(block.mlp.gate), Affine.of(getattr(block.mlp, "in"))]),
                Affine.of(block.mlp.out),
                act,
            )
        )
    if not layers or scale is None or heads % kv_heads:
        raise ValueError("no blocks")
    rotary_module = _raw(model.rotary_emb)

    def rotary(positions: Any) -> tuple[Any, Any]:
        probe = torch.zeros(1, device=positions.device, dtype=layers[0].qkv.weight.dtype)
        cos, sin = rotary_module(probe, positions.unsqueeze(0))
        return cos[0], sin[0]

    return Stack(layers, heads, kv_heads, d_head, scale, rotary)


def rotate(q: Any, cos: Any, sin: Any) -> Any:
    """Rotary positions applied to ``q`` ([.., t, d_head]) with ``cos``/``sin`` [t, d_head]
    (the half-split form HF's Llama uses)."""
    import torch

    half = q.shape[-1] // 2
    rotated = torch.cat([-q[..., half:], q[..., :half]], dim=-1)
    return q * cos + rotated * sin
