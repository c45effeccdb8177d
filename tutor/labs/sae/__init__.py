"""Sparse autoencoders on a transformer's activations: collect, train, measure, save, inspect, steer.

Modules (all torch, none Textual):

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
- ``pipeline``: the steps end to end for the CLI and the screen, and the saved-SAE folder.

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
