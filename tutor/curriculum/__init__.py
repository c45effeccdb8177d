"""Lessons and quizzes: schemas, loaders, grading and review scheduling. Never imports Textual.

The names the UI uses are re-exported here.
"""

from tutor.curriculum.grading import (
    AnswerError,
    Grade,
    QuizScore,
    SelfRating,
    grade,
    grade_free,
    grade_multi,
    grade_single,
    score,
)
from tutor.curriculum.loader import AnyQuestion, Curriculum, check_paths, load_curriculum
from tutor.curriculum.review import CardState, DueQuestion, ReviewScheduler, due_questions
from tutor.curriculum.schema import (
    FreeRecall,
    Lesson,
    LessonMeta,
    MultiChoice,
    Problem,
    Question,
    Quiz,
    QuizMeta,
    Section,
    SingleChoice,
)

__all__ = [
    "AnswerError",
    "AnyQuestion",
    "CardState",
    "Curriculum",
    "DueQuestion",
    "FreeRecall",
    "Grade",
    "Lesson",
    "LessonMeta",
    "MultiChoice",
    "Problem",
    "Question",
    "Quiz",
    "QuizMeta",
    "QuizScore",
    "ReviewScheduler",
    "Section",
    "SelfRating",
    "SingleChoice",
    "check_paths",
    "due_questions",
    "grade",
    "grade_free",
    "grade_multi",
    "grade_single",
    "load_curriculum",
    "score",
]
