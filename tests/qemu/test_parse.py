#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of the boot log judge: each way a boot can fail must fail."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parse  # noqa: E402

GOOD = """\
[    0.500000] KTAP version 1
[    0.500001] 1..1
[    0.500002]     KTAP version 1
[    0.500003]     # Subtest: rust_doctests_kernel
[    0.500004]     1..2
[    0.500005]     ok 1 rust_doctest_kernel_a
[    0.500006]     ok 2 rust_doctest_kernel_b
[    0.500007] # rust_doctests_kernel: pass:2 fail:0 skip:0 total:2
[    0.500008] ok 1 rust_doctests_kernel
chid-init: start 6.12.117 console=ttyS0
chid-run: msgque
TAP version 13
1..1
ok 1 msgque
# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0
chid-exit: msgque 0
chid-init: done
"""


def run(text, programs=("msgque",), suites=("rust_doctests_kernel",), **kw):
    return parse.judge(text, list(programs), list(suites), **kw)


class Judge(unittest.TestCase):
    def test_good_log_passes(self):
        npass, nfail, _ = run(GOOD)
        self.assertEqual((npass, nfail), (2, 0))

    def test_failing_program(self):
        text = GOOD.replace("ok 1 msgque", "not ok 1 msgque")
        text = text.replace("chid-exit: msgque 0", "chid-exit: msgque 1")
        self.assertGreater(run(text)[1], 0)

    def test_nonzero_exit_alone_fails(self):
        text = GOOD.replace("chid-exit: msgque 0", "chid-exit: msgque 1")
        self.assertGreater(run(text)[1], 0)

    def test_skip_fails(self):
        text = GOOD.replace("ok 1 msgque", "ok 1 msgque # SKIP not root")
        self.assertGreater(run(text)[1], 0)

    def test_missing_result(self):
        text = GOOD.replace("1..1\n", "1..2\n")
        self.assertGreater(run(text)[1], 0)

    def test_program_without_tap_judged_by_status(self):
        text = GOOD.replace("TAP version 13\n1..1\nok 1 msgque\n", "")
        self.assertEqual(run(text)[1], 0)
        text = text.replace("chid-exit: msgque 0", "chid-exit: msgque 4")
        self.assertGreater(run(text)[1], 0)

    def test_missing_program(self):
        self.assertGreater(run(GOOD, programs=("msgque", "other"))[1], 0)

    def test_missing_kunit_suite(self):
        self.assertGreater(run(GOOD, suites=("rust_doctests_kernel", "ipc_chid"))[1], 0)

    def test_failed_kunit_suite(self):
        text = GOOD.replace("] ok 1 rust_doctests_kernel", "] not ok 1 rust_doctests_kernel")
        self.assertGreater(run(text)[1], 0)

    def test_kernel_warning(self):
        text = GOOD.replace(
            "chid-exit: msgque 0",
            "[    1.0] WARNING: CPU: 0 PID: 1 at ipc/util.c:100 ipc_chid+0x10/0x20\n"
            "chid-exit: msgque 0")
        self.assertGreater(run(text)[1], 0)

    def test_lockdep_report(self):
        text = GOOD.replace(
            "chid-init: done",
            "[    1.0] WARNING: possible recursive locking detected\nchid-init: done")
        self.assertGreater(run(text)[1], 0)

    def test_unfinished_boot(self):
        text = GOOD.replace("chid-init: done\n", "")
        self.assertGreater(run(text)[1], 0)

    def test_timeout(self):
        self.assertGreater(run(GOOD, timed_out=True)[1], 0)

    def test_crash_inside_program(self):
        text = GOOD.split("chid-exit:")[0]
        self.assertGreater(run(text)[1], 0)


RUNNER = """\
chid-init: start 6.12.117 console=ttyS0 ipcmni_extend
chid-run: kselftest/run_kselftest.sh
TAP version 13
1..2
# timeout set to 300
# selftests: ipc: msgque
# TAP version 13
# 1..1
# ok 1 msgque
ok 1 selftests: ipc: msgque
# timeout set to 300
# selftests: ipc: setid
# TAP version 13
# 1..2
# ok 1 ns.a
# ok 2 ns.b
ok 2 selftests: ipc: setid
chid-exit: kselftest/run_kselftest.sh 0
chid-init: done
"""


class Runner(unittest.TestCase):
    def judge(self, text, entry="kselftest/run_kselftest.sh"):
        return run(text, programs=(entry,), suites=())

    def test_good_runner_passes(self):
        self.assertEqual(self.judge(RUNNER)[:2], (1, 0))

    def test_failed_test_inside(self):
        text = RUNNER.replace("# ok 2 ns.b", "# not ok 2 ns.b")
        self.assertGreater(self.judge(text)[1], 0)

    def test_missing_result_inside(self):
        self.assertGreater(self.judge(RUNNER.replace("# 1..2", "# 1..3"))[1], 0)

    def test_test_without_tap_judged_by_exit_status(self):
        text = RUNNER.replace("# TAP version 13\n# 1..1\n# ok 1 msgque\n", "")
        self.assertEqual(self.judge(text)[:2], (1, 0))
        text = text.replace("ok 1 selftests: ipc: msgque", "not ok 1 selftests: ipc: msgque # exit=1")
        self.assertGreater(self.judge(text)[1], 0)

    def test_skip_inside(self):
        text = RUNNER.replace("# ok 2 ns.b", "# ok 2 ns.b # SKIP no IPC_SETID")
        self.assertGreater(self.judge(text)[1], 0)
        entry = "kselftest/run_kselftest.sh skips"
        self.assertEqual(self.judge(text, entry)[:2], (1, 0))
        text = text.replace("# ok 1 ns.a", "# not ok 1 ns.a")
        self.assertGreater(self.judge(text, entry)[1], 0)

    def test_when(self):
        entry = "kselftest/run_kselftest.sh when=lsm=smack"
        self.assertEqual(self.judge(RUNNER, entry)[:2], (0, 0))
        text = RUNNER.replace("ipcmni_extend", "ipcmni_extend lsm=smack")
        self.assertEqual(self.judge(text, entry)[:2], (1, 0))
        text = text.replace("chid-run: kselftest/run_kselftest.sh\n", "")
        self.assertGreater(self.judge(text, entry)[1], 0)


if __name__ == "__main__":
    unittest.main(verbosity=1)
