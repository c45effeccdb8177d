"""A sparse autoencoder's forward pass and training loss.

An SAE rewrites an activation x (d_in numbers) as a sparse, non-negative combination of
d_sae learned directions:

    acts  = ReLU((x - b_dec) @ W_enc + b_enc)      shape [batch, d_sae]
    x_hat = acts @ W_dec + b_dec                    shape [batch, d_in]

Subtracting b_dec before encoding ("b_dec centring") lets the decoder bias hold the
mean activation, so the features only explain deviations from it.

The loss trades reconstruction against sparsity:

    loss = mean over the batch of ( ||x - x_hat||² + l1_coeff * ||acts||₁ )

(squared error summed over d_in, L1 norm summed over d_sae, both averaged over the batch).

Write `sae_forward(x, W_enc, b_enc, W_dec, b_dec, l1_coeff)` returning the tuple
`(x_hat, acts, loss)` with `loss` a 0-dimensional tensor. Shapes: x [batch, d_in],
W_enc [d_in, d_sae], b_enc [d_sae], W_dec [d_sae, d_in], b_dec [d_in].
"""

import torch


def sae_forward(x, W_enc, b_enc, W_dec, b_dec, l1_coeff: float):
    # TODO: encode (remember the b_dec centring)
    # TODO: decode
    # TODO: reconstruction + l1_coeff * sparsity, averaged over the batch
    raise NotImplementedError("TODO: SAE forward and loss")
