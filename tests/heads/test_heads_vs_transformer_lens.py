"""Every number the heads lab shows, against an independent computation.

Scores and patterns: TransformerLens ``run_with_cache`` (``blocks.L.attn.hook_pattern``) on
the same sequences, scored with explicit loops. Ablation: a plain Hugging Face GPT-2 loaded
from the same files, with the head's slice of ``c_proj``'s input replaced by a torch hook.
Circuits: the HF weights, multiplied out in full.
"""

from __future__ import annotations

import math

import pytest
import torch

from tutor.labs.heads import sequences
from tutor.labs.heads.experiment import params_for_preset
from tutor.paths import BUNDLED_MODEL_DIR


def loop_scores(pattern: torch.Tensor, ids: list[list[int]]) -> dict[str, float]:
    """One head's scores from its ``(batch, q, k)`` pattern, one query at a time."""
    sums = {"previous_token": [], "duplicate_token": [], "induction": []}
    for b, row in enumerate(ids):
        for i in range(1, len(row)):
            sums["previous_token"].append(float(pattern[b, i, i - 1]))
            dups = [j for j in range(i) if row[j] == row[i]]
            if dups:
                sums["duplicate_token"].append(sum(float(pattern[b, i, j]) for j in dups))
                sums["induction"].append(sum(float(pattern[b, i, j + 1]) for j in dups))
    return {k: sum(v) / len(v) for k, v in sums.items()}


@pytest.fixture(scope="module")
def hf_model():
    from transformers import GPT2LMHeadModel

    return GPT2LMHeadModel.from_pretrained(BUNDLED_MODEL_DIR).eval()


def test_scores_and_patterns_match_run_with_cache(model, induction_result):
    r = induction_result
    p = params_for_preset("induction")
    bos = model.tokenizer.bos_token_id
    pool = sequences.word_ids(model.tokenizer)
    batch = sequences.batch(pool, bos, p.length, p.score_batch, p.seed + 1)
    for row in batch:  # the batch really is BOS + X + X
        assert row[1 : 1 + p.length] == row[1 + p.length :]
    _, cache = model.run_with_cache(torch.tensor(batch))
    for layer in range(model.cfg.n_layers):
        pat = cache[f"blocks.{layer}.attn.hook_pattern"]
        for head in range(model.cfg.n_heads):
            want = loop_scores(pat[:, head], batch)
            for kind, value in want.items():
                assert r.scores[kind][layer][head] == pytest.approx(value, abs=1e-5)
    # The shown pattern (row 0 of seed 0) and its argmax, for the chosen head and another.
    shown = sequences.batch(pool, bos, p.length, 1, p.seed)
    assert [model.tokenizer.decode([t]).strip() for t in shown[0][1:]] == r.tokens[1:]
    _, cache = model.run_with_cache(torch.tensor(shown))
    for layer, head in [(r.layer, r.head), (4, 2)]:
        want = cache[f"blocks.{layer}.attn.hook_pattern"][0, head]
        got = r.pattern_for(layer, head)
        assert torch.allclose(torch.tensor(got.pattern), want, atol=1e-5)
        assert got.argmax == want.argmax(-1).tolist()


def test_top_heads_on_tutor_gpt(induction_result):
    r = induction_result
    top = r.top_heads["induction"][0]
    assert (top.layer, top.head) in {(7, 0), (7, 3)}
    assert top.score > 0.8
    assert (r.layer, r.head) == (top.layer, top.head)
    prev = r.top_heads["previous_token"][0]
    assert (prev.layer, prev.head) == (4, 2)
    # The induction head copies: second-copy loss is near zero on the shown sequence.
    assert r.ablation.second_copy_before < 0.2 < 5 < r.ablation.batch_first_copy_before


def hand_ablated_losses(hf, tokens, heads, method, ref=None):
    """Per-token loss of the HF model with heads' slices of c_proj's input replaced."""
    logits = hand_ablated_logits(hf, tokens, heads, method, ref)
    logp = torch.log_softmax(logits[:, :-1], -1)
    return -logp.gather(-1, tokens[:, 1:, None])[..., 0]


def hand_ablated_logits(hf, tokens, heads, method, ref=None):
    """HF logits with heads' slices of ``c_proj``'s input replaced by torch hooks."""
    d_head = hf.config.n_embd // hf.config.n_head
    handles = []
    ref_inputs: dict[int, torch.Tensor] = {}
    if method != "zero":  # the reference set's c_proj inputs, recorded by a hook
        for layer in {la for la, _ in heads}:

            def record(mod, args, layer=layer):
                ref_inputs[layer] = args[0].detach().clone()

            handles.append(hf.transformer.h[layer].attn.c_proj.register_forward_pre_hook(record))
        with torch.no_grad():
            hf(ref)
        for h in handles:
            h.remove()
        handles = []
    for layer, head in heads:
        sl = slice(head * d_head, (head + 1) * d_head)

        def replace(mod, args, layer=layer, sl=sl):
            x = args[0].clone()
            n = x.shape[1]
            if method == "zero":
                # TransformerLens folds ln_1's bias and the value bias into b_O, so its
                # zero-ablation of z leaves them: in HF terms the slice becomes that bias.
                d = hf.config.n_embd
                blk = hf.transformer.h[layer]
                w_v = blk.attn.c_attn.weight.detach()[:, 2 * d :][:, sl]
                b_v = blk.attn.c_attn.bias.detach()[2 * d :][sl]
                x[..., sl] = blk.ln_1.bias.detach() @ w_v + b_v
            elif method == "mean":
                x[..., sl] = ref_inputs[layer][:, :n, sl].mean(0)
            else:
                rows = torch.arange(x.shape[0]) % ref_inputs[layer].shape[0]
                x[..., sl] = ref_inputs[layer][rows][:, :n, sl]
            return (x,)

        handles.append(hf.transformer.h[layer].attn.c_proj.register_forward_pre_hook(replace))
    try:
        with torch.no_grad():
            return hf(tokens).logits
    finally:
        for h in handles:
            h.remove()


@pytest.mark.parametrize("method", ["zero", "mean", "resample"])
def test_ablation_matches_a_hand_hooked_forward_pass(model, compute, hf_model, method):
    from tutor.labs.heads.experiment import _reference

    params = params_for_preset("ablate-induction").model_copy(update={"ablation": method})
    r = compute(params)
    assert [tuple(h) for h in r.ablation.heads] == [(7, 0), (7, 3)]
    bos = model.tokenizer.bos_token_id
    pool = sequences.word_ids(model.tokenizer)
    shown = torch.tensor(sequences.batch(pool, bos, params.length, 1, params.seed))
    ref = _reference(pool, bos, shown.shape[1], params.reference, params.seed)
    before = hand_ablated_losses(hf_model, shown, [], "zero")
    after = hand_ablated_losses(hf_model, shown, [(7, 0), (7, 3)], method, ref)
    assert torch.allclose(torch.tensor(r.ablation.loss_before), before[0], atol=1e-4)
    assert torch.allclose(torch.tensor(r.ablation.loss_after), after[0], atol=1e-4)
    start = r.ablation.copy_start
    assert r.ablation.second_copy_after == pytest.approx(float(after[0, start:].mean()), abs=1e-4)
    # In-context copying collapses; the first copy (nothing to copy) does not move much.
    assert r.ablation.batch_second_copy_after > r.ablation.batch_second_copy_before + 2
    assert abs(r.ablation.batch_first_copy_after - r.ablation.batch_first_copy_before) < 0.5


def test_eiffel_effect_matches_hand_hooked(model, compute, hf_model):
    from tutor.labs.heads.experiment import _reference

    params = params_for_preset("ablate-induction")
    r = compute(params)
    bos = model.tokenizer.bos_token_id
    pool = sequences.word_ids(model.tokenizer)
    eiffel = model.to_tokens(params.eiffel_prompt)
    ref = _reference(pool, bos, eiffel.shape[1], params.reference, params.seed)
    paris = model.to_tokens("Paris", prepend_bos=False)[0, 0]
    before = torch.softmax(hand_ablated_logits(hf_model, eiffel, [], "mean", ref)[0, -1], -1)
    heads = [(7, 0), (7, 3)]
    after = torch.softmax(hand_ablated_logits(hf_model, eiffel, heads, "mean", ref)[0, -1], -1)
    assert r.ablation.eiffel.prob_before == pytest.approx(float(before[paris]), abs=1e-5)
    assert r.ablation.eiffel.prob_after == pytest.approx(float(after[paris]), abs=1e-5)


def test_no_repeat_sequence_has_no_induction_to_score(compute):
    r = compute(params_for_preset("break-no-repeat"))
    assert r.copy_start is None
    assert all(v is None for row in r.prompt_scores["induction"] for v in row)
    assert "undefined" in r.prompt_score_note
    assert len(set(r.tokens[1:])) == len(r.tokens) - 1


def test_sink_preset_picks_a_first_token_head(compute):
    r = compute(params_for_preset("break-sink"))
    assert r.pick == "sink"
    assert r.sink[r.layer][r.head] == max(max(row) for row in r.sink)
    assert all(row[0] > 0.9 for row in r.pattern.pattern[1:])


def test_circuits_against_full_products(model, induction_result, hf_model):
    from tutor.labs.heads import circuits

    r = induction_result
    layer, head = r.layer, r.head
    d, dh = model.cfg.d_model, model.cfg.d_head
    blk = hf_model.transformer.h[layer]
    w_qkv = blk.attn.c_attn.weight.detach()  # (d, 3d): q | k | v, heads side by side
    w_v = w_qkv[:, 2 * d + head * dh : 2 * d + (head + 1) * dh]
    w_o = blk.attn.c_proj.weight.detach()[head * dh : (head + 1) * dh]
    # OV promotions: the residual stream at the first source position, by hand.
    tokens = model.to_tokens(" ".join(r.tokens[1:]), prepend_bos=True)
    with torch.no_grad():
        hidden = hf_model(tokens, output_hidden_states=True).hidden_states[layer][0, 1]
    x = (hidden - hidden.mean()) / ((hidden - hidden.mean()).pow(2).mean() + 1e-5).sqrt()
    x = x * blk.ln_1.weight.detach()
    out = x @ w_v @ w_o
    out = (out - out.mean()) * hf_model.transformer.ln_f.weight.detach()
    logits = out @ hf_model.lm_head.weight.detach().T
    want = [model.tokenizer.decode([int(i)]).strip() for i in logits.topk(5).indices]
    assert [t for t, _ in r.qk_ov.promotions[0].top] == want
    # TransformerLens centres W_U, which shifts every logit of a row by the same amount.
    centred = logits - logits.mean()
    assert r.qk_ov.promotions[0].top[0][1] == pytest.approx(float(centred.max()), rel=1e-4)
    # K-composition with L4H2, multiplied out in d_model × d_model.
    g = blk.ln_1.weight.detach()[:, None]
    w_q = g * w_qkv[:, head * dh : (head + 1) * dh]
    w_k = g * w_qkv[:, d + head * dh : d + (head + 1) * dh]
    prev = hf_model.transformer.h[4].attn
    pv = prev.c_attn.weight.detach()[:, 2 * d + 2 * dh : 2 * d + 3 * dh]
    po = prev.c_proj.weight.detach()[2 * dh : 3 * dh]
    # TransformerLens's weight processing centres what reads from and writes to the
    # residual stream (layer norm ignores the mean direction); do the same here.
    w_q, w_k = w_q - w_q.mean(0), w_k - w_k.mean(0)
    po = po - po.mean(-1, keepdim=True)
    pv = hf_model.transformer.h[4].ln_1.weight.detach()[:, None] * pv
    pv = pv - pv.mean(0)
    ov, qk = pv @ po, w_q @ w_k.T
    want_k = float((ov @ qk.T).norm() / (ov.norm() * qk.norm()))
    scales = circuits.ln_scales(model)
    got = circuits.k_composition(model, scales)
    assert float(got[layer, head, 4, 2]) == pytest.approx(want_k, rel=1e-4)
    assert math.isnan(float(got[4, 2, layer, head]))  # later heads do not compose into earlier
    listed = {(h.layer, h.head): h.score for h in r.qk_ov.k_composition_prev_token}
    assert listed[(4, 2)] == pytest.approx(want_k, rel=1e-4)
