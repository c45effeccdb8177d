"""Lessons and quizzes: schemas, loaders, grading and review scheduling. Never imports Textual."""
