#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""series-import.py TOP TREE BRANCH: write the series' sources back from a
branch of the kernel tree TREE (one commit per patch on top of "pristine").

The recipe c/series/NN-slug/ of each commit gets:
  changelog  the commit message, without the Signed-off-by lines that the
             generator adds;
  files      unchanged, but every whole file it lists ("SRC DEST") is copied
             back from DEST to SRC; a file the commit adds that no recipe
             lists yet is added to this one's list, with its SRC chosen by
             SOURCE_OF below;
  *.diff     the rest of the commit's changes, one file per path as before
             (a path no diff held yet goes to the diff named after its top
             folder), except the Kconfig entries that "kconfig" lines insert,
             whose source is ./Kconfig; another base's adjustments
             (BASE.diff) are left as they are.
A commit keeps the recipe whose changelog has its subject; the others are
paired with the remaining recipes in order, or get a new recipe named after
their subject; recipes left over are removed; then the recipes are renamed
NN-slug in the order of the commits.
"""

import os
import re
import shutil
import subprocess
import sys

# Where a file that the series adds lives in this repository.
SOURCE_OF = [
    (r"^ipc/(.*\.rs)$", r"rust/ipc/\1"),
    (r"^ipc/(.*)$", r"c/ipc/\1"),
    (r"^include/(.*)$", r"c/include/\1"),
    (r"^tools/testing/selftests/ipc/(.*)$", r"tests/selftests/ipc/\1"),
]


def git(tree, *args):
    return subprocess.run(["git", "-C", tree, *args], check=True,
                          capture_output=True, text=True).stdout


def source_of(dest):
    for pat, rep in SOURCE_OF:
        if re.match(pat, dest):
            return re.sub(pat, rep, dest)
    sys.exit("series-import: no place in this repository for new file " + dest)


def read_files(path):
    """The lines of a "files" recipe, and its whole-file and kconfig DESTs."""
    lines, whole, kconfig = [], {}, set()
    if os.path.exists(path):
        with open(path) as f:
            lines = f.read().splitlines()
    for line in lines:
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "kconfig":
            kconfig.add(words[3])
        else:
            whole[words[1]] = words[0]
    return lines, whole, kconfig


def diff_owner(recipe):
    """path -> the name of the recipe's diff file that holds it."""
    owner = {}
    for name in sorted(os.listdir(recipe)):
        # BASE.diff (6.12.diff): another base's adjustments, kept as they are.
        if name.endswith(".diff") and not re.match(r"^\d+\.\d+\.diff$", name):
            with open(os.path.join(recipe, name)) as f:
                for m in re.finditer(r"^diff --git a/(\S+) ", f.read(), re.M):
                    owner[m.group(1)] = name
    return owner


def slug(subject):
    s = re.sub(r"[^a-z0-9]+", "-", subject.lower()).strip("-")
    return s[:40].rstrip("-")


def main(top, tree, branch):
    series = os.path.join(top, "c", "series")
    recipes = sorted(d for d in os.listdir(series) if re.match(r"\d\d-", d))
    commits = git(tree, "rev-list", "--reverse", "pristine.." + branch).split()
    if not commits:
        sys.exit("series-import: %s has no commits on top of pristine" % branch)

    # A commit keeps the recipe of its subject; the others are paired by
    # position; then the recipes are numbered in the order of the commits.
    subjects = [git(tree, "log", "-1", "--format=%s", c).strip() for c in commits]
    by_subject = {}
    for r in recipes:
        with open(os.path.join(series, r, "changelog")) as f:
            by_subject.setdefault(f.readline().strip(), r)
    mine = [by_subject.get(s) for s in subjects]
    spare = [r for r in recipes if r not in mine]
    for k, s in enumerate(subjects):
        if mine[k] is None and spare:
            mine[k] = spare.pop(0)
    for r in recipes:
        if r not in mine:
            shutil.rmtree(os.path.join(series, r))
            print("    removed %s" % r)
    for k, r in enumerate(mine):
        if r is not None:
            os.rename(os.path.join(series, r), os.path.join(series, "tmp-%02d" % k))

    # Whole files of any recipe: a commit that adds one that another recipe
    # lists (a later patch rewrites it) keeps its version as a diff.
    listed = set()
    for r in os.listdir(series):
        if os.path.isdir(os.path.join(series, r)):
            listed.update(read_files(os.path.join(series, r, "files"))[1])

    for k, c in enumerate(commits):
        subject = subjects[k]
        name = "%02d-%s" % (k + 1, mine[k][3:] if mine[k] else slug(subject))
        if mine[k]:
            os.rename(os.path.join(series, "tmp-%02d" % k), os.path.join(series, name))
        else:
            os.makedirs(os.path.join(series, name))
        recipe = os.path.join(series, name)

        msg = git(tree, "log", "-1", "--format=%B", c).rstrip("\n").split("\n")
        while msg and (msg[-1].startswith("Signed-off-by: ") or msg[-1] == ""):
            msg.pop()
        with open(os.path.join(recipe, "changelog"), "w") as f:
            f.write("\n".join(msg) + "\n")

        files_path = os.path.join(recipe, "files")
        lines, whole, kconfig = read_files(files_path)
        changed = git(tree, "diff", "--name-status", "--no-renames", c + "^", c).splitlines()
        rest = []
        for line in changed:
            status, path = line.split("\t", 1)
            if path in kconfig:
                continue
            if path not in whole and status == "A" and path not in listed:
                whole[path] = source_of(path)
                lines.append("%s %s" % (whole[path], path))
            if path in whole:
                dst = os.path.join(top, whole[path])
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                with open(dst, "w") as f:
                    f.write(git(tree, "show", "%s:%s" % (c, path)))
                continue
            rest.append(path)
        if lines:
            with open(files_path, "w") as f:
                f.write("\n".join(lines) + "\n")

        owner = diff_owner(recipe)
        for old in set(owner.values()):
            os.remove(os.path.join(recipe, old))
        groups = {}
        for path in rest:
            diff = owner.get(path, path.split("/")[0].lstrip(".") + ".diff")
            groups.setdefault(diff, []).append(path)
        for diff, paths in groups.items():
            with open(os.path.join(recipe, diff), "w") as f:
                f.write(git(tree, "diff", "--no-renames", c + "^", c, "--", *paths))
        print("    %s: %s" % (name, subject))


if __name__ == "__main__":
    main(*sys.argv[1:])
