"""Strict JSON out: no ``NaN`` or ``Infinity`` tokens anywhere, ever.

Python's ``json`` writes bare ``NaN`` by default, which most parsers reject. Every JSON the
project prints or stores goes through ``to_jsonable`` (non-finite floats become ``null``)
and is dumped with ``allow_nan=False``, so a slip raises here instead of producing a file
another tool cannot read. A result that has a ``null`` carries the reason in its own field.
"""

from __future__ import annotations

import json
import math
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Plain JSON data with non-finite floats replaced by ``None`` (pydantic models dumped)."""
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy / torch, any shape
        return to_jsonable(value.tolist())
    return value


def dumps(value: Any, indent: int | None = 1) -> str:
    """Strict JSON text for ``value``."""
    return json.dumps(to_jsonable(value), indent=indent, allow_nan=False, ensure_ascii=False)
