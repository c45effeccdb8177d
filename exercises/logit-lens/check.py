"""Check logit_lens at several layers of tutor-gpt, and at the last layer against the logits."""

import torch


def check(env):
    model = env.model()
    with torch.no_grad():
        logits, cache = model.run_with_cache(model.to_tokens("The Eiffel Tower is in"))
        last = model.cfg.n_layers - 1
        for layer in (2, 6, last):
            got = env.call("logit_lens", model, cache, layer)
            env.tensor(
                f"logit_lens(layer={layer})",
                got,
                env.ref("logit_lens", model, cache, layer),
                atol=1e-3,
                shape_hint="one row of logits per position: drop the batch dimension ([0])",
                hint="apply model.ln_final before model.unembed, to the stream after `layer` "
                "(hook_resid_post)",
            )
        env.tensor(
            "logit_lens at the last layer vs the model's own logits",
            env.call("logit_lens", model, cache, last),
            logits[0],
            atol=1e-3,
        )
    return "logit_lens is right, and at the last layer it reproduces the model's logits."
