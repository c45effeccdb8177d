"""Ready-made patching experiments: the lesson links' presets and the "Break it" variations.

Plain data (no torch): the lab screen reads these to fill its form and pick a view. Every
"Break it" preset carries an explanation of what changes and why.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PatchingPreset:
    id: str
    title: str
    prompt: str = "The Eiffel Tower is in"
    answer: str = "Paris"
    wrong: str | None = None
    corrupt: str | None = None  # a counterfactual prompt; None means noise
    noise: float = 3.0
    samples: int = 10
    view: str = "bars"  # bars | heatmap | attn-mlp | heads | pipeline
    position: str = "last"  # last | subject | a token index
    window: int = 1
    patch_all_layers: bool = False
    explanation: str = ""


PRESETS: dict[str, PatchingPreset] = {
    p.id: p
    for p in (
        PatchingPreset(
            "eiffel",
            "The Eiffel Tower, noised",
            explanation=(
                "Noise drowns the subject's embeddings, so the model loses track of which "
                "landmark it is talking about. Each bar puts back the clean residual stream "
                "at one position for one layer. At the last token the early layers barely "
                "help: the last token has not read the subject yet. Recovery there grows in "
                "the late layers, once the fact has been moved to the predicting position. "
                "Try [ and ] to patch the subject's own tokens instead."
            ),
        ),
        PatchingPreset(
            "counterfactual",
            "Eiffel Tower vs Colosseum",
            wrong="Rome",
            corrupt="The Colosseum is in",
            view="heatmap",
            explanation=(
                "Instead of noise, the corrupted run asks about a different landmark with "
                "the same number of tokens. The metric is the logit difference Paris − Rome, "
                "which reads one clean direction instead of a whole probability distribution. "
                "The heatmap shows where the subject's identity lives: on the subject tokens "
                "in early layers, then on the last token."
            ),
        ),
        PatchingPreset(
            "attn-mlp",
            "Attention vs MLP",
            view="attn-mlp",
            position="subject",
            window=3,
            explanation=(
                "Patching attention outputs and MLP outputs separately (three layers at a "
                "time, as in ROME) splits the residual stream's story in two. In ROME's "
                "GPT models, MLPs at the last subject token in early-to-middle layers matter "
                "(the fact is looked up there) and attention matters later at the last "
                "token. Compare with this model, and move the position with [ and ]."
            ),
        ),
        PatchingPreset(
            "heads",
            "Which attention heads?",
            wrong="Rome",
            corrupt="The Colosseum is in",
            view="heads",
            explanation=(
                "Each cell patches one head's output at every position. A few heads in the "
                "late layers usually carry most of the effect: they copy the subject's "
                "attribute to the position that predicts the next word."
            ),
        ),
        PatchingPreset(
            "pipeline",
            "Clean → corrupted → patched",
            view="pipeline",
            explanation=(
                "Step through the three runs one at a time: the clean run knows the answer, "
                "the corrupted run has lost it, and the patched run tests whether one layer's "
                "clean activation is enough to bring it back."
            ),
        ),
        PatchingPreset(
            "break-low-noise",
            "Break it: corrupt less (0.5× noise)",
            noise=0.5,
            explanation=(
                "With a sixth of the usual noise (0.5× instead of 3×) the corrupted run "
                "still mostly knows the answer, so the gap between clean and corrupted is small. "
                "Recovery divides by that gap, so tiny wobbles turn into large, jumpy bars "
                "(some above 1, some below 0). A corruption must really break the behaviour "
                "before recovery means anything."
            ),
        ),
        PatchingPreset(
            "break-wrong-position",
            "Break it: patch the wrong position",
            position="1",
            explanation=(
                "The bars now patch the word 'The', before the subject. Noise only touched "
                "the subject, so that position is the same in both runs until attention mixes "
                "information in, and even then it cannot see the subject, which comes later. "
                "Every bar sits near zero: where you patch matters as much as which layer."
            ),
        ),
        PatchingPreset(
            "break-all-layers",
            "Break it: patch every layer at once",
            patch_all_layers=True,
            explanation=(
                "Patching the clean residual stream at every layer and every position "
                "replaces the whole corrupted run with the clean one, so recovery is exactly "
                "1. It proves the plumbing works and says nothing about where the fact lives: "
                "an experiment that patches everything localises nothing."
            ),
        ),
    )
}

DEFAULT_PRESET = "eiffel"


def get_preset(preset_id: str | None) -> PatchingPreset:
    """The named preset (the default for ``None``); unknown names raise ``ValueError``."""
    if preset_id is None:
        return PRESETS[DEFAULT_PRESET]
    try:
        return PRESETS[preset_id]
    except KeyError:
        known = ", ".join(PRESETS)
        raise ValueError(f"unknown patching preset {preset_id!r} (known: {known})") from None
