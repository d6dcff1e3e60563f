#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The /init of tests/criu/boot.sh's guest, which runs the host's root over
# read-only virtio-9p: tmpfs where the guest writes, build/criu (the CRIU
# trees) over a writable share at its own path. Its settings come from the
# kernel command line:
#   criu_top=DIR      the clone
#   criu_mode=feature the kernel has IPC_SETID: zdtm's IPC tests and
#                     ipc_setid with the patched CRIU, then the
#                     joined-namespace restores with the stock CRIU and the
#                     patched one (criu_rounds each), and ipcid's round
#                     trip against ipcmk's and zdtm's objects
#   criu_mode=fallback the kernel has no IPC_SETID: the same zdtm tests with
#                     the patched CRIU, on its *_next_id path
# Every result is a line "criu-result: NAME ok|FAIL ..."; the last line
# before the power-off is "criu-guest: done".
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
top=${criu_top:?} mode=${criu_mode:?} rounds=${criu_rounds:-30}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
for d in /tmp /run /var/tmp /var/log /root /mnt; do
	mount -t tmpfs tmpfs "$d"
done
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# The clone, read-only, at its own path: a clone under /tmp or /root is
# hidden by the tmpfs above, where mkdir makes its mount point.
mkdir -p "$top"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro clone "$top"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 criu "$top/build/criu"
hostname criu-guest
ip link set lo up
echo "criu-guest: start $(uname -r) mode=$mode"

result() {
	echo "criu-result: $1 $2"
}

# Network locking needs iptables or nftables, which the guest does not
# set up; the tests have no connections to lock.
printf 'network-lock skip\n' >/tmp/criu.conf
export CRIU_CONFIG_FILE=/tmp/criu.conf
# Nor has it iptables rules to save: CRIU runs iptables-save and
# iptables-restore through CR_IPTABLES, here a command that saves none.
export CR_IPTABLES=true

patched=$top/build/criu/patched
stock=$top/build/criu/stock

# Whether CRIU sees IPC_SETID: it must on the series' kernel, and must
# not without it.
"$patched/criu/criu" check --feature ipc_setid
rc=$?
if [ "$mode" = feature ]; then
	[ $rc = 0 ] && result check-ipc_setid ok || result check-ipc_setid "FAIL (rc $rc)"
else
	[ $rc != 0 ] && result check-ipc_setid "ok (not supported, rc $rc)" || result check-ipc_setid "FAIL (supported)"
fi

# zdtm: CRIU's IPC tests in the flavours ns and uns (those a test's
# description allows), then the test of the patch with two dumps and
# restores.
cd "$patched/test" || exit 1
rm -rf dump
zdtm() {
	local name=$1 want=$2 runs=$3 out n
	shift 3
	start=$(date +%s)
	out=$(./zdtm.py run "$@" --keep-going -k always 2>&1)
	printf '%s\n' "$out" | tail -n 200
	n=$(grep -cE '^=+ Run zdtm/static/[^ ]+ in u?ns =+$' <<<"$out")
	if grep -q "ALL TEST(S) PASSED (TOTAL $want/SKIPPED 0)" <<<"$out" && [ "$n" = "$runs" ]; then
		result "$name" "ok ($want tests, $n runs, $(($(date +%s) - start)) s)"
	else
		result "$name" "FAIL ($(grep -E 'TEST\(S\) (FAILED|PASSED)' <<<"$out" | tr -d '#' | xargs), $n of $runs runs)"
	fi
}
# msgque, sem, shm, shm-mp, shm-unaligned: ns and uns; ipc_namespace: ns.
# zdtm counts tests; each runs in the flavours it allows.
zdtm zdtm-ipc 6 11 -f ns,uns -t zdtm/static/msgque -t zdtm/static/sem -t zdtm/static/shm \
	-t zdtm/static/shm-mp -t zdtm/static/shm-unaligned -t zdtm/static/ipc_namespace
zdtm zdtm-ipc_setid 1 2 -f ns,uns --iters 2 -t zdtm/static/ipc_setid

# Which path the restores took, from their logs.
logs=$(find dump -name 'restore.log' 2>/dev/null)
nsetid=$(cat $logs /dev/null | grep -c 'with IPC_SETID$')
nlogs=$(grep -l 'Restoring IPC namespace, IDs set with' $logs /dev/null | wc -l)
echo "criu-guest: $nlogs restore logs restored an IPC namespace; $nsetid IDs changed with IPC_SETID"
grep -h 'with IPC_SETID$' $(find dump -path '*ipc_setid*' -name restore.log) /dev/null | head -n 12
if [ "$mode" = feature ]; then
	path="IDs set with IPC_SETID"
	[ "$nsetid" -gt 0 ] || nlogs=0
else
	path="IDs set with *_next_id"
	[ "$nsetid" = 0 ] || nlogs=0
fi
n=$(grep -lF "Restoring IPC namespace, $path" $logs /dev/null | wc -l)
[ "$nlogs" -gt 0 ] && [ "$n" = "$nlogs" ] && result restore-path "ok ($path in $n logs)" ||
	result restore-path "FAIL ($n of $nlogs logs with $path, $nsetid changes)"

if [ "$mode" = feature ]; then
	# The test of the patch can fail: the stock CRIU loses the pending
	# *_next_id values, which it writes before it creates the objects
	# that use them up.
	out=$(./zdtm.py run --criu-bin "$stock/criu/criu" -f ns -t zdtm/static/ipc_setid --keep-going 2>&1)
	printf '%s\n' "$out" | grep -E '_next_id is|TEST\(S\)'
	if grep -q '1 TEST(S) FAILED' <<<"$out" && grep -q 'msg_next_id is -1, not' <<<"$out"; then
		result zdtm-ipc_setid-stock "ok (fails with the stock CRIU, as it must)"
	else
		result zdtm-ipc_setid-stock "FAIL (the stock CRIU passed it, or failed otherwise)"
	fi

	# The joined, live namespace: stock CRIU, then the patched one.
	bin=$top/build/criu/bin/ipc-joinns
	for kind in stock patched; do
		out=$(bash "$top/tests/criu/joinns.sh" "$top/build/criu/$kind/criu/criu" "$kind" "$rounds" \
			"$bin" "/tmp/joinns-$kind" 2>&1)
		printf '%s\n' "$out"
		line=$(grep "^joinns\[$kind\]: $rounds rounds" <<<"$out")
		[ -n "$line" ] || { result "joinns-$kind" "FAIL (no summary)"; continue; }
		# The target of the patched CRIU: nothing misplaced, stolen or
		# left behind, and each failure a clean error. Stock CRIU's
		# numbers are what they are.
		if [ "$kind" = stock ] ||
			grep -q ' 0 wrong ID, [0-9]* clean error, 0 other failure; 0 misplaced, 0 stolen, 0 left behind' <<<"$line"; then
			result "joinns-$kind" "ok (${line#*: })"
		else
			result "joinns-$kind" "FAIL (${line#*: })"
		fi
	done
fi

if [ "$mode" = feature ]; then
	# ipcid against objects of util-linux's ipcmk and of zdtm's programs.
	out=$(bash "$top/tests/criu/roundtrip.sh" "$top/build/criu/bin/ipcid" \
		"$patched/test/zdtm/static" /tmp/roundtrip 2>&1)
	printf '%s\n' "$out"
	line=$(grep '^roundtrip: ' <<<"$out")
	case "$line" in
	"roundtrip: ok"*) result ipcid-roundtrip "ok (${line#roundtrip: ok })" ;;
	*) result ipcid-roundtrip "FAIL (${line#roundtrip: })" ;;
	esac
fi

echo "criu-guest: done"
sync
busybox poweroff -f
