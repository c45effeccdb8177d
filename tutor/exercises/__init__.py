"""Exercises: checking learner code in a sandbox process, and the learner's own copies.

- :mod:`tutor.exercises.workspace`: where the learner's files live (the data directory),
  created from the starter once and never overwritten except by an explicit reset.
- :mod:`tutor.exercises.runner`: :func:`check_files`, which the app and the CLI call.
- :mod:`tutor.exercises.sandbox`: the separate, forked, resource-limited checking process.
- :mod:`tutor.exercises.env`: what an exercise's ``check(env)`` uses to call and compare.

The exercise format itself (``exercise.yaml`` and its validation) is
:mod:`tutor.curriculum.exercises`. Nothing here imports Textual; torch only in the sandbox.
"""
