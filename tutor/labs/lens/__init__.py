"""The logit-lens lab: read the model's current guess at every layer, then ask which
component wrote the answer (direct logit attribution) and compare with patching's total
effect.

Engine modules (torch, no Textual): ``tokens`` (checking the learner's prompt and answers),
``lens`` (both final-layer-norm conventions at every residual point), ``dla`` (per component
and per head), ``compare`` (the patching lab's recovery for the same components),
``experiment`` (``run``). Torch-free: ``params``, ``presets``, ``cli``, ``text``.
"""

from tutor.labs.info import LabInfo

LAB = LabInfo(
    id="lens",
    title="Logit lens and direct logit attribution",
    summary="Watch the answer form layer by layer, see which component writes it, and where "
    "direct and total effect disagree.",
    presets="tutor.labs.lens.presets",
    experiment="tutor.labs.lens.experiment",
    cli="tutor.labs.lens.cli",
    screen="tutor.labs.lens.screen:LensScreen",
    reuse_results=True,
)
