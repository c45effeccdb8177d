"""Echo lab presets (torch-free)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class EchoPreset:
    title: str
    prompt: str
    k: int = 3
    explanation: str = ""


PRESETS = {
    "eiffel": EchoPreset("Where is the Eiffel Tower?", "The Eiffel Tower is in",
                         explanation="The model's best guesses after a landmark fact."),
    "five": EchoPreset("Five guesses", "The Colosseum is in", k=5,
                       explanation="More guesses for another landmark."),
}
