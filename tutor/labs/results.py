"""Finished lab results kept for the life of the process, so a lab opened again shows at once.

Every lab that opts in (``LabInfo.reuse_results``) computes a pure function of (model,
device, parameters): each seeds its own randomness. A result already computed in this
process can therefore be shown again instead of recomputed — re-opening a lab, going back
to a preset, or re-running an unchanged form costs a dictionary lookup instead of a model
run. The store is a small least-recently-used map (``LIMIT`` results), filled only by runs
that finished (a cancelled run raises before it returns). Labs whose results hold a trained
model opt out (the SAE lab keeps trained SAEs on disk instead).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

LIMIT = 32

_results: OrderedDict[tuple[str, str, str, str], Any] = OrderedDict()
_lock = threading.Lock()


def _key(lab_id: str, params: Any, model_name: str, device: str) -> tuple[str, str, str, str]:
    return (lab_id, model_name, device, params.model_dump_json())


def lookup(lab_id: str, params: Any, model_name: str, device: str) -> Any | None:
    """The result of an earlier finished run with exactly these parameters, or None."""
    key = _key(lab_id, params, model_name, device)
    with _lock:
        result = _results.get(key)
        if result is not None:
            _results.move_to_end(key)
        return result


def remember(lab_id: str, params: Any, model_name: str, device: str, result: Any) -> None:
    """Keep a finished run's result (the oldest is dropped past ``LIMIT``)."""
    key = _key(lab_id, params, model_name, device)
    with _lock:
        _results[key] = result
        _results.move_to_end(key)
        while len(_results) > LIMIT:
            _results.popitem(last=False)


def forget() -> None:
    """Drop every kept result (tests start from an empty store)."""
    with _lock:
        _results.clear()


def kept() -> int:
    """How many results are kept."""
    with _lock:
        return len(_results)
