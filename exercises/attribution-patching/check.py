"""Check attribution_patch against the reference at three layers of tutor-gpt."""

import torch


def check(env):
    model = env.model()
    clean = model.to_tokens("The Eiffel Tower is in")
    corrupt = model.to_tokens("The Colosseum is in")
    paris, rome = model.to_single_token(" Paris"), model.to_single_token(" Rome")

    def metric(logits):
        return logits[0, -1, paris] - logits[0, -1, rome]

    for layer in (0, 5, 10):
        got = env.call("attribution_patch", model, clean, corrupt, layer, metric)
        model.zero_grad(set_to_none=True)
        env.tensor(
            f"attribution_patch(layer={layer})",
            got,
            env.ref("attribution_patch", model, clean, corrupt, layer, metric),
            atol=1e-3,
            rtol=1e-3,
            shape_hint="one estimate per position: sum over d_model and drop the batch "
            "dimension",
            hint="the estimate is (clean - corrupted) times the gradient taken in the "
            "corrupted run, summed over d_model",
        )
    return "attribution_patch matches the reference at layers 0, 5 and 10."
