"""The comparison between a listing's stdout and its ``output`` block can fail, and fails
for the right reasons (otherwise every asserted output would pass vacuously)."""

from __future__ import annotations

from course_text import output_mismatch, split_numbers


def test_numbers_are_cut_out_but_names_with_digits_stay_text():
    pieces, numbers = split_numbers("L7H0  0.94\n  layer 10: −0.19, 38.0%  x 1e-3")
    assert numbers == [0.94, 10, -0.19, 38.0, 1e-3]
    assert pieces[0] == "L7H0 "


def test_whitespace_is_normalised_and_small_differences_pass():
    assert output_mismatch("a  1.00\nb 2.00\n", "a 1.004 b   1.995") is None
    assert output_mismatch("big 100.0", "big 101.9") is None  # 2% relative


def test_a_wrong_number_fails_and_names_it():
    problem = output_mismatch("P(Paris) 0.999\nP(Rome) 0.000", "P(Paris) 0.999\nP(Rome) 0.920")
    assert problem is not None and "number 2" in problem and "0.92" in problem


def test_changed_text_or_a_missing_line_fails():
    assert output_mismatch("head L9H2 0.5", "head L9H3 0.5") is not None
    assert output_mismatch("a 1\nb 2", "a 1") is not None
    assert output_mismatch("a 1", "a 1\nb 2") is not None


def test_the_tolerance_can_be_widened_per_block():
    assert output_mismatch("x 0.50", "x 0.54") is not None
    assert output_mismatch("x 0.50", "x 0.54", tol=0.05) is None
