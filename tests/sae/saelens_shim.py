import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

import transformer_lens
from transformer_lens import HookedRootModule


class _Any(type):
    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _stub(name)


def _stub(name):
    return _Any(name, (), {})


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        if not fullname.startswith("transformer_lens."):
            return None
        for f in sys.meta_path:
            if f is self or not hasattr(f, "find_spec"):
                continue
            try:
                spec = f.find_spec(fullname, path, target)
            except Exception:
                spec = None
            if spec is not None:
                return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        m = types.ModuleType(spec.name)
        m.__path__ = []

        def _get(name):
            if name.startswith("__"):
                raise AttributeError(name)
            return HookedRootModule if name == "HookedRootModule" else _stub(name)

        m.__getattr__ = _get
        return m

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, _Finder())
transformer_lens.__dict__["HookedTransformer"] = _stub("HookedTransformer")
