"""A tiny curriculum for store tests, and helpers for writer subprocesses."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from tutor.curriculum import Curriculum, load_curriculum

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "tests" / "curriculum" / "fixtures" / "course"


def fixture_curriculum() -> Curriculum:
    return load_curriculum([COURSE / "content"], [COURSE / "quizzes"])


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


# A writer process: records N attempts on alternating questions, printing each attempt id
# once its transaction has committed.
WRITER = """
import sys
import time
from pathlib import Path
sys.path.insert(0, {repo!r})
from tutor.curriculum import grade, load_curriculum
from tutor.progress import ProgressStore

course = Path({course!r})
c = load_curriculum([course / "content"], [course / "quizzes"])
store = ProgressStore(Path(sys.argv[1]))
questions = [c.question("st-add"), c.question("hd-move")]
n = int(sys.argv[2])
print("ready", flush=True)
if sys.argv[3] != "k":
    sys.stdin.readline()  # wait for "go", so that concurrent writers start together
for i in range(n):
    q = questions[i % 2]
    a = store.record_attempt(q, grade(q, i % 2), quiz_id=sys.argv[3], time_taken_s=0.5)
    store.record_visit("streams", f"s{{i % 3}}", i % 3)
    print(a.id, flush=True)
    time.sleep(0.002)  # a learner pauses between answers; lets the other writer in
"""


def writer_command(db: Path, n: int, tag: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        WRITER.format(repo=str(REPO), course=str(COURSE)),
        str(db),
        str(n),
        tag,
    ]
