"""SAELens interoperability, proven with the real library in its own environment.

sae-lens pins transformer-lens < 4, so it cannot be installed beside mitutor. ``.ci/run``
builds a side virtual environment with a pinned sae-lens and points
``MITUTOR_SAELENS_PYTHON`` at its interpreter; this test then runs ``saelens_side.py``
there. Both directions: SAELens opens mitutor's SAEs (encode and decode equal within 1e-4
relative), and mitutor opens SAELens-written ones, including ``apply_b_dec_to_input=False``.
Without the variable the test is skipped locally; under CI (``CI=true``) it fails instead,
so the proof cannot silently disappear.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import torch

from tutor.labs.sae.autoencoder import SAEConfig, SparseAutoencoder
from tutor.labs.sae.saelens_format import load_sae, save_sae

SIDE = Path(__file__).with_name("saelens_side.py")
PYTHON = os.environ.get("MITUTOR_SAELENS_PYTHON")


def _close(a: torch.Tensor, b: torch.Tensor) -> None:
    torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def _random_sae(kind: str, d_in: int = 16) -> SparseAutoencoder:
    torch.manual_seed(1 if kind == "relu" else 2)
    cfg = SAEConfig(
        kind,  # type: ignore[arg-type]
        d_in,
        4 * d_in,
        k=5 if kind == "topk" else None,
        model_name="tiny",
        hook_name="blocks.1.hook_resid_pre",
        layer=1,
    )
    sae = SparseAutoencoder(cfg)
    with torch.no_grad():
        for p in sae.parameters():
            p.normal_(0, 0.3)
    return sae


def test_saelens_and_mitutor_read_each_other(tmp_path: Path) -> None:
    if not PYTHON:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must set MITUTOR_SAELENS_PYTHON (see .ci/run)")
        pytest.skip("set MITUTOR_SAELENS_PYTHON to a python with sae-lens installed")
    torch.manual_seed(0)
    x = torch.randn(32, 16)
    torch.save(x, tmp_path / "x.pt")
    ours = {kind: _random_sae(kind) for kind in ("relu", "topk")}
    for kind, sae in ours.items():
        save_sae(sae, tmp_path / f"ours-{kind}")
    done = subprocess.run(
        [PYTHON, str(SIDE), str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    theirs = torch.load(tmp_path / "saelens_results.pt")

    for kind, sae in ours.items():  # ours -> SAELens: the same numbers
        with torch.no_grad():
            feats = sae.encode(x)
            _close(theirs[f"ours-{kind}"]["encode"], feats)
            _close(theirs[f"ours-{kind}"]["decode"], sae.decode(feats))

    for name in ("theirs-standard", "theirs-standard-nodec", "theirs-topk"):
        loaded = load_sae(tmp_path / name)  # SAELens -> ours
        with torch.no_grad():
            feats = loaded.encode(x)
            _close(feats, theirs[name]["encode"])
            _close(loaded.decode(feats), theirs[name]["decode"])
            _close(loaded(x), theirs[name]["forward"])
