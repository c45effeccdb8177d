"""Feature dashboards: what a feature fires on, how often, and what it makes the model say.

``FeatureIndex`` encodes a sample of the activation set once and keeps every non-zero
feature activation (sorted by feature), so a dashboard, a histogram or a token search is a
slice of that array rather than another pass through the SAE.

- top contexts: the tokens with the largest activations, with a few tokens of left context
  and the firing token marked;
- histogram of the non-zero activations, density, max and mean (when active);
- promoted / suppressed tokens: the feature's decoder row times the unembedding W_U
  (its direct effect on the logits, ignoring later layers and the final LayerNorm);
- auto-label: the tokens it most often fires on among its top contexts;
- search: features ranked by how much of their activation lands on tokens whose text
  contains the query (times how often they fire on those tokens).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import torch

from tutor.labs.sae.activations import ActivationSet
from tutor.labs.sae.autoencoder import SparseAutoencoder

MAX_NONZEROS = 8_000_000


@dataclass
class FeatureContext:
    tokens: list[str]
    index: int
    activation: float

    def marked(self) -> str:
        """The context as text with the firing token in ⟦brackets⟧."""
        parts = [f"⟦{t}⟧" if i == self.index else t for i, t in enumerate(self.tokens)]
        return " ".join(parts)


@dataclass
class FeatureDashboard:
    feature: int
    label: str
    density: float
    max_activation: float
    mean_activation: float
    histogram: list[int]
    histogram_edges: list[float]
    top_contexts: list[FeatureContext] = field(default_factory=list)
    promoted: list[tuple[str, float]] = field(default_factory=list)
    suppressed: list[tuple[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "label": self.label,
            "density": self.density,
            "max_activation": self.max_activation,
            "mean_activation": self.mean_activation,
            "histogram": self.histogram,
            "histogram_edges": self.histogram_edges,
            "top_contexts": [
                {
                    "tokens": c.tokens,
                    "index": c.index,
                    "activation": c.activation,
                    "text": c.marked(),
                }
                for c in self.top_contexts
            ],
            "promoted": [[t, v] for t, v in self.promoted],
            "suppressed": [[t, v] for t, v in self.suppressed],
        }


@dataclass
class SearchHit:
    feature: int
    score: float
    label: str
    density: float


def token_decoder(model: Any) -> Any:
    """A function from token ids to their text, one string per id."""
    tok = model.tokenizer
    return lambda ids: [tok.decode([int(i)]) for i in ids]


class FeatureIndex:
    """All non-zero activations of an SAE over (a sample of) an activation set."""

    def __init__(
        self,
        sae: SparseAutoencoder,
        acts: ActivationSet,
        decode: Any,
        *,
        max_tokens: int = 100_000,
        batch: int = 4096,
    ) -> None:
        """``decode`` maps a list of token ids to their strings (see ``token_decoder``)."""
        self.sae = sae
        self.acts = acts
        self._decode = decode
        self._vocab_cache: dict[int, str] = {}
        n = min(acts.acts.shape[0], max_tokens)
        rows: list[torch.Tensor] = []
        feats: list[torch.Tensor] = []
        vals: list[torch.Tensor] = []
        kept = 0
        with torch.no_grad():
            for i in range(0, n, batch):
                f = sae.encode(acts.acts[i : min(i + batch, n)].float())
                nz = f.nonzero()
                rows.append(nz[:, 0] + i)
                feats.append(nz[:, 1])
                vals.append(f[nz[:, 0], nz[:, 1]])
                kept += nz.shape[0]
                end = i + f.shape[0]
                if kept > MAX_NONZEROS and end < n:
                    n = end  # a dense SAE: index fewer tokens rather than run out of memory
                    break
        self.n_tokens = n
        row = torch.cat(rows) if rows else torch.zeros(0, dtype=torch.long)
        feat = torch.cat(feats) if feats else torch.zeros(0, dtype=torch.long)
        val = torch.cat(vals) if vals else torch.zeros(0)
        order = torch.argsort(feat, stable=True)
        self.rows = row[order]
        self.values = val[order]
        counts = torch.bincount(feat, minlength=sae.d_sae)
        self.offsets = torch.zeros(sae.d_sae + 1, dtype=torch.long)
        self.offsets[1:] = counts.cumsum(0)
        self.density = counts.float() / max(1, n)
        self.max_activation = torch.zeros(sae.d_sae).scatter_reduce_(0, feat, val, "amax")
        self.total_mass = torch.zeros(sae.d_sae).index_add_(0, feat, val)

    def token_text(self, token_id: int) -> str:
        if token_id not in self._vocab_cache:
            self._vocab_cache[token_id] = str(self._decode([token_id])[0])
        return self._vocab_cache[token_id]

    def feature_slice(self, feature: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(token rows, activations) where ``feature`` is non-zero."""
        self._check(feature)
        lo, hi = int(self.offsets[feature]), int(self.offsets[feature + 1])
        return self.rows[lo:hi], self.values[lo:hi]

    def _check(self, feature: int) -> None:
        if not 0 <= feature < self.sae.d_sae:
            raise ValueError(f"feature {feature}: the SAE has features 0..{self.sae.d_sae - 1}")

    def by_density(self, descending: bool = True, include_dead: bool = False) -> list[int]:
        order = torch.argsort(self.density, descending=descending, stable=True).tolist()
        if include_dead:
            return order
        return [i for i in order if self.density[i] > 0]

    def top_contexts(self, feature: int, n: int = 10, width: int = 8) -> list[FeatureContext]:
        rows, values = self.feature_slice(feature)
        if rows.numel() == 0:
            return []
        top = torch.topk(values, min(n, values.numel()))
        out = []
        for v, r in zip(top.values.tolist(), rows[top.indices].tolist(), strict=True):
            ids, idx = self.acts.context(r, width)
            out.append(FeatureContext([self.token_text(t) for t in ids], idx, float(v)))
        return out

    def label(self, feature: int, n_contexts: int = 20, n_words: int = 3) -> str:
        """A short name from the tokens the feature fires on most strongly."""
        rows, values = self.feature_slice(feature)
        if rows.numel() == 0:
            return "(dead)"
        top = torch.topk(values, min(n_contexts, values.numel())).indices
        words = Counter(self.token_text(int(self.acts.tokens[r])) for r in rows[top].tolist())
        return " / ".join(w for w, _ in words.most_common(n_words))

    def histogram(self, feature: int, bins: int = 20) -> tuple[list[int], list[float]]:
        _, values = self.feature_slice(feature)
        if values.numel() == 0:
            return [0] * bins, [0.0] * (bins + 1)
        hi = float(values.max())
        counts = torch.histc(values, bins=bins, min=0.0, max=hi)
        edges = torch.linspace(0.0, hi, bins + 1)
        return [int(c) for c in counts.tolist()], [float(e) for e in edges.tolist()]

    def logit_effects(
        self, feature: int, W_U: torch.Tensor, n: int = 10
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """Tokens the feature's decoder direction promotes and suppresses through W_U."""
        self._check(feature)
        with torch.no_grad():
            effect = self.sae.W_dec[feature].float() @ W_U.detach().float().cpu()
        n = min(n, effect.numel())
        up = torch.topk(effect, n)
        down = torch.topk(-effect, n)
        promoted = [
            (self.token_text(int(i)), float(v)) for v, i in zip(up.values, up.indices, strict=True)
        ]
        suppressed = [
            (self.token_text(int(i)), -float(v))
            for v, i in zip(down.values, down.indices, strict=True)
        ]
        return promoted, suppressed

    def dashboard(
        self, feature: int, W_U: torch.Tensor | None = None, n_contexts: int = 10
    ) -> FeatureDashboard:
        rows, values = self.feature_slice(feature)
        counts, edges = self.histogram(feature)
        promoted, suppressed = self.logit_effects(feature, W_U) if W_U is not None else ([], [])
        return FeatureDashboard(
            feature=feature,
            label=self.label(feature),
            density=float(self.density[feature]),
            max_activation=float(self.max_activation[feature]),
            mean_activation=float(values.mean()) if values.numel() else 0.0,
            histogram=counts,
            histogram_edges=edges,
            top_contexts=self.top_contexts(feature, n_contexts),
            promoted=promoted,
            suppressed=suppressed,
        )

    def matching_tokens(self, query: str) -> set[int]:
        """Token ids (present in the indexed sample) whose text contains ``query``."""
        q = query.strip().lower()
        if not q:
            return set()
        present = torch.unique(self.acts.tokens[: self.n_tokens]).tolist()
        return {t for t in present if q in self.token_text(t).strip().lower()}

    def search(self, query: str, n: int = 10) -> list[SearchHit]:
        """Features that fire mostly, and reliably, on tokens whose text contains ``query``."""
        ids = self.matching_tokens(query)
        if not ids:
            return []
        tokens = self.acts.tokens[: self.n_tokens]
        is_match = torch.isin(tokens, torch.tensor(sorted(ids)))
        n_match = int(is_match.sum())
        hit = is_match[self.rows]
        feats = torch.repeat_interleave(torch.arange(self.sae.d_sae), self.offsets.diff())
        mass = torch.zeros(self.sae.d_sae).index_add_(0, feats[hit], self.values[hit])
        fires = torch.bincount(feats[hit], minlength=self.sae.d_sae).float()
        precision = mass / self.total_mass.clamp_min(1e-12)
        recall = fires / max(1, n_match)
        score = precision * recall
        top = torch.topk(score, min(n, score.numel()))
        return [
            SearchHit(int(i), float(s), self.label(int(i)), float(self.density[int(i)]))
            for s, i in zip(top.values, top.indices, strict=True)
            if s > 0
        ]
