#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# On a kernel without IPC_SETID, ipcid restore says so instead of
# "Invalid argument", and creates nothing. TAP.
cd /tmp || exit 1
echo "TAP version 13"
echo "1..2"
printf '%s\n' '{"format":"ipcid","version":1,"seq_shift":15,"objects":[{"type":"msg","id":32775,"key":0,"uid":0,"gid":0,"mode":384,"qbytes":16384,"messages":[]}]}' >dump.json
unshare -i sh -c '/tests/ipcid restore /tmp/dump.json 2>/tmp/err.txt; echo $? >/tmp/rc.txt;
	/tests/ipcid ls | tail -n +2 >/tmp/left.txt'
if [ "$(cat rc.txt)" != 0 ] && grep -q "this kernel has no IPC_SETID" err.txt; then
	echo "ok 1 ipcid restore: $(cat err.txt)"
else
	echo "not ok 1 ipcid restore: $(cat err.txt)"
	exit 1
fi
if [ ! -s left.txt ]; then
	echo "ok 2 nothing was created"
else
	echo "not ok 2 left behind: $(cat left.txt)"
	exit 1
fi
