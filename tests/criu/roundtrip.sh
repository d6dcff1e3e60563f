#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# roundtrip.sh IPCID ZDTM_STATIC WORKDIR: ipcid against programs nobody
# here wrote. In an IPC namespace, util-linux's ipcmk makes queues, a
# semaphore set and segments, and CRIU's zdtm programs msgque, sem and shm
# make theirs (with messages, values and an attached segment); ipcid moves
# some to scattered IDs, dumps the namespace and restores it into a fresh
# one. ipcs and /proc/sysvipc are compared before and after, field by
# field, but for what no restore can give back (named in the output).
# Prints "roundtrip: ok ..." or "roundtrip: FAIL ...".
set -u
ipcid=$1 zdtm=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

# The fields of /proc/sysvipc/TYPE named in FIELDS, by the file's header.
proc_fields() {
	awk -v want="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; n = split(want, w, " "); next }
		{ line = ""; for (i = 1; i <= n; i++) line = line " " w[i] "=" $(col[w[i]]); print substr(line, 2) }' \
		"/proc/sysvipc/$1" | sort
}

# Everything compared, in one file: /proc/sysvipc, ipcs's tables (without
# the segments' nattch) and each semaphore set's values (ipcs -s -i).
snapshot() {
	proc_fields msg "key msqid perms cbytes qnum uid gid"
	proc_fields sem "key semid perms nsems uid gid"
	proc_fields shm "key shmid perms size uid gid"
	ipcs -q | awk 'NF == 6 && $1 ~ /^0x/'
	ipcs -s | awk 'NF == 5 && $1 ~ /^0x/'
	ipcs -m | awk 'NF >= 6 && $1 ~ /^0x/ { $6 = "-"; print }'
	for id in $(awk 'NR > 1 { print $2 }' /proc/sysvipc/sem); do
		ipcs -s -i "$id" | awk -v id="$id" '$1 ~ /^[0-9]+$/ && NF >= 5 { print "sem", id, "semnum", $1, "value", $2 }'
	done
}
export -f proc_fields snapshot

unshare -i bash -c '
	set -e
	ipcid=$1 zdtm=$2
	ipcmk -Q -p 0640 >/dev/null
	ipcmk -Q -p 0600 >/dev/null
	ipcmk -S 4 -p 0660 >/dev/null
	ipcmk -M 65536 -p 0644 >/dev/null
	ipcmk -M 4096 -p 0600 >/dev/null
	for t in msgque sem shm; do
		"$zdtm/$t" --pidfile="$PWD/$t.pid" --outfile="$PWD/$t.out"
	done
	# Not where a fresh namespace would put them.
	"$ipcid" set msg 0 $((3 << 15 | 40))
	"$ipcid" set sem 0 $((5 << 15 | 7))
	"$ipcid" set shm 1 $((2 << 15 | 9))
	"$ipcid" ls >ls-before.txt
	snapshot >before.txt
	"$ipcid" dump -o dump.json 2>/dev/null
	# Each checks its own objects and writes PASS or FAIL when it ends.
	for t in msgque sem shm; do kill -TERM "$(cat $t.pid)"; done
	for i in $(seq 100); do
		[ "$(cat ./*.out 2>/dev/null | grep -cE "PASS|FAIL")" -ge 3 ] && break
		sleep 0.1
	done
' roundtrip "$ipcid" "$zdtm" || { echo "roundtrip: FAIL (the namespace could not be made)"; exit 1; }

unshare -i bash -c '
	ipcid=$1
	"$ipcid" restore dump.json >restore.txt 2>&1 || exit 1
	"$ipcid" ls >ls-after.txt
	snapshot >after.txt
' roundtrip "$ipcid"
rc=$?

cat ls-before.txt
passed=$(grep -l PASS ./*.out 2>/dev/null | wc -l)
objects=$(grep -c '"type"' dump.json)
fields=$(wc -l <before.txt)
if [ $rc = 0 ] && [ "$objects" -ge 8 ] && cmp -s before.txt after.txt; then
	echo "roundtrip: ok ($objects objects of ipcmk and zdtm's msgque, sem and shm, $fields lines of" \
		"ipcs and /proc/sysvipc equal after the restore; not compared: times, PIDs, cuid, cgid," \
		"nattch, rss, swap; the zdtm programs passed $passed of 3 on their own objects)"
else
	echo "roundtrip: FAIL (restore status $rc, $objects objects)"
	tail -n 3 restore.txt
	diff before.txt after.txt | head -n 20
	exit 1
fi
