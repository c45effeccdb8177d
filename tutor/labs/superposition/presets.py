"""The superposition lab's named settings, shared by the screen, the CLI and lessons' links.

Each preset changes a few fields of ``Params`` (the rest keep their defaults) and says what
to look at. Torch-free. The first preset is the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Preset:
    title: str
    explanation: str
    changes: dict[str, Any] = field(default_factory=dict)
    view: str = "plane"  # the tab the screen opens on


_PAPER = {"n": 20, "m": 5, "importance": 0.7}

PRESETS: dict[str, Preset] = {
    "pentagon": Preset(
        "The pentagon: 5 features in 2 dimensions",
        "Five equally important features, each present only 10% of the time, squeezed into "
        "two dimensions. The model keeps all five, at full length, spaced 72° apart: a "
        "regular pentagon. Each feature now shares its dimensions with the others (its "
        "superposition bar is far from 0) and owns 2/5 of a dimension. The ReLU makes this "
        "pay: a negative bias clips the small interference from the other features, which "
        "rarely fire together. Press [ and ] to step through sparser and denser levels.",
    ),
    "dense": Preset(
        "Dense features: no superposition",
        "Twenty features with importance falling as 0.7ⁱ, five dimensions, every feature "
        "present in every input (S = 0). The model keeps exactly the five most important "
        "features, each in its own orthogonal direction, and drops the other fifteen: WᵀW is "
        "an identity block in the corner. Interference costs something on every input when "
        "features are dense, so sharing never pays.",
        {**_PAPER, "sparsity": 0.0},
        view="wtw",
    ),
    "importance-sweep": Preset(
        "Importance sweep: which features get stored",
        "The same twenty features (importance 0.7ⁱ, from 1 down to 0.001) at 90% sparsity. "
        "Read the bars top to bottom as a sweep over importance: the most important feature "
        "keeps a dimension of its own (superposition 0, Dᵢ = 1), most of the next ones share "
        "dimensions in antipodal pairs (superposition ≈ 1, Dᵢ ≈ 1/2), and the least "
        "important are dropped (✗). Press ] for sparser features: more of them are squeezed "
        "in, in tighter groups; [ for denser: back to five dedicated dimensions.",
        {**_PAPER, "sparsity": 0.9},
        view="bars",
    ),
    "phase-diagram": Preset(
        "Phase diagram: sparsity × relative importance",
        "The smallest case: two features, one dimension. A grid of models, one per sparsity "
        "and relative importance of the second feature, all trained at once. Each cell says "
        "what happened to the second feature: dropped (·), given the dimension alone (█), or "
        "stored in superposition with the first (◆). Dense features never superpose — the "
        "more important one wins the dimension; as features get sparser, superposition takes "
        "over a widening band around equal importance.",
        {"n": 2, "m": 1, "sparsity": 0.9, "phase": True},
        view="phase",
    ),
    "sae-recover": Preset(
        "From toy to SAE: recover the pentagon's features",
        "Train the pentagon, then sample its hidden activations h = W·x — two numbers per "
        "input — and train the SAE playground's sparse autoencoder on them with 10 latents. "
        "Its decoder directions are compared with the five true feature directions: a "
        "cosine above 0.9 counts as recovered. Here the ground truth is known, which no real "
        "model offers. The table also shows an SAE with only 2 latents and one with λ far "
        "too high.",
        {"sae": True},
        view="sae",
    ),
    "break-no-relu": Preset(
        "Break it: no ReLU",
        "The importance-sweep model with the ReLU removed: x̂ = WᵀW·x + b is linear. A "
        "linear model cannot clip interference, so sharing a direction always costs, however "
        "sparse the features are. It keeps exactly the five most important features, "
        "orthogonal, and drops the rest — at every sparsity level (step with [ and ]). Like "
        "PCA, it stores the top m directions and nothing else.",
        {**_PAPER, "sparsity": 0.9, "relu": False},
        view="bars",
    ),
    "break-few-latents": Preset(
        "Break it: an SAE with too few latents",
        "The same pentagon, but the SAE gets only 2 latents for 5 true features. It "
        "reconstructs what it can, but at most two features can have a latent of their own; "
        "the others are split between latents or missed, and the recovered count drops.",
        {"sae": True, "sae_expansion": 1},
        view="sae",
    ),
}
