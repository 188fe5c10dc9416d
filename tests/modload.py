"""Loading a test's data builder (tests/acceptance*/build.py, score.py) from its file under a unique module name:
``build`` is also a PyPI package's name, and the sets must not import one another's modules by accident."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module
