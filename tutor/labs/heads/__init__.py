"""The attention-heads lab: patterns, head scores, ablation, the induction bump, QK/OV.

Modules: ``presets`` (torch-free), ``sequences`` (seeded repeated random token sequences),
``scoring`` (patterns and head scores from the model), ``ablation`` (zero / mean / resample
a head's output), ``circuits`` (OV top tokens, K-composition), ``bump`` (the training log,
torch-free), ``experiment`` (``Params``, ``Result``, ``run``), ``cli``, ``text`` (rendering
without Textual), ``panes`` and ``screen`` (Textual).
"""

from tutor.labs.info import LabInfo

LAB = LabInfo(
    id="heads",
    title="Attention heads",
    summary="See attention patterns, score every head, ablate induction heads, watch the "
    "induction bump in training.",
    presets="tutor.labs.heads.presets",
    experiment="tutor.labs.heads.experiment",
    cli="tutor.labs.heads.cli",
    screen="tutor.labs.heads.screen:HeadsScreen",
    reuse_results=True,
)
