"""Regenerate ``_national.py`` (the default profile as Python data) from ``national.toml``:
``python -m xltool.profiles.gen``. ``tests/test_profiles.py`` fails while the two differ."""

from __future__ import annotations

import pprint
import tomllib
from pathlib import Path

HERE = Path(__file__).parent
HEADER = ('"""The built-in ``national`` profile as Python data (generated from national.toml: no TOML parsing at\n'
          'start-up). Regenerate with ``python -m xltool.profiles.gen`` after editing national.toml;\n'
          'tests/test_profiles.py keeps the two equal."""\n\n')


def source() -> str:
    data = tomllib.loads((HERE / "national.toml").read_text(encoding="utf-8"))
    return HEADER + "DATA = " + pprint.pformat(data, width=110, sort_dicts=False) + "\n"


if __name__ == "__main__":
    (HERE / "_national.py").write_text(source(), encoding="utf-8")
