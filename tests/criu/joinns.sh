#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# joinns.sh CRIU LABEL ROUNDS BIN WORK: restore ROUNDS times, with the CRIU
# binary CRIU, a program's 12 message queues into a live IPC namespace that
# it joins (--join-ns ipc), while another program of that namespace keeps
# creating and removing queues (ipc-joinns churn). Run in the guest, as
# root. Prints per round what happened and a summary line:
#   joinns[LABEL]: R rounds: C complete, W wrong ID, E clean error,
#     F other failure; M misplaced, S stolen, L left behind
# complete: every queue at its ID with its message; wrong ID: CRIU stopped
# on a queue created at an ID it did not want; clean error: stopped on a
# wanted index held by an object it did not create; misplaced: a restore
# that succeeded with a queue not at its ID; stolen: a wanted ID held by
# the other program's queue after the restore; left behind: restored queues
# that a failed restore did not remove.
set -u
criu=$1 label=$2 rounds=$3 bin=$4 work=$5

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

# The program to restore: 12 queues in an IPC namespace of its own, a
# session of its own (no --shell-job).
setsid unshare --ipc "$bin" hold 12 >"$work/ids" 2>"$work/hold.err" </dev/null &
pid=$!
for _ in $(seq 50); do
	[ "$(wc -l <"$work/ids")" = 12 ] && break
	sleep 0.2
done
[ "$(wc -l <"$work/ids")" = 12 ] || { echo "joinns[$label]: the program did not start"; exit 1; }
"$criu" dump -t "$pid" -D "$work" -o dump.log -v4 || {
	tail -n 20 "$work/dump.log"
	echo "joinns[$label]: dump failed"
	exit 1
}
wait "$pid" 2>/dev/null

# The live namespace, and its other program, running long enough before
# the first restore that its sequence numbers moved past those of a fresh
# namespace: a queue of it at a dumped ID got it through *_next_id.
unshare --ipc sleep 100000 &
pod=$!
sleep 0.5
nsenter -t "$pod" --ipc "$bin" churn 3600 >"$work/churn.log" &
churn=$!
sleep 2

complete=0 wrong=0 clean=0 other=0 misplaced=0 stolen=0 left=0
for r in $(seq "$rounds"); do
	rm -f "$work/restored.pid"
	"$criu" restore -D "$work" --join-ns "ipc:/proc/$pod/ns/ipc" --pidfile "$work/restored.pid" \
		-o "restore-$r.log" -v4 &
	cr=$!
	while kill -0 "$cr" 2>/dev/null && [ ! -s "$work/restored.pid" ]; do
		sleep 0.1
	done
	out=$(nsenter -t "$pod" --ipc "$bin" check "$work/ids")
	sum=$(sed -n 's/^check: //p' <<<"$out")
	read -r ok _ foreign _ missing _ <<<"$sum"
	stolen=$((stolen + foreign))
	if [ -s "$work/restored.pid" ]; then
		kill -9 "$(cat "$work/restored.pid")"
		wait "$cr"
		# The queues outlive the restored program: clear the way for
		# the next round.
		nsenter -t "$pod" --ipc "$bin" sweep >/dev/null
		if [ "$ok" = 12 ]; then
			what=complete complete=$((complete + 1))
		else
			what="restored, $((12 - ok)) misplaced" misplaced=$((misplaced + 12 - ok))
		fi
	else
		wait "$cr"
		sw=$(nsenter -t "$pod" --ipc "$bin" sweep | sed -n 's/^sweep: \([0-9]*\).*/\1/p')
		left=$((left + sw))
		if grep -q 'instead of' "restore-$r.log"; then
			what="wrong ID: $(grep -o 'Failed to restore msg id ([0-9]* instead of [0-9]*)' "restore-$r.log")"
			wrong=$((wrong + 1))
		elif grep -q "wasn't dumped at its index" "restore-$r.log" && [ "$sw" = 0 ]; then
			what="clean error: $(grep -o "Can't restore msg [0-9]*: .*" "restore-$r.log")"
			clean=$((clean + 1))
		else
			what="failed: $(grep 'Error' "restore-$r.log" | grep -v -e rlimit -e 'Restoring FAILED' -e 'killed by signal' | head -n 1)"
			other=$((other + 1))
		fi
		what+=", $sw left behind"
	fi
	echo "joinns[$label] round $r: $what; after it: $sum"
done
kill "$churn"
wait "$churn"
cat "$work/churn.log"
kill "$pod"
wait "$pod" 2>/dev/null
setid=$(cat "$work"/restore-*.log | grep -c 'with IPC_SETID$')
echo "joinns[$label]: $rounds rounds: $complete complete, $wrong wrong ID, $clean clean error," \
	"$other other failure; $misplaced misplaced, $stolen stolen, $left left behind;" \
	"$setid IDs changed with IPC_SETID"
