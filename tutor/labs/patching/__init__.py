"""The activation patching lab: corrupt a prompt, patch clean activations back, see where the
answer lives. Engine (``engine``, ``suffix``, ``corruption``, ``attribution``, ``metrics``,
``result``), the experiment both faces call (``experiment``), presets, CLI, screen and text.
"""

from tutor.labs.info import LabInfo

LAB = LabInfo(
    id="patching",
    title="Activation patching",
    summary="Corrupt a prompt, patch clean activations back layer by layer, see where the "
    "answer lives.",
    presets="tutor.labs.patching.presets",
    experiment="tutor.labs.patching.experiment",
    cli="tutor.labs.patching.cli",
    screen="tutor.labs.patching.screen:PatchingScreen",
    reuse_results=True,
)
