"""tutor-gpt's tokenizer: one token per word, except a few long names stored as two pieces.

A WordPiece model over the world's vocabulary with a whitespace pre-tokenizer, so
" Paris" and "Paris" are the same single token, and "Colosseum" becomes "Colos" + "##seum"
(two tokens, like "Eiffel Tower"). ``<|endoftext|>`` is the BOS, EOS and padding token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutor.model.world import vocabulary_words

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

BOS = "<|endoftext|>"
UNK = "<unk>"


def build_tokenizer() -> PreTrainedTokenizerFast:
    """A fresh tokenizer for the world's vocabulary (ids: BOS 0, UNK 1, then sorted words)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {BOS: 0, UNK: 1}
    for word in vocabulary_words():
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token=UNK, max_input_chars_per_word=100))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.decoder = decoders.WordPiece(prefix="##")
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=BOS,
        unk_token=UNK,
        pad_token=BOS,
        model_max_length=1024,
    )
