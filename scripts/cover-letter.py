#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""cover-letter.py PATCH SOURCE: fill git format-patch's cover letter PATCH
with the subject (first line) and body (the rest) of SOURCE, and give it
b4's trailer: a change-id after the base-commit line, and a signature."""

import sys

# A series keeps its change-id across versions (b4 prep).
TRAILER = """change-id: 20261101-sysvipc-chid-5c1e2d7a90b3

Best regards,
--\x20
SysV IPC chid <sysvipc-chid@lists.invalid>
"""


def main(patch, source):
    with open(source) as f:
        subject, _, body = f.read().partition("\n\n")
    with open(patch) as f:
        text = f.read()
    text = text.replace("*** SUBJECT HERE ***", subject.strip())
    text = text.replace("*** BLURB HERE ***", body.rstrip("\n"))
    text = text.rstrip("\n") + "\n" + TRAILER
    with open(patch, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main(*sys.argv[1:])
