"""The course covers the seed page's questions, and is as big as the issue asks.

Each seed question is represented by a tag on the question that covers it; a tag must sit
on a question of the right quiz kind (and interview cards must be free recall with a
model answer and the seed's star rating).
"""

from __future__ import annotations

from collections import Counter

from course_text import lessons, questions

SEED_QUICK_CHECKS = (
    "seed-qc-superposition-growth",  # why width and data make superposition worse
    "seed-qc-sae-overcomplete",  # why SAEs are wider than their input
    "seed-qc-sae-loss-term",  # which loss term drives monosemanticity, risk of overdoing it
    "seed-qc-probe-harmful-intent",  # the 91% "harmful intent" probe
    "seed-qc-feature-coverage",  # 34M vs 16M features: what it says about coverage
)
SEED_RECAP = (
    "seed-recap-superposition",
    "seed-recap-expansion",
    "seed-recap-induction-marker",
    "seed-recap-probe-conclusions",
    "seed-recap-lambda",
    "seed-recap-tracing",
    "seed-recap-golden-gate",
)
# tag -> the seed's star rating
SEED_INTERVIEW = {
    "seed-interview-superposition": 2,
    "seed-interview-sae": 2,
    "seed-interview-induction": 3,
    "seed-interview-residual-stream": 2,
    "seed-interview-circuit-tracing": 3,
    "seed-interview-polysemanticity": 2,
    "seed-interview-safety": 2,
    "seed-interview-scaling-monosemanticity": 3,
}
LESSON_IDS = (
    "residual-stream",
    "superposition",
    "sparse-autoencoders",
    "probing",
    "activation-patching",
    "induction-heads",
    "circuits",
    "steering-and-safety",
    "logit-lens",
)


def _tagged(tag: str) -> list[tuple[str, dict]]:
    return [(quiz["kind"], q) for _, quiz, q in questions() if tag in (q.get("tags") or [])]


def test_the_lessons_are_there_in_order():
    assert tuple(le.id for le in lessons()) == LESSON_IDS


def test_at_least_110_questions():
    assert len(questions()) >= 110


def test_seed_quick_checks_are_covered_by_quick_checks():
    for tag in SEED_QUICK_CHECKS:
        found = _tagged(tag)
        assert found, f"no question tagged {tag}"
        assert all(kind == "quick-check" for kind, _ in found), tag


def test_seed_recap_questions_are_in_a_recap_quiz_with_more_besides():
    for tag in SEED_RECAP:
        found = _tagged(tag)
        assert found, f"no question tagged {tag}"
        assert all(kind == "recap" for kind, _ in found), tag
    recap = [q for _, quiz, q in questions() if quiz["kind"] == "recap"]
    assert len(recap) > len(SEED_RECAP)
    # A recap spans the course rather than one lesson.
    assert len({q["lesson"] for q in recap}) == len(LESSON_IDS)


def test_seed_interview_questions_are_free_recall_cards_with_the_seed_difficulty():
    for tag, stars in SEED_INTERVIEW.items():
        found = _tagged(tag)
        assert len(found) == 1, f"{tag}: {len(found)} questions"
        kind, q = found[0]
        assert kind == "interview" and q["kind"] == "free", tag
        assert q["difficulty"] == stars, f"{tag}: difficulty {q['difficulty']}, seed says {stars}"
        assert len(q["model_answer"].split()) >= 80, f"{tag}: model answer is too thin"


def test_every_lesson_is_examined_beyond_its_own_quick_check():
    """Each lesson's ideas come back in the recap or the interview cards."""
    elsewhere = Counter(
        q["lesson"] for _, quiz, q in questions() if quiz["kind"] in ("recap", "interview")
    )
    for lesson_id in LESSON_IDS:
        assert elsewhere[lesson_id] >= 1, lesson_id
