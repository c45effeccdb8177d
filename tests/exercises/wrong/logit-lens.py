# EXPECT: apply model.ln_final before model.unembed
def logit_lens(model, cache, layer):
    return model.unembed(cache[f"blocks.{layer}.hook_resid_post"])[0]
