"""The lens lab's numbers against TransformerLens's own cache functions and hand computations."""

from __future__ import annotations

import math

import pytest
import torch

from tutor.labs.lens.experiment import params_for_preset, run
from tutor.labs.lens.params import Params
from tutor.labs.runner import LabInputError, RunContext

PROMPT = "The Eiffel Tower is in"


@pytest.fixture(scope="module")
def cached_run(model):
    with torch.no_grad():
        tokens = model.to_tokens(PROMPT)
        logits, cache = model.run_with_cache(tokens)
    return tokens, logits, cache


def _ids(model, *words):
    return [model.tokenizer.encode(" " + w, add_special_tokens=False)[0] for w in words]


def _hand_ln(model, x: torch.Tensor, scale: torch.Tensor | None = None) -> torch.Tensor:
    """LayerNorm written out with the checkpoint's own γ, β (scale: the recomputed one)."""
    ln = model.ln_final._original_component
    xc = x - x.mean(-1, keepdim=True)
    if scale is None:
        scale = (xc.pow(2).mean(-1, keepdim=True) + ln.eps).sqrt()
    return xc / scale * ln.weight + ln.bias


def test_p_answer_matches_ln_final_on_each_resid_vector(model, eiffel, cached_run):
    _, _, cache = cached_run
    (paris,) = _ids(model, "Paris")
    n = model.cfg.n_layers
    names = [f"blocks.{i}.hook_resid_pre" for i in range(n)] + [f"blocks.{n - 1}.hook_resid_post"]
    assert len(eiffel.p_answer) == n + 1 == len(eiffel.top) == len(eiffel.points)
    with torch.no_grad():
        for i, name in enumerate(names):
            x = cache[name][0, -1]
            by_module = (model.ln_final(x[None, None])[0, 0] @ model.W_U + model.b_U).softmax(-1)
            by_hand = (_hand_ln(model, x) @ model.W_U + model.b_U).softmax(-1)
            assert eiffel.p_answer[i] == pytest.approx(float(by_module[paris]), abs=1e-5)
            assert eiffel.p_answer[i] == pytest.approx(float(by_hand[paris]), abs=1e-5)
            assert (
                eiffel.top[i][0].token
                == model.tokenizer.convert_ids_to_tokens([int(by_hand.argmax())])[0]
            )
            rank = int((by_hand > by_hand[paris]).sum()) + 1
            assert eiffel.recomputed.rank[i] == rank


def test_recomputed_lens_equals_transformer_lens_accumulated_resid(model, eiffel, cached_run):
    """Since PR #1077 (fixed in #1180) accumulated_resid(apply_ln=True) recomputes the scale."""
    _, _, cache = cached_run
    (paris,) = _ids(model, "Paris")
    with torch.no_grad():
        stack = cache.accumulated_resid(layer=-1, apply_ln=True, pos_slice=-1)
        probs = (stack[:, 0] @ model.W_U + model.b_U).softmax(-1)[:, paris]
    assert eiffel.p_answer == pytest.approx(probs.tolist(), abs=1e-5)


def test_cached_lens_equals_apply_ln_to_stack_with_the_cached_scale(model, eiffel, cached_run):
    _, _, cache = cached_run
    (paris,) = _ids(model, "Paris")
    with torch.no_grad():
        stack = cache.accumulated_resid(layer=-1, apply_ln=False, pos_slice=-1)
        normed = cache.apply_ln_to_stack(stack, layer=model.cfg.n_layers, pos_slice=-1)
        probs = (normed[:, 0] @ model.W_U + model.b_U).softmax(-1)[:, paris]
        hand = _hand_ln(model, stack[:, 0], cache["ln_final.hook_scale"][0, -1])
        hand_probs = (hand @ model.W_U + model.b_U).softmax(-1)[:, paris]
    assert eiffel.cached.p_answer == pytest.approx(probs.tolist(), abs=1e-5)
    assert eiffel.cached.p_answer == pytest.approx(hand_probs.tolist(), abs=1e-5)


def test_conventions_agree_at_the_end_and_differ_early(eiffel, cached_run):
    _, logits, _ = cached_run
    final = logits[0, -1].softmax(-1)
    rec, cac = eiffel.recomputed, eiffel.cached
    assert rec.p_answer[-1] == pytest.approx(cac.p_answer[-1], abs=1e-6)
    assert rec.top[-1][0].prob == pytest.approx(float(final.max()), abs=1e-5)
    # The break-cached-scale preset's claims: the input to layer 0 is ~45× shorter than the
    # final stream; cached, its softmax is nearly flat; recomputed, it is confident.
    assert 30 < eiffel.resid_norm[-1] / eiffel.resid_norm[0] < 60
    assert cac.entropy[0] > 6.0 and rec.entropy[0] < 1.0
    assert rec.top[0][0].token == "in"
    assert cac.scale[0] == pytest.approx(cac.scale[-1]) and rec.scale[0] < cac.scale[0] / 20


def test_grid_last_column_is_the_last_position(eiffel):
    for i, p in enumerate(eiffel.p_answer):
        assert eiffel.recomputed.grid_p[i][-1] == pytest.approx(p, abs=1e-7)
        assert eiffel.recomputed.grid_top[i][-1].token == eiffel.top[i][0].token
    assert len(eiffel.recomputed.grid_p[0]) == len(eiffel.tokens) == 6


def test_eiffel_readme_numbers(eiffel):
    assert eiffel.points[eiffel.first_top1] == "pre 10"
    assert eiffel.points[eiffel.first_half] == "pre 11"
    assert eiffel.p_answer[-1] > 0.99


def test_dla_sums_to_the_logit_difference(eiffel, cached_run):
    _, logits, _ = cached_run
    d = eiffel.dla
    paris, rome = 362, 406
    final = float(logits[0, -1, paris] - logits[0, -1, rome])
    assert d.final == pytest.approx(final, abs=1e-5)
    assert sum(c.value for c in d.components) + d.bias == pytest.approx(final, abs=1e-4)
    assert d.sum == pytest.approx(final, abs=1e-4)
    assert len(d.components) == 1 + 2 * 12


def test_dla_equals_decompose_resid_and_stack_head_results(model, eiffel, cached_run):
    _, _, cache = cached_run
    paris, rome = _ids(model, "Paris", "Rome")
    n = model.cfg.n_layers
    direction = model.W_U[:, paris] - model.W_U[:, rome]
    with torch.no_grad():
        stack, labels = cache.decompose_resid(layer=n, mode="all", pos_slice=-1, return_labels=True)
        per = cache.apply_ln_to_stack(stack, layer=n, pos_slice=-1)[:, 0] @ direction
        heads, _ = cache.stack_head_results(layer=n, pos_slice=-1, return_labels=True)
        per_head = cache.apply_ln_to_stack(heads, layer=n, pos_slice=-1)[:, 0] @ direction
    tl = dict(zip(labels, per.tolist(), strict=True))
    ours = {c.name: c.value for c in eiffel.dla.components}
    assert ours["embed"] == pytest.approx(tl["embed"] + tl["pos_embed"], abs=1e-4)
    for layer in range(n):
        assert ours[f"attn {layer}"] == pytest.approx(tl[f"{layer}_attn_out"], abs=1e-4)
        assert ours[f"mlp {layer}"] == pytest.approx(tl[f"{layer}_mlp_out"], abs=1e-4)
    flat = [v for row in eiffel.dla.heads for v in row]
    assert flat == pytest.approx(per_head.tolist(), abs=1e-4)


def test_heads_plus_output_bias_make_the_attention_bar(eiffel):
    d = eiffel.dla
    attn = {c.name: c.value for c in d.components}
    for layer, row in enumerate(d.heads):
        assert sum(row) + d.head_bias[layer] == pytest.approx(attn[f"attn {layer}"], abs=1e-4)


def test_dla_of_the_answer_alone_sums_to_its_logit(model):
    params = Params(prompt=PROMPT, wrong=None, patching=False)
    r = run(params, RunContext(device="cpu"))
    with torch.no_grad():
        logit = float(model(model.to_tokens(PROMPT))[0, -1, 362])
    assert r.dla.sum == pytest.approx(logit, abs=1e-4)
    assert r.dla.metric == "logit(Paris)"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"prompt": "   "}, "prompt", "empty"),
        ({"prompt": "The Eiffel Tower is in Zzyzxq"}, "prompt", "Zzyzxq"),
        ({"prompt": " ".join(["in"] * 200)}, "prompt", "context"),
        ({"answer": "Zzyzxq"}, "answer", "vocabulary"),
        ({"answer": "Paris Rome"}, "answer", "not one"),
        ({"wrong": "Paris"}, "wrong", "same token"),
        ({"corrupt": "The Colosseum is in Rome", "patching": True}, "corrupt", "same"),
    ],
)
def test_bad_input_names_the_field(changes, field, words):
    params = Params(prompt=PROMPT, patching=False).model_copy(update=changes)
    with pytest.raises(LabInputError) as err:
        run(params, RunContext(device="cpu"))
    assert err.value.field == field and words in err.value.detail


def test_patching_column_is_the_patching_engine_and_shows_the_indirect_mlp(model):
    """break-indirect: MLP 0 at 'Eiffel' restores most of the logit difference when patched,
    while its bar at the last position is negative (and it has no direct path elsewhere)."""
    from tutor.labs.patching import engine

    params = params_for_preset("break-indirect").model_copy(update={"samples": 3})
    r = run(params, RunContext(device="cpu"))
    pt = r.patching
    assert pt is not None and pt.metric == "logit_diff"
    prep = engine.prepare(
        model,
        engine.Experiment(PROMPT, "Paris", "Rome", engine.NoiseCorruption(samples=3)),
    )
    mlp = engine.run_sweep(prep, "mlp")
    last = len(r.tokens) - 1
    for layer in range(12):
        want = mlp.recovery[layer][last]
        assert pt.last[f"mlp {layer}"] == pytest.approx(want, abs=1e-5)
    assert pt.clean == pytest.approx(r.dla.final, abs=1e-4)
    assert pt.best_position["mlp 0"] == 2 and pt.best["mlp 0"] > 0.8
    dla = {c.name: c.value for c in r.dla.components}
    assert dla["mlp 0"] < 0
    assert max(pt.last[f"attn {ly}"] for ly in (10, 11)) > 0.3
    assert all(v is None or math.isfinite(v) for v in pt.last.values())
