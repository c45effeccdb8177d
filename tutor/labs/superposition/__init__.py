"""The superposition lab: toy models that store more features than dimensions (Elhage et al.
2022), trained in seconds, then an SAE that finds the known features again.

Engine modules (torch, no Textual): ``toy`` (the batched model and its training),
``geometry`` (norms, superposition, dimensionality, angles), ``phase`` (the n = 2, m = 1
phase diagram), ``recover`` (the SAE step), ``experiment`` (``run``). Torch-free:
``params``, ``presets``, ``cli``, ``text`` (plain-text views: the plane, the phase grid).
"""

from tutor.labs.info import LabInfo

LAB = LabInfo(
    id="superposition",
    title="Superposition",
    summary="Train toy models that store more features than dimensions; watch the pentagon "
    "form; recover the features with an SAE.",
    presets="tutor.labs.superposition.presets",
    experiment="tutor.labs.superposition.experiment",
    cli="tutor.labs.superposition.cli",
    screen="tutor.labs.superposition.screen:SuperpositionScreen",
    reuse_results=True,
)
