"""The probing lab: train probes layer by layer on properties tutor-gpt's world knows, check
them against control tasks, then remove the probe's directions to see whether the model uses
them. Engine (``datasets``, ``activations``, ``probes``, ``causal``), the experiment both
faces call (``experiment``), presets, CLI, screen and text.
"""

from tutor.labs.info import LabInfo

LAB = LabInfo(
    id="probing",
    title="Probing",
    summary="Train linear and MLP probes per layer, check them with control tasks, then remove "
    "the probe's direction: present versus used.",
    presets="tutor.labs.probing.presets",
    experiment="tutor.labs.probing.experiment",
    cli="tutor.labs.probing.cli",
    screen="tutor.labs.probing.screen:ProbingScreen",
    reuse_results=True,
)
