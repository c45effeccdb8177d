"""What an exercise's ``check(env)`` works with, inside the sandbox process.

A checker calls the learner's functions through :meth:`Env.call` (which turns an
exception into a message naming the learner's line) and compares what came back with
the reference through :meth:`Env.tensor` / :meth:`Env.number` (which name a wrong type,
a wrong shape, NaNs or the largest difference). Anything a check rejects ends in
:class:`CheckFailed` with a message the learner can act on.

torch is imported lazily, so this module can be imported (and tested) without it.
"""

from __future__ import annotations

import linecache
import math
import sys
import traceback
from types import ModuleType
from typing import Any, NoReturn

MODEL_NAME = "tutor-gpt"


class CheckFailed(Exception):
    """The learner's code does not do the task yet; ``str()`` says what to fix."""


def _shape(value: Any) -> str:
    return "[" + ", ".join(str(n) for n in value.shape) + "]"


def _describe_shape(shape: str) -> str:
    return f"{shape} (a scalar)" if shape == "[]" else shape


class Env:
    """The check's view of one learner file and the reference solution.

    ``task`` is the learner's module, ``reference`` the reference solution's;
    ``file`` the learner's file name as the learner knows it (used in messages) and
    ``source_path`` where the copy that runs lives (to find its frames in tracebacks).
    """

    def __init__(
        self,
        task: ModuleType,
        reference: ModuleType,
        file: str,
        source_path: str,
        memory_mb: int = 1024,
    ) -> None:
        self.memory_mb = memory_mb
        self.task = task
        self.reference = reference
        self.file = file
        self.source_path = source_path

    # -- the model --------------------------------------------------------------------

    def model(self) -> Any:
        """tutor-gpt on the CPU (loaded once per sandbox process, shared by checks)."""
        from tutor.model.loader import get_model

        model = get_model(MODEL_NAME, "cpu")
        model.reset_hooks()
        return model

    # -- failing ------------------------------------------------------------------------

    def fail(self, message: str) -> NoReturn:
        raise CheckFailed(message)

    def learner_line(self, tb: Any) -> tuple[int, str] | None:
        """The deepest frame of ``tb`` in the learner's file: (line number, its code)."""
        found = None
        for frame in traceback.extract_tb(tb):
            if frame.filename == self.source_path and frame.lineno is not None:
                code = frame.line or linecache.getline(self.source_path, frame.lineno)
                found = (frame.lineno, code.strip())
        return found

    def explain_exception(self, name: str, exc: BaseException) -> str:
        """``name raised ValueError: … (line 12 of task.py: `x = …`)``."""
        detail = str(exc).strip().splitlines()
        first = detail[0] if detail else ""
        if len(first) > 300:
            first = first[:297] + "…"
        kind = type(exc).__name__
        if isinstance(exc, NotImplementedError):
            text = f"{name} is not written yet: it still raises NotImplementedError"
            text += f" ({first})" if first else ""
            return text + ". Replace the TODO with your code."
        text = f"{name} raised {kind}: {first}" if first else f"{name} raised {kind}"
        if isinstance(exc, MemoryError) or "allocate memory" in first:
            text = (
                f"{name} ran out of memory: it needed more than the {self.memory_mb} MB a "
                "check may use beyond the model (a tensor far larger than needed?)"
            )
        where = self.learner_line(exc.__traceback__)
        if where is not None:
            text += f"\n  at line {where[0]} of {self.file}: {where[1]}"
        if isinstance(exc, RecursionError):
            text += "\n  (a function that calls itself without end?)"
        return text

    # -- calling the learner ---------------------------------------------------------

    def function(self, name: str) -> Any:
        fn = getattr(self.task, name, None)
        if fn is None:
            self.fail(
                f"{self.file} does not define {name}() (it is the function the task asks for)"
            )
        if not callable(fn):
            self.fail(f"{name} in {self.file} is a {type(fn).__name__}, not a function")
        return fn

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the learner's ``name`` with copies of tensor arguments.

        Copies keep a function that changes its inputs in place from changing what the
        reference sees next.
        """
        fn = self.function(name)
        args = tuple(_copy(a) for a in args)
        kwargs = {k: _copy(v) for k, v in kwargs.items()}
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            self.fail(self.explain_exception(name, exc))

    def ref(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the reference solution's ``name`` (on copies, like :meth:`call`)."""
        args = tuple(_copy(a) for a in args)
        kwargs = {k: _copy(v) for k, v in kwargs.items()}
        return getattr(self.reference, name)(*args, **kwargs)

    # -- comparing ---------------------------------------------------------------------

    def tensor(
        self,
        what: str,
        got: Any,
        expected: Any,
        *,
        atol: float = 1e-4,
        rtol: float = 1e-4,
        hint: str = "",
        shape_hint: str = "",
    ) -> Any:
        """Check ``got`` is a tensor shaped and valued like ``expected``; return it."""
        import torch

        expected = torch.as_tensor(expected).detach()
        if got is None:
            self.fail(f"{what} is None: finish the TODO and `return` the result")
        if isinstance(got, int | float) and not isinstance(got, bool) and expected.ndim == 0:
            got = torch.tensor(float(got))
        if not isinstance(got, torch.Tensor):
            self.fail(
                f"{what} is a {type(got).__name__}; expected a torch.Tensor of shape "
                f"{_describe_shape(_shape(expected))}"
            )
        got = got.detach()
        if got.shape != expected.shape:
            message = (
                f"{what} has shape {_shape(got)}; expected {_describe_shape(_shape(expected))}"
            )
            self.fail(message + (f": {shape_hint}" if shape_hint else ""))
        if expected.dtype == torch.bool:
            if got.dtype != torch.bool:
                self.fail(f"{what} has dtype {got.dtype}; expected a boolean mask (torch.bool)")
            wrong = int((got != expected).sum())
            if wrong:
                self.fail(f"{what}: {wrong} of {got.numel()} entries differ" + _tail(hint))
            return got
        if not got.is_floating_point() and expected.is_floating_point():
            got = got.double()
        got_f, exp_f = got.double().cpu(), expected.double().cpu()
        if torch.isnan(got_f).any() and not torch.isnan(exp_f).any():
            self.fail(f"{what} contains NaN" + _tail(hint or "a division by zero?"))
        if not torch.allclose(got_f, exp_f, atol=atol, rtol=rtol, equal_nan=True):
            diff = (got_f - exp_f).abs().nan_to_num(math.inf)
            flat = int(diff.argmax())
            index = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), got.shape))
            where = f" at index {list(index)}" if index else ""
            mine, want = got_f.flatten()[flat].item(), exp_f.flatten()[flat].item()
            self.fail(f"{what} is off{where}: yours {mine:.5g}, expected {want:.5g}" + _tail(hint))
        return got

    def number(
        self, what: str, got: Any, expected: float, *, atol: float = 1e-4, hint: str = ""
    ) -> float:
        """Check ``got`` is a Python number (or 1-element tensor) close to ``expected``."""
        if got is None:
            self.fail(f"{what} is None: finish the TODO and `return` the result")
        if hasattr(got, "numel"):
            if got.numel() != 1:
                self.fail(f"{what} has shape {_shape(got)}; expected a single number")
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, int | float):
            self.fail(f"{what} is a {type(got).__name__}; expected a number")
        if math.isnan(got) and not math.isnan(expected):
            self.fail(f"{what} is NaN" + _tail(hint or "a division by zero?"))
        if abs(got - expected) > atol + 1e-4 * abs(expected):
            self.fail(f"{what} is {got:.5g}; expected {expected:.5g}" + _tail(hint))
        return float(got)


def _tail(hint: str) -> str:
    return f". {hint[:1].upper()}{hint[1:]}" if hint else ""


def _copy(value: Any) -> Any:
    clone = getattr(value, "clone", None)
    if "torch" in sys.modules and callable(clone) and hasattr(value, "requires_grad"):
        return value.detach().clone() if not value.requires_grad else value
    return value
