"""Sparse autoencoders on a transformer's activations: collect, train, measure, save, inspect, steer.

Modules (engine modules use torch, none but ``screen`` uses Textual):

- ``config``: ``TrainConfig``, the training knobs (no torch, so screens can read presets).
- ``autoencoder``: the SAE itself (ReLU + L1, or TopK) with SAELens's parameter names.
- ``training``: the training loop (progress callback, cancel, dead-feature resampling).
- ``metrics``: L0, MSE, FVU, explained variance, dead/dense fractions, density histogram,
  CE-loss recovered.
- ``activations``: collecting residual-stream / MLP-output activations over the corpus,
  cached on disk as safetensors.
- ``saelens_format``: reading and writing SAELens's on-disk layout.
- ``features``: feature dashboard data and search by token.
- ``steering``: generating text with one feature clamped.
- ``presets``: the lab's named settings (default, topk, golden-gate, break-*).
- ``params``: ``Params``, the one parameter object of screen, CLI and JSON (torch-free; every
  option checked before any work), and the screen form's parsing.
- ``experiment``: ``run(params, ctx) -> Result``: collect → train → evaluate → save → index,
  the one run shared by the screen, ``mitutor run sae`` and ``mitutor sae train``.
- ``pipeline``: evaluation on held-out text, the saved-SAE folder (save, list, load).
- ``cli`` / ``screen`` / ``text``: the shell face, the Textual screen, its text and plots.

Nothing here is imported by the app at start-up; screens import it inside workers.
"""

from tutor.labs.info import LabInfo

LAB = LabInfo(
    id="sae",
    title="SAE playground",
    summary="Train a sparse autoencoder live, browse its features, steer the model with one.",
    presets="tutor.labs.sae.presets",
    experiment="tutor.labs.sae.experiment",
    cli="tutor.labs.sae.cli",
    screen="tutor.labs.sae.screen:SAEScreen",
)
