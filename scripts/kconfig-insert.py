#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kconfig-insert.py SOURCE ENTRY DEST AFTER: insert the entry "config ENTRY"
of the Kconfig file SOURCE into DEST, after the entry "config AFTER"."""

import sys


def entry(lines, name):
    """The lines of the entry "config name", without trailing blank lines."""
    start = lines.index("config " + name)
    end = start + 1
    while end < len(lines) and not lines[end].startswith(("config ", "menuconfig ")):
        end += 1
    block = lines[start:end]
    while block and block[-1] == "":
        block.pop()
    return start, start + len(block), block


def main(source, name, dest, after):
    with open(source) as f:
        src = f.read().split("\n")
    with open(dest) as f:
        lines = f.read().split("\n")
    try:
        _, _, block = entry(src, name)
        _, end, _ = entry(lines, after)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    lines[end:end] = [""] + block
    with open(dest, "w") as f:
        f.write("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
