"""The lesson reader shows a listing's output block as labelled output."""

from __future__ import annotations

from tutor.screens.lesson import show_outputs

SECTION = "Run it:\n\n```python runnable\nprint(1)\n```\n\n```output tol=0.05\n1\n```\n"


def test_output_block_is_labelled_and_its_options_hidden():
    shown = show_outputs(SECTION)
    assert "```python\nprint(1)\n```" in shown
    assert "*It prints:*\n\n```text\n1\n```" in shown
    assert "tol=" not in shown and "runnable" not in shown and "```output" not in shown


def test_other_fences_are_left_alone():
    text = "```python\nx = 1\n```\n\n```sh\nmitutor run\n```\n"
    assert show_outputs(text) == text
