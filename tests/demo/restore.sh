#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make run: ipcid puts every System V IPC object of a checkpointed
# namespace back at its ID, where writing kernel.*_next_id before each
# *get() cannot: the restore's own creations take each other's slots, and
# the target namespace may already hold objects.
cd /tmp || exit 1
. /tests/ipcid-lib.sh
echo "== A namespace with 12 objects at scattered IDs, with contents, changed limits"
echo "   and pending *_next_id cursors; one segment locked, one removed while attached"
unshare -i sh -c '. /tests/ipcid-lib.sh
	/tests/ipc-fixture scatter && /tests/ipc-fixture state /tmp/fixture.pid &&
	/tests/ipcid dump -o /tmp/dump.json 2>/dev/null &&
	/tests/ipcid ls | awk "NR > 1 { \$1 = \$1; print }" | sort -k1,1 -k2,2n >/tmp/before.txt &&
	sysctls >/tmp/sysctl-before.txt
	kill $(cat /tmp/fixture.pid)' || exit 1
echo "    $(grep -c '"type": "msg"' dump.json) message queues holding $(grep -c '"mtype"' dump.json) messages," \
	"$(grep -c '"type": "sem"' dump.json) semaphore sets, $(grep -c '"type": "shm"' dump.json) segments;" \
	"ipcid dump wrote $(wc -c <dump.json) bytes of JSON"
table() {
	printf '    %-4s %10s %6s %4s %8s %5s %5s %s\n' type id index seq key uid mode status
	while read -r type id index seq key uid gid mode status; do
		printf '    %-4s %10s %6s %4s %8s %5s %5s %s\n' "$type" "$id" "$index" "$seq" "$key" "$uid" "$mode" "$status"
	done
}
table <before.txt

echo
echo "== Restore into a fresh namespace"
echo "   Its objects are created at indexes 0, 1, 2, ...: the slots other objects want."
unshare -i sh -c '. /tests/ipcid-lib.sh
	/tests/ipcid restore /tmp/dump.json >/tmp/r1.txt &&
	/tests/ipcid ls | awk "NR > 1 { \$1 = \$1; print }" | sort -k1,1 -k2,2n >/tmp/after1.txt &&
	/tests/ipcid dump -o /tmp/again1.json 2>/dev/null && sysctls >/tmp/sysctl-after1.txt
	kill $(sed -n "s/.*held by process \([0-9]*\).*/\1/p" /tmp/r1.txt)'
sed 's/^/   /' r1.txt

echo
echo "== Restore into a namespace that already holds 3 unrelated objects"
unshare -i sh -c '. /tests/ipcid-lib.sh
	/tests/ipc-fixture foreign && /tests/ipcid ls | awk "NR > 1 { \$1 = \$1; print }" | sort -k1,1 -k2,2n >/tmp/foreign.txt &&
	/tests/ipcid restore /tmp/dump.json >/tmp/r2.txt &&
	/tests/ipcid ls | awk "NR > 1 { \$1 = \$1; print }" | sort -k1,1 -k2,2n >/tmp/after2.txt &&
	/tests/ipcid dump -o /tmp/again2.json 2>/dev/null && sysctls >/tmp/sysctl-after2.txt
	kill $(sed -n "s/.*held by process \([0-9]*\).*/\1/p" /tmp/r2.txt)'
sed 's/^/   /' r2.txt

echo
echo "== Before the checkpoint, and after each restore (= the same object at the same ID)"
printf '    %-4s %10s %6s %4s %-11s  %-13s %-13s\n' type id index seq status "fresh ns" "next to 3"
lost=0
while read -r type id index seq key uid gid mode status; do
	line="$type $id $index $seq $key $uid $gid $mode $status"
	a="="
	b="="
	grep -qxF "$line" after1.txt || { a="MISSING"; lost=$((lost + 1)); }
	grep -qxF "$line" after2.txt || { b="MISSING"; lost=$((lost + 1)); }
	printf '    %-4s %10s %6s %4s %-11s  %-13s %-13s\n' "$type" "$id" "$index" "$seq" "$status" "$a" "$b"
done <before.txt
echo
echo "== The namespace's limits and cursors (/proc/sys/kernel), before and after each restore"
printf '    %-16s %-22s %-13s %-13s\n' sysctl "before" "fresh ns" "next to 3"
while read -r name value; do
	a="="
	b="="
	grep -qxF "$name $value" sysctl-after1.txt || { a="DIFFERS"; lost=$((lost + 1)); }
	grep -qxF "$name $value" sysctl-after2.txt || { b="DIFFERS"; lost=$((lost + 1)); }
	printf '    %-16s %-22s %-13s %-13s\n' "$name" "$(echo $value)" "$a" "$b"
done <sysctl-before.txt
while read -r line; do
	grep -qxF "$line" after2.txt || { echo "    unrelated object moved: $line"; lost=$((lost + 1)); }
done <foreign.txt
# Contents: the first namespace holds only the restored objects, so its
# dump must equal the checkpoint's; ipcid restore itself compares each
# object it restored with the dump, in both namespaces ("0 lost" above).
cmp -s dump.json again1.json || { echo "    contents differ after the first restore"; lost=$((lost + 1)); }

n1=$(sed -n 's/^restored \([0-9]*\) objects.*/\1/p' r1.txt)
n2=$(sed -n 's/^restored \([0-9]*\) objects.*/\1/p' r2.txt)
x1=$(sed -n 's/.*, \([0-9]*\) exchanges.*/\1/p' r1.txt)
x2=$(sed -n 's/.*, \([0-9]*\) exchanges.*/\1/p' r2.txt)
echo
echo "restored $((n1 + n2)) objects, $((x1 + x2)) exchanges, $lost lost"
[ "$lost" = 0 ]
