"""tutor-gpt and model loading: the generated world and corpus, the tokenizer, the training
recipe, the model report, and the loader every lab uses (``loader.get_model``).

Kept apart from the labs because every lab and the lessons' listings depend on it, and it
depends on none of them.
"""
