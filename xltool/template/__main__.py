"""Regenerate the shipped templates: ``python -m xltool.template [FOLDER]`` (default: templates/)."""

from __future__ import annotations

import sys

from xltool.template import SHIPPED, write_shipped

if __name__ == "__main__":
    for path in write_shipped(sys.argv[1] if len(sys.argv) > 1 else SHIPPED):
        print(path)
