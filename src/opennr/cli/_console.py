"""The consoles every command prints to."""

from __future__ import annotations

import sys

from rich.console import Console

# A table piped to a file or a log keeps its columns readable.
console = Console(width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True, soft_wrap=True)
