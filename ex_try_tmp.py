import sys, time
from pathlib import Path
from tutor.curriculum.exercises import load_exercises
from tutor.exercises.runner import CheckRequest, check_files
ex = load_exercises()
print(ex.problems)
reqs = []
for arg in sys.argv[1:]:
    eid, _, f = arg.partition("=")
    e = ex.get(eid)
    f = {"ref": e.reference_path, "task": e.task_path}.get(f) or Path(f)
    reqs.append(CheckRequest(e, f))
t = time.time()
for r in check_files(reqs):
    print(r.id, r.passed, r.message, "|OUT:", r.output[-200:], r.duration_s)
print("total", time.time() - t)
