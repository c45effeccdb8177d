"""One module per screen of the Textual app."""
