"""Logit difference: how much more the model prefers the right answer.

Patching experiments compare runs with one number: the logit of the correct next token
minus the logit of a competing one, read at the last position of the prompt (the model's
guess for what comes after the whole prompt). For "The Eiffel Tower is in" that is
logit(" Paris") - logit(" Rome").

Write `logit_diff(logits, correct_id, wrong_id)`:

- `logits` is the model's output, shape [1, pos, d_vocab] (one prompt);
- `correct_id` and `wrong_id` are token ids (ints);
- return a 0-dimensional tensor (a scalar): correct minus wrong, at the last position.

Check with ctrl+r in the app, or `mitutor exercises check logit-diff`.
"""

import torch


def logit_diff(logits: torch.Tensor, correct_id: int, wrong_id: int) -> torch.Tensor:
    # TODO: pick the scores for the next token after the whole prompt (which position?)
    # TODO: return the correct token's logit minus the wrong token's logit
    raise NotImplementedError("TODO: compute the logit difference")
