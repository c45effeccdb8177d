"""The SAE lab's named settings, shared by the screen, the CLI and the lessons' "try it" links.

Each preset is a training configuration plus a short explanation of what the learner should
see. ``golden-gate`` also names the steering demo (search word, prompt, clamp multiple).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tutor.labs.sae.config import TrainConfig

DEFAULT_TRAIN = TrainConfig()


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    train: TrainConfig
    explanation: str
    search: str | None = None
    steer_prompt: str | None = None
    steer_multiple: float = 4.0


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "default",
            "ReLU + L1, 32× expansion",
            DEFAULT_TRAIN,
            "The standard recipe: a ReLU encoder with an L1 penalty. Watch the loss fall, L0 "
            "drop as λ warms up, and FVU settle — sparsity and reconstruction pull against "
            "each other, and λ sets where they meet.",
        ),
        Preset(
            "topk",
            "TopK (k = 32)",
            # TopK has no L1 term pulling biases down, and at ReLU's lr 1e-2 its features die.
            replace(DEFAULT_TRAIN, kind="topk", lr=4e-3),
            "TopK fixes L0 at k by keeping only the k largest pre-activations: no λ to tune, "
            "and no shrinkage of the surviving activations. Compare its FVU at the same L0 "
            "with the ReLU run on the tradeoff plot.",
        ),
        Preset(
            "golden-gate",
            "Find and steer a Golden Gate Bridge feature",
            DEFAULT_TRAIN,
            "Train the default SAE; the lab then searches the features for 'Gate' and opens "
            "the best match. On tutor-gpt it is a clean Golden Gate feature: it fires on 'Gate' "
            "after 'Golden' and never after 'Brandenburg', 'Cloud' or 'India'. Clamped to 8× "
            "its largest activation it changes the text after 'The Eiffel Tower is in' yet "
            "leaves it in Paris, and 16× does no better. A direction added at every position "
            "does not erase what the 'Eiffel' position already carries (the patching lab shows "
            "the fact is read from there). Dense features do reach 'San Francisco', but only "
            "by drowning the subject: San Francisco is where this model goes when it cannot "
            "tell which landmark it was asked about. Golden Gate Claude's feature lived in a "
            "far larger model.",
            search="Gate",
            steer_prompt="The Eiffel Tower is in",
            steer_multiple=8.0,
        ),
        Preset(
            "break-high-l1",
            "Break it: λ far too high",
            replace(DEFAULT_TRAIN, l1_coefficient=30.0),
            "With λ seventy-five times too large, every unit of activation costs more than the "
            "reconstruction it buys. Features die (the dead fraction climbs towards 1), L0 "
            "falls near zero, and FVU rises towards 1: the SAE outputs little more than its "
            "bias, and CE-loss recovered collapses.",
        ),
        Preset(
            "break-zero-l1",
            "Break it: λ ≈ 0",
            replace(DEFAULT_TRAIN, l1_coefficient=1e-6),
            "With no sparsity pressure the SAE reconstructs almost perfectly (FVU near 0) but "
            "L0 is in the hundreds: every token lights up many features, and a feature's top "
            "contexts are a grab-bag of unrelated tokens. Good reconstruction alone says "
            "nothing about interpretability.",
        ),
        Preset(
            "break-1x",
            "Break it: expansion 1×",
            replace(DEFAULT_TRAIN, expansion=1),
            "With as many features as dimensions there is no room to pull superposed concepts "
            "apart: at the same λ the SAE either reconstructs badly or stays dense, and its "
            "features are polysemantic — their top contexts mix several concepts.",
        ),
    )
}


def preset(name: str | None) -> Preset:
    """The preset called ``name`` (``None`` means ``default``)."""
    key = name or "default"
    if key not in PRESETS:
        raise ValueError(f"unknown SAE preset {key!r} (known: {', '.join(PRESETS)})")
    return PRESETS[key]
