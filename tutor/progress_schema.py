"""The progress database's tables, as numbered migrations.

``PRAGMA user_version`` holds how many migrations a file has had. Opening a file applies
the missing ones in order, inside one write transaction, so a file is never left half
migrated and two instances opening it at once do not both migrate. Never edit a
migration that has shipped: add a new one.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: lesson reading, quiz attempts, review cards.
    (
        """CREATE TABLE sections_read (
            lesson_id TEXT NOT NULL,
            section_key TEXT NOT NULL,
            first_read_at TEXT NOT NULL,
            PRIMARY KEY (lesson_id, section_key)
        )""",
        """CREATE TABLE lesson_position (
            lesson_id TEXT PRIMARY KEY,
            section_index INTEGER NOT NULL,
            section_key TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            question_id TEXT NOT NULL,
            quiz_id TEXT,
            lesson_id TEXT,
            source TEXT NOT NULL,
            answer TEXT NOT NULL,
            correct INTEGER NOT NULL,
            rating INTEGER NOT NULL,
            time_taken_s REAL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX attempts_by_question ON attempts (question_id)",
        "CREATE INDEX attempts_by_lesson ON attempts (lesson_id)",
        """CREATE TABLE cards (
            question_id TEXT PRIMARY KEY,
            card TEXT NOT NULL,
            due_ts REAL NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX cards_by_due ON cards (due_ts)",
    ),
    # 2: finished-quiz scores and saved lab runs.
    (
        """CREATE TABLE quiz_scores (
            id INTEGER PRIMARY KEY,
            quiz_id TEXT NOT NULL,
            lesson_id TEXT,
            correct INTEGER NOT NULL,
            total INTEGER NOT NULL,
            finished_at TEXT NOT NULL
        )""",
        "CREATE INDEX quiz_scores_by_quiz ON quiz_scores (quiz_id)",
        """CREATE TABLE lab_runs (
            id INTEGER PRIMARY KEY,
            lab TEXT NOT NULL,
            title TEXT NOT NULL,
            created_at TEXT NOT NULL,
            params TEXT NOT NULL,
            result TEXT NOT NULL
        )""",
        "CREATE INDEX lab_runs_by_lab ON lab_runs (lab, id)",
    ),
    # 3: exercise checks (each a pass or a fail with the checker's message).
    (
        """CREATE TABLE exercise_attempts (
            id INTEGER PRIMARY KEY,
            exercise_id TEXT NOT NULL,
            lesson_id TEXT,
            passed INTEGER NOT NULL,
            message TEXT NOT NULL,
            duration_s REAL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX exercise_attempts_by_exercise ON exercise_attempts (exercise_id, id)",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
