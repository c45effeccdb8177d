"""The lens lab's named settings, shared by the screen, the CLI and lessons' "try it" links.

Each preset changes a few fields of ``Params`` and names the view the screen opens on.
Torch-free. The first preset is the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Preset:
    title: str
    explanation: str
    changes: dict[str, Any] = field(default_factory=dict)
    view: str = "lens"  # lens | grid | dla | heads
    cached: bool = False  # open with the cached-scale convention beside the recomputed one


PRESETS: dict[str, Preset] = {}

_EIFFEL = {"prompt": "The Eiffel Tower is in", "answer": "Paris", "wrong": "Rome"}
_INDUCTION_FIRST = "Kobe filled brown Fenway Prado full Virginia head describe"
_INDUCTION = {
    "prompt": f"{_INDUCTION_FIRST} Kobe filled brown Fenway Prado",
    "answer": "full",
    "wrong": "Carlsen",
    "corrupt": "Kobe filled brown Fenway Prado Carlsen Virginia head describe "
    "Kobe filled brown Fenway Prado",
}

PRESETS.update(
    {
        "eiffel": Preset(
            "The Eiffel Tower is in … Paris",
            "Each row unembeds the residual stream at the last token as if the model ended "
            "there. Paris is nowhere for the first nine points, becomes the top guess at the "
            "input to layer 10 and passes P = 0.5 at the input to layer 11: the fact reaches "
            "the last token late, carried by attention. Press d for direct logit attribution: "
            "attention 10 and 11 and MLP 11 write most of Paris − Rome, and the patching "
            "column beside it agrees for the attention layers.",
            dict(_EIFFEL),
        ),
        "profession": Preset(
            "Albert Einstein was a great … physicist",
            "A person → profession fact from the model's world. The lens finds 'physicist' "
            "only at the very end (P under 0.1 until the last block). In the DLA view, MLP 0 "
            "at the last token writes a large share of physicist − chemist, yet patching it "
            "recovers nothing: it responds to the word 'great' and barely changes when the "
            "name is noised, so its clean output is almost the corrupted one. DLA measures what is written; patching measures "
            "what differs between the clean and corrupted runs.",
            {"prompt": "Albert Einstein was a great", "answer": "physicist", "wrong": "chemist"},
            view="dla",
        ),
        "ioi": Preset(
            "IOI: … John gave a drink to … Mary",
            "An indirect-object sentence: the answer is the name that was not repeated. The "
            "heads view shows the name movers: a few heads in layers 9–11 write Mary − John "
            "directly, and others in layer 11 write against it (negative bars). Patching "
            "swaps the repeated name (the corrupted run should answer John) and restores one "
            "head at a time; compare which heads carry the direct effect with which ones the "
            "total effect runs through.",
            {
                "prompt": "When Mary and John went to the store, John gave a drink to",
                "answer": "Mary",
                "wrong": "John",
                "corrupt": "When Mary and John went to the store, Mary gave a drink to",
            },
            view="heads",
        ),
        "induction": Preset(
            "Induction: a repeated random sequence",
            "Nine random words, then the first five again: the next word can only come from "
            "copying what followed 'Prado' last time. The lens shows the answer appearing "
            "after layer 7, where tutor-gpt's induction heads sit; in the heads view, heads of "
            "layer 7 write the copied word directly. The corrupted run changes that word in "
            "the first copy. Look at layer 3: a head there has a small direct effect but a "
            "large patching effect — a previous-token head, which the induction heads read "
            "rather than the logits.",
            dict(_INDUCTION),
            view="heads",
        ),
        "break-cached-scale": Preset(
            "Break it: the cached-scale lens on early layers",
            "The same prompt with the other convention beside the usual one. Cached: every "
            "layer's vector is divided by the scale the final layer norm measured on the "
            "final residual stream. The residual stream at the input to layer 0 is about 45 "
            "times shorter than the final one, so its logits shrink towards zero and the "
            "softmax goes nearly flat (entropy close to ln 855 ≈ 6.75 nats): the layer looks "
            "undecided. Recomputed on its own scale the same vector is confident — it "
            "predicts its own token, 'in'. Nothing about the model changed, only the "
            "temperature the lens applied (TransformerLens fixed this in PR #1077).",
            dict(_EIFFEL, patching=False),
            cached=True,
        ),
        "break-indirect": Preset(
            "Break it: DLA on a component that works indirectly",
            "MLP 0 at 'Eiffel' is where tutor-gpt looks the landmark up: patching it alone "
            "restores all of Paris − Rome (the 'best elsewhere' column). Its direct effect is "
            "nothing — it writes at position 2 and the logits read only the last position; "
            "MLP 0's bar at the last token is even negative. Its work reaches the answer "
            "only through the attention layers that later move it to the last token. A small "
            "DLA bar does not mean a component is unimportant.",
            dict(_EIFFEL),
            view="dla",
        ),
    }
)
