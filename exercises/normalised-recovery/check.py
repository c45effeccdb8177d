"""Check normalised_recovery on hand-picked and random triples, then a zero gap."""

import math
import random


def check(env):
    cases = [(2.0, 4.0, 0.0), (0.0, 4.0, 0.0), (4.0, 4.0, 0.0), (5.0, 4.0, 0.0), (1.0, 3.0, -1.0)]
    rng = random.Random(0)
    cases += [(rng.uniform(-5, 5), rng.uniform(2, 6), rng.uniform(-6, 1)) for _ in range(20)]
    for patched, clean, corrupted in cases:
        got = env.call("normalised_recovery", patched, clean, corrupted)
        env.number(
            f"normalised_recovery(patched={patched:.3g}, clean={clean:.3g}, "
            f"corrupted={corrupted:.3g})",
            got,
            env.ref("normalised_recovery", patched, clean, corrupted),
            hint="0 when patched == corrupted, 1 when patched == clean: "
            "(patched - corrupted) / (clean - corrupted)",
        )
    fn = env.function("normalised_recovery")
    try:
        value = fn(1.0, 2.0, 2.0)
    except ValueError:
        pass
    except Exception as exc:
        env.fail(
            "with clean == corrupted, "
            + env.explain_exception("normalised_recovery", exc)
            + "\nRaise ValueError instead (check the gap before dividing)."
        )
    else:
        shown = "inf" if isinstance(value, float) and math.isinf(value) else repr(value)
        env.fail(
            f"normalised_recovery(1, clean=2, corrupted=2) returned {shown}; a zero gap "
            "means the metric is undefined: raise ValueError"
        )
    return "normalised_recovery is right, and refuses a zero gap."
