"""The interpretability engine: model loading, patching, SAEs, probes. Never imports Textual."""
