#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""cover-letter.py PATCH SOURCE: fill git format-patch's cover letter PATCH
with the subject (first line) and body (the rest) of SOURCE."""

import sys


def main(patch, source):
    with open(source) as f:
        subject, _, body = f.read().partition("\n\n")
    with open(patch) as f:
        text = f.read()
    text = text.replace("*** SUBJECT HERE ***", subject.strip())
    text = text.replace("*** BLURB HERE ***", body.rstrip("\n"))
    with open(patch, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main(*sys.argv[1:])
