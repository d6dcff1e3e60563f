#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge a QEMU serial console log of a test boot.

The log holds the kernel's messages, the KUnit results (KTAP) printed at
boot, and the output of every test program that /init ran, framed by
"chid-run: NAME" and "chid-exit: NAME STATUS".  A boot passes only if:

  - /init reached "chid-init: done" (no timeout, no crash);
  - every expected KUnit suite reported "ok", and none reported "not ok";
  - every expected program ran and exited 0 (as the kselftest runner
    judges a program), and if it printed TAP, as many results as its plan,
    none of them "not ok" and none skipped;
  - for the kselftest runner (run_kselftest.sh), the same holds for the TAP
    of each test it ran, which it prints prefixed with "# ";
  - the kernel printed no oops, BUG, WARNING, lockdep report or panic.

The list of programs has a line "NAME [when=WORD] [skips]" per program:
"when=WORD" runs it only on boots whose command line has WORD (/init
prints the command line), and "skips" lets its results be skipped (a
kernel without the feature), but not fail.

Prints a summary ending in "N passed, N failed" and exits 1 on failure.
"""

import argparse
import re
import sys

SPLAT = re.compile(
    r"(WARNING: |BUG: |kernel BUG|Oops|Kernel panic|general protection fault|"
    r"Call Trace:|UBSAN:|possible recursive locking|"
    r"possible circular locking|inconsistent lock state|"
    r"suspicious RCU usage|INFO: task .* blocked)")
RESULT = re.compile(r"^(not ok|ok) (\d+)\b ?-? ?(.*)$")
PLAN = re.compile(r"^1\.\.(\d+)")


def strip(line):
    """Drop a printk timestamp and the trailing carriage return."""
    line = line.rstrip("\r\n")
    return re.sub(r"^\[ *\d+\.\d+\] ", "", line)


def judge_tap(lines, skips=False):
    """Return (passed, failed, problems) for the top-level TAP in lines."""
    plan = None
    passed = failed = 0
    problems = []
    for line in lines:
        m = PLAN.match(line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if not m:
            continue
        desc = m.group(3)
        if m.group(1) == "not ok":
            failed += 1
            problems.append("not ok: " + desc)
        elif re.search(r"#\s*SKIP", desc, re.I) and not skips:
            failed += 1
            problems.append("skipped: " + desc)
        else:
            passed += 1
    if plan is None:
        if passed + failed:
            problems.append("results without a TAP plan")
    elif passed + failed != plan:
        problems.append("planned %d results, got %d" % (plan, passed + failed))
    return passed, failed, problems


def judge_runner(lines, skips=False):
    """judge_tap() for the output of run_kselftest.sh and for each test's
    TAP within it: (passed, failed, problems)."""
    passed, failed, problems = judge_tap(lines, skips)
    nested = []
    for line in lines:
        m = RESULT.match(line)
        if not m:
            if line.startswith("# "):
                nested.append(line[2:])
            continue
        name = m.group(3).split(" # ")[0]
        # A test without TAP (msgque) is judged by its exit status alone,
        # which the runner's own result reports.
        p, f, probs = judge_tap(nested, skips)
        problems += ["%s: %s" % (name, x) for x in probs]
        if probs:
            failed += 1
        nested = []
    return passed, failed, problems


def judge(text, programs, suites, timed_out=False):
    lines = [strip(x) for x in text.splitlines()]
    report = []
    npass = nfail = 0

    def bad(what):
        nonlocal nfail
        nfail += 1
        report.append("FAIL " + what)

    if timed_out:
        bad("timeout: QEMU was killed")
    if "chid-init: done" not in lines:
        bad("/init did not finish (crash, hang or timeout)")
    for i, line in enumerate(lines):
        if SPLAT.search(line):
            bad("kernel splat at log line %d: %s" % (i + 1, line.strip()))

    # KUnit: top-level results (no indentation) outside program output.
    kunit = {}
    inside = False
    for line in lines:
        if line.startswith("chid-run: "):
            inside = True
        elif line.startswith("chid-exit: "):
            inside = False
        elif not inside:
            m = RESULT.match(line)
            if m:
                kunit[m.group(3).split(" ")[0]] = m.group(1)
    for s in suites:
        if s not in kunit:
            bad("kunit %s: no result" % s)
        elif kunit[s] != "ok":
            bad("kunit %s: %s" % (s, kunit[s]))
        else:
            npass += 1
            report.append("ok   kunit %s" % s)
    for s, r in sorted(kunit.items()):
        if s not in suites and r != "ok":
            bad("kunit %s: %s" % (s, r))

    # Programs.
    cmdline = []
    for line in lines:
        if line.startswith("chid-init: start "):
            cmdline = line.split()[3:]
    for entry in programs:
        prog, *opts = entry.split()
        when = [o[5:] for o in opts if o.startswith("when=")]
        if when and when[0] not in cmdline:
            continue
        try:
            start = lines.index("chid-run: " + prog)
        except ValueError:
            bad("%s: did not run" % prog)
            continue
        end = None
        status = None
        for j in range(start + 1, len(lines)):
            m = re.match(r"^chid-exit: %s (\d+)$" % re.escape(prog), lines[j])
            if m:
                end, status = j, int(m.group(1))
                break
        if end is None:
            bad("%s: no exit status (crashed or hung)" % prog)
            continue
        judge_prog = judge_runner if prog.endswith("run_kselftest.sh") else judge_tap
        p, f, problems = judge_prog(lines[start + 1:end], "skips" in opts)
        if status != 0:
            problems.append("exit status %d" % status)
        if problems:
            bad("%s: %d passed, %d failed; %s" % (prog, p, f, "; ".join(problems)))
        else:
            npass += 1
            what = "%d passed" % p if p else "exit status 0 (no TAP)"
            report.append("ok   %s: %s" % (prog, what))
    return npass, nfail, report


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--programs", help="file listing the programs, one a line")
    ap.add_argument("--kunit", default="", help="expected KUnit suites")
    ap.add_argument("--timed-out", action="store_true")
    a = ap.parse_args()
    with open(a.log, errors="replace") as f:
        text = f.read()
    programs = []
    if a.programs:
        with open(a.programs) as f:
            programs = [x.strip() for x in f if x.strip()]
    npass, nfail, report = judge(text, programs, a.kunit.split(), a.timed_out)
    print("    --- %s" % a.log)
    for r in report:
        print("    " + r)
    print("%d passed, %d failed" % (npass, nfail))
    return 1 if nfail or not npass else 0


if __name__ == "__main__":
    sys.exit(main())
