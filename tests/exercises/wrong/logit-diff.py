# EXPECT: has shape [1, 6]; expected [] (a scalar): index the last position
def logit_diff(logits, correct_id, wrong_id):
    return logits[:, :, correct_id] - logits[:, :, wrong_id]
