"""Run by the side virtual environment that has SAELens (it cannot share ours: sae-lens
pins transformer-lens < 4). Reads the SAEs mitutor wrote, writes SAEs of SAELens's own, and
saves what SAELens computes on the same inputs, for the main test to compare.

Usage: python saelens_side.py WORK_DIR   (WORK_DIR holds x.pt and ours-*/ folders)
"""

import sys
from pathlib import Path

import torch
from sae_lens import SAE, StandardSAE, StandardSAEConfig, TopKSAE, TopKSAEConfig

work = Path(sys.argv[1])
x = torch.load(work / "x.pt")
out = {}
for folder in sorted(work.glob("ours-*")):
    sae = SAE.load_from_disk(str(folder), device="cpu")
    with torch.no_grad():
        feats = sae.encode(x)
        out[folder.name] = {"encode": feats, "decode": sae.decode(feats)}

torch.manual_seed(0)
d_in = x.shape[1]
theirs = {
    "theirs-standard": StandardSAE(StandardSAEConfig(d_in=d_in, d_sae=4 * d_in)),
    "theirs-standard-nodec": StandardSAE(
        StandardSAEConfig(d_in=d_in, d_sae=4 * d_in, apply_b_dec_to_input=False)
    ),
    "theirs-topk": TopKSAE(TopKSAEConfig(d_in=d_in, d_sae=4 * d_in, k=5)),
}
for name, sae in theirs.items():
    with torch.no_grad():
        for p in sae.parameters():
            p.normal_(0, 0.3)
        sae.save_model(str(work / name))
        feats = sae.encode(x)
        out[name] = {"encode": feats, "decode": sae.decode(feats), "forward": sae(x)}
torch.save(out, work / "saelens_results.pt")
print("ok", sorted(out))
