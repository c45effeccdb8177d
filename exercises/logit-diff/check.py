"""Check logit_diff on tutor-gpt's logits for two landmark prompts, then random logits."""

import torch


def check(env):
    model = env.model()
    with torch.no_grad():
        for prompt, right, wrong in [
            ("The Eiffel Tower is in", " Paris", " Rome"),
            ("The Colosseum is in", " Rome", " Paris"),
        ]:
            logits = model(model.to_tokens(prompt))
            c, w = model.to_single_token(right), model.to_single_token(wrong)
            got = env.call("logit_diff", logits, c, w)
            env.tensor(
                f"logit_diff on {prompt!r}",
                got,
                env.ref("logit_diff", logits, c, w),
                shape_hint="index the last position (-1) and the two token ids, "
                "so one number comes back",
                hint="the metric is logit(correct) - logit(wrong) at the last position",
            )
        logits = torch.randn(1, 9, 50, generator=torch.Generator().manual_seed(0))
        env.tensor(
            "logit_diff on random logits of 9 positions",
            env.call("logit_diff", logits, 3, 7),
            env.ref("logit_diff", logits, 3, 7),
            hint="use the last position whatever the prompt length (index -1)",
        )
    return "logit_diff matches on tutor-gpt and on random logits."
