#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""outgoing.py SRC DEST OLD_NAME OLD_EMAIL NAME EMAIL FROM: copy the git
format-patch files SRC/*.patch into DEST (created) with the identity
"NAME <EMAIL>" where git format-patch wrote that of the author,
"OLD_NAME <OLD_EMAIL>":

- the From: header becomes FROM, the header as git format-patch writes it
  for NAME <EMAIL> (RFC 2047 encoded, and folded, when NAME is not ASCII);
- the Signed-off-by: trailers of OLD become "Signed-off-by: NAME <EMAIL>"
  (in UTF-8, as git commit -s writes them);
- in the cover letter, the heading of the shortlog ("OLD_NAME (N):") and
  the closing signature;
- in the diffs of MAINTAINERS, the maintainer line of the entry the series
  adds, "M:<tab>OLD", becomes "M:<tab>NAME <EMAIL>" wherever it is: added
  ("+M:<tab>OLD"), removed ("-M:<tab>OLD"), context (" M:<tab>OLD") or the
  text after a hunk header ("@@ -A,B +C,D @@ M:<tab>OLD"); every patch
  gets the same line, so that they still apply one after the other;
- a message that this makes 8-bit gets the MIME headers git format-patch
  gives one, after its Subject: header.

Nothing else changes: the To: and Cc: headers, the messages and the rest of
the diffs are copied as they are. It fails when a line it must change is
missing, and when OLD_NAME or OLD_EMAIL is left anywhere. It prints the
lines of the diffs it changed, as "file:line:text"."""

import os
import re
import sys

MIME = [
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 8bit",
]


def fail(path, why):
    sys.exit(f"{os.path.basename(path)}: {why}")


def fields(head):
    """The header lines as fields: each its first line and its continuation
    lines."""
    out = []
    for line in head:
        if line[:1] in (" ", "\t") and out:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def maintainer(body, start, old, new):
    """In the diffs of MAINTAINERS, from body[start] on, the maintainer line
    "M:<tab>OLD" becomes "M:<tab>NEW": as an added, removed or context line,
    and after a hunk header. Returns the indexes of the lines it changed."""
    line_old, line_new = "M:\t" + old, "M:\t" + new
    hunk = re.compile(r"(@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@ )" + re.escape(line_old))
    changed = []
    in_maintainers = False
    for i in range(start, len(body)):
        line = body[i]
        if line.startswith("diff --git "):
            in_maintainers = line == "diff --git a/MAINTAINERS b/MAINTAINERS"
        elif not in_maintainers:
            continue
        elif line[:1] in ("+", "-", " ") and line[1:] == line_old:
            body[i] = line[0] + line_new
            changed.append(i)
        elif m := hunk.fullmatch(line):
            body[i] = m.group(1) + line_new
            changed.append(i)
    return changed


def rewrite(path, text, old_name, old_email, name, email, from_lines):
    old = f"{old_name} <{old_email}>"
    new = f"{name} <{email}>"
    cover = os.path.basename(path).startswith("0000-cover-letter")
    lines = text.split("\n")
    try:
        end = lines.index("")
    except ValueError:
        fail(path, "no end of the headers")
    head = fields(lines[:end])
    body = lines[end:]

    at = [i for i, f in enumerate(head) if f[0].startswith("From: ")]
    if len(at) != 1 or head[at[0]] != ["From: " + old]:
        fail(path, f"no header 'From: {old}'")
    head[at[0]] = from_lines
    if not new.isascii() and not any(f[0].lower().startswith("content-type:") for f in head):
        subject = [i for i, f in enumerate(head) if f[0].startswith("Subject: ")]
        if len(subject) != 1:
            fail(path, "no Subject: header")
        head[subject[0] + 1:subject[0] + 1] = [[m] for m in MIME]

    # The message: up to the "---" before the diffstat; the cover letter is
    # all message.
    msg_end = len(body) if cover else body.index("---") if "---" in body else -1
    if msg_end < 0:
        fail(path, "no '---' line after the message")
    sob = 0
    for i in range(msg_end):
        if body[i] == "Signed-off-by: " + old:
            body[i] = "Signed-off-by: " + new
            sob += 1
    if not cover and sob == 0:
        fail(path, f"no 'Signed-off-by: {old}'")
    if cover:
        heading = re.compile(re.escape(old_name) + r" (\(\d+\):)")
        at = [i for i, line in enumerate(body) if heading.fullmatch(line)]
        if len(at) != 1:
            fail(path, f"no shortlog heading '{old_name} (N):'")
        body[at[0]] = heading.sub(lambda m: f"{name} {m.group(1)}", body[at[0]])
        last = len(body) - 1
        while last > 0 and body[last] == "":
            last -= 1
        if body[last] != old or body[last - 1] != "-- ":
            fail(path, f"no closing signature '-- ' and '{old}'")
        body[last] = new

    # The diffs: the MAINTAINERS entry's maintainer.
    changed = [] if cover else maintainer(body, msg_end, old, new)

    out = [line for f in head for line in f] + body
    # Nothing is left of OLD, in the diffs either.
    for n, line in enumerate(out, 1):
        if old_name in line or old_email in line:
            fail(path, f"line {n} still names {old}: {line}")
    start = len(out) - len(body) + 1
    return "\n".join(out), [f"{os.path.basename(path)}:{start + i}:{body[i]}" for i in changed]


def main(src, dest, old_name, old_email, name, email, from_header):
    from_lines = from_header.rstrip("\n").split("\n")
    if not from_lines[0].startswith("From: "):
        sys.exit(f"not a From: header: {from_header!r}")
    names = sorted(n for n in os.listdir(src) if n.endswith(".patch"))
    if not names:
        sys.exit(f"no patches in {src}")
    os.makedirs(dest)
    for n in names:
        path = os.path.join(src, n)
        with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
            text = f.read()
        text, changed = rewrite(path, text, old_name, old_email, name, email, from_lines)
        with open(os.path.join(dest, n), "w", encoding="utf-8", errors="surrogateescape",
                  newline="") as f:
            f.write(text)
        for line in changed:
            print(line)


if __name__ == "__main__":
    if len(sys.argv) != 8:
        sys.exit(__doc__)
    main(*sys.argv[1:])
