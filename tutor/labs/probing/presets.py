"""Ready-made probing experiments: the lessons' "try it" targets and the "Break it" variations.

Plain data (no torch). Each preset fixes the property, where it is read, the probe and the
split; its explanation says what to look at and why.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProbingPreset:
    id: str
    title: str
    prop: str = "country"
    position: str = "final"  # subject | final (in-subject reads every token)
    probe: str = "linear"  # linear | mlp
    site: str = "resid_pre"  # resid_pre | attn_out | mlp_out
    split: str = "subject"  # subject | example
    explanation: str = ""


PRESETS: dict[str, ProbingPreset] = {
    p.id: p
    for p in (
        ProbingPreset(
            "country",
            "Country of a landmark or city",
            explanation=(
                "A linear probe per layer reads which country the prompt's landmark or city "
                "is in, from the last token ('The Eiffel Tower is in'), on subjects it never "
                "saw in training. Accuracy climbs only in the late layers, where the model "
                "gathers its answer. The causal panel then removes the probe's directions at "
                "the best layer and compares with a random edit of the same size."
            ),
        ),
        ProbingPreset(
            "in-subject",
            "Is this token part of a name?",
            prop="in-subject",
            explanation=(
                "Every token of a fact prompt is one example: inside the subject's name or "
                "not. The property is easy to read from the start. The control column gives "
                "each word its own fixed random label; a probe that scores well there is "
                "memorising words, so selectivity (task − control) is the number to trust."
            ),
        ),
        ProbingPreset(
            "category",
            "Subject category at its last token",
            prop="category",
            position="subject",
            explanation=(
                "At the subject's last token the probe tells landmarks, cities, people and "
                "companies apart, for subjects held out of training. The category decides "
                "what kind of answer comes next (a city, a country, a job), so removing its "
                "directions may change the model's prediction."
            ),
        ),
        ProbingPreset(
            "ioi",
            "IOI: who gets the object?",
            prop="ioi",
            explanation=(
                "In 'When Mary and John went to the store, John gave a drink to', the probe "
                "reads which name is the indirect object at the final position. The split "
                "keeps each giver's sentences on one side. The causal metric is the logit "
                "difference between the two names."
            ),
        ),
        ProbingPreset(
            "control",
            "Control task and selectivity",
            prop="in-subject",
            explanation=(
                "Hewitt and Liang's control task: each word type gets one random label, "
                "fixed for good. Nothing in the model encodes those labels, so a probe can "
                "only learn them by memorising words. Here the task is almost a function of "
                "the word ('Tower' is nearly always inside a name), so even the linear probe "
                "does well on the control task and selectivity is small: high accuracy, yet "
                "little evidence of anything beyond word identity."
            ),
        ),
        ProbingPreset(
            "break-leaky-split",
            "Break it: split by example, not subject",
            position="subject",
            split="example",
            explanation=(
                "Read at the subject's own last token, the country carries only partly to "
                "unseen subjects (about 50%: try --split subject). Split by example "
                "and the same subject lands in train and test with identical activations: "
                "test accuracy jumps, and the control task (a random label per subject) "
                "jumps with it. The probe learned subjects, not countries."
            ),
        ),
        ProbingPreset(
            "break-mlp-control",
            "Break it: an MLP probe on the control task",
            prop="in-subject",
            probe="mlp",
            explanation=(
                "The same data as the control preset with an MLP probe. Look at the "
                "control-train column: the MLP fits the random word labels perfectly, where "
                "the linear probe cannot. On held-out tokens that memory buys nothing. A "
                "bigger probe that scores higher may be telling you about the probe, not the "
                "model; selectivity is the check."
            ),
        ),
        ProbingPreset(
            "break-unused",
            "Break it: present but not used",
            prop="article",
            position="subject",
            explanation=(
                "Whether a landmark's name takes 'the' (The Eiffel Tower, but Big Ben) can be "
                "read at the subject's last token. The model does not need it to name the "
                "city: removing the probe's directions leaves P(city) about where a random "
                "edit of the same size leaves it. Accurate probe, unused information."
            ),
        ),
    )
}

DEFAULT_PRESET = "country"
