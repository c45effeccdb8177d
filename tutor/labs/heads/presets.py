"""The heads lab's presets: the lesson links and the "Break it" variations (torch-free).

Each preset names the view to open and the fields of the experiment it changes; the
explanation says what to look at and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HeadsPreset:
    id: str
    title: str
    view: str  # patterns | scores | ablation | bump | qk-ov
    explanation: str
    fields: dict[str, Any] = field(default_factory=dict)


_PRESETS = (
    HeadsPreset(
        "induction",
        "Induction head on a repeated sequence",
        "patterns",
        "Twenty random words, then the same twenty again. On the second copy, the top "
        "induction head looks back to the word that came *after* the current word last "
        "time: a stripe one step to the right of the diagonal where the copy began. That "
        "is how the model predicts the rest of the copy almost perfectly. Move the cursor "
        "with the arrows; [ ] change layer, , . change head.",
    ),
    HeadsPreset(
        "eiffel",
        "Patterns on the Eiffel prompt",
        "patterns",
        "A real prompt. Most heads put much of their attention on the first token (an "
        "attention sink: a place to look when nothing else matters) or on the previous "
        "token. Step through the layers with [ ] and find heads that look from 'in' back "
        "to the landmark's name: they carry the subject to where the answer is predicted.",
        {"prompt": "The Eiffel Tower is in", "pick": "previous_token"},
    ),
    HeadsPreset(
        "ablate-induction",
        "Ablate the induction heads",
        "ablation",
        "Mean-ablate the two best induction heads and watch the loss on the second copy. "
        "Before, the second copy costs almost nothing: every word is predicted by copying. "
        "After, the model has lost much of that skill, while the Eiffel fact (stored in "
        "weights, not copied from the context) barely moves. m cycles zero / mean / "
        "resample; x adds or removes the selected head.",
        {"ablate": ["induction:2"], "ablation": "mean"},
    ),
    HeadsPreset(
        "bump",
        "The induction bump in training",
        "bump",
        "tutor-gpt's training record. For the first part of training the second copy of a "
        "repeated sequence is as hard as the first: the model cannot copy from context. "
        "Then, over a few hundred steps, the second-copy loss drops to near zero while the "
        "overall loss dips too: the phase change where induction heads form.",
    ),
    HeadsPreset(
        "qk-ov",
        "What the induction head reads and writes",
        "qk-ov",
        "Two questions about the top induction head, answered from its weights alone. OV: "
        "if it attends to a word, which words does it push up? A copying head pushes up the "
        "word it looks at. QK: its keys must know the *previous* token of each position, "
        "which only an earlier previous-token head can supply — K-composition scores show "
        "which earlier heads its keys read, against the level of random weights.",
    ),
    HeadsPreset(
        "break-no-repeat",
        "Break it: nothing repeats",
        "scores",
        "Forty distinct random words: nothing in the context predicts the next word, so "
        "there is no earlier copy to look back to. The induction and duplicate-token "
        "scores on this prompt have no queries to score, and the loss stays high all the "
        "way through (see the ablation view: ablating changes little).",
        {"sequence": "no-repeat", "ablate": ["induction:2"]},
    ),
    HeadsPreset(
        "break-ablate-prev-token",
        "Break it: ablate the previous-token head",
        "ablation",
        "Leave the induction heads alone and ablate the best previous-token head instead. "
        "In-context copying suffers anyway: the induction head finds 'the word after the "
        "earlier copy' by matching keys that carry their previous token, which the "
        "previous-token head writes. Two heads in a circuit: composition.",
        {"ablate": ["previous_token:1"], "ablation": "mean"},
    ),
    HeadsPreset(
        "break-sink",
        "Break it: an attention-sink head",
        "patterns",
        "The head that puts the most attention on the first token. Nearly every query "
        "looks at position 0 whatever the prompt: the softmax must put its weight "
        "somewhere, and the first token is the head's 'no-op'. Its previous-token and "
        "induction scores are near zero: high attention is not the same as doing work.",
        {"pick": "sink"},
    ),
)

PRESETS: dict[str, HeadsPreset] = {p.id: p for p in _PRESETS}
