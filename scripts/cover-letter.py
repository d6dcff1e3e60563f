#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""cover-letter.py PATCH SOURCE SIGNATURE [PREFACE]: fill git format-patch's
cover letter PATCH with the subject (first line) and body (the rest) of
SOURCE, the body preceded by the text of the file PREFACE if given, and give
it b4's trailer: a change-id, and the signature "Name <address>". "@BASE@"
in the text becomes the environment's COVER_BASE, what the series is based
on."""

import os
import sys

# A series keeps its change-id across versions (b4 prep).
TRAILER = """---
change-id: 20261101-sysvipc-chid-5c1e2d7a90b3

Best regards,
--\x20
"""


def main(patch, source, signature, preface=None):
    with open(source) as f:
        subject, _, body = f.read().partition("\n\n")
    if preface:
        with open(preface) as f:
            body = f.read().rstrip("\n") + "\n\n" + body
    with open(patch) as f:
        text = f.read()
    text = text.replace("*** SUBJECT HERE ***", subject.strip())
    # b4's layout: "---" after the body and before the trailer.
    text = text.replace("*** BLURB HERE ***", body.rstrip("\n") + "\n\n---")
    text = text.replace("@BASE@", os.environ["COVER_BASE"])
    text = text.rstrip("\n") + "\n\n" + TRAILER + signature + "\n"
    with open(patch, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main(*sys.argv[1:])
