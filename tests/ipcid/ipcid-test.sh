#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ipcid in the guest: restores that must work (a fresh namespace where the
# restore's own creations collide, a namespace holding unrelated objects),
# and each error ipcid must report clearly, leaving nothing behind. TAP.
cd /tmp || exit 1
n=0
fail=0
ok() {
	n=$((n + 1))
	echo "ok $n $1"
}
notok() {
	n=$((n + 1))
	fail=1
	echo "not ok $n $1"
}
check() {
	what=$1
	shift
	if "$@"; then ok "$what"; else notok "$what"; fi
}
# expect_error WHAT PATTERN CMD...: CMD fails, with PATTERN in its message.
expect_error() {
	what=$1 pattern=$2
	shift 2
	if "$@" >out.txt 2>err.txt; then
		notok "$what: succeeded"
	elif grep -q "$pattern" err.txt; then
		ok "$what: $(head -n 1 err.txt)"
	else
		notok "$what: $(head -n 1 err.txt)"
	fi
}
# The IDs of the namespace, one "type id key uid gid mode" a line.
ids() {
	/tests/ipcid ls | tail -n +2 | awk '{ print $1, $2, $5, $6, $7, $8 }' | sort
}
in_ns() {
	unshare -i sh -c "$1"
}

echo "TAP version 13"
echo "1..15"
rm -f /tmp/*.json /tmp/*.txt

in_ns '/tests/ipc-fixture scatter && /tests/ipcid dump -o /tmp/dump.json &&
	/tests/ipcid ls | tail -n +2 | awk "{ print \$1, \$2, \$5, \$6, \$7, \$8 }" | sort >/tmp/before.txt'
check "dump of a scattered namespace" test -s /tmp/dump.json

in_ns '/tests/ipcid restore /tmp/dump.json >/tmp/restore.txt 2>&1 &&
	/tests/ipcid ls | tail -n +2 | awk "{ print \$1, \$2, \$5, \$6, \$7, \$8 }" | sort >/tmp/after.txt &&
	/tests/ipcid dump -o /tmp/again.json'
check "restore into a fresh namespace: $(tail -n 1 /tmp/restore.txt)" grep -q "restored 10 objects, [1-9][0-9]* exchanges, 0 lost" /tmp/restore.txt
check "every object is back at its ID, key, owner and mode" cmp -s /tmp/before.txt /tmp/after.txt
check "and with its contents (the dumps are equal)" cmp -s /tmp/dump.json /tmp/again.json

in_ns '/tests/ipc-fixture foreign && /tests/ipcid ls | tail -n +2 | awk "{ print \$1, \$2, \$5 }" | sort >/tmp/foreign.txt &&
	/tests/ipcid restore /tmp/dump.json >/tmp/restore2.txt 2>&1 &&
	/tests/ipcid ls | tail -n +2 | awk "{ print \$1, \$2, \$5 }" | sort >/tmp/after2.txt'
check "restore next to unrelated objects: $(tail -n 1 /tmp/restore2.txt)" grep -q "0 lost" /tmp/restore2.txt
check "the unrelated objects did not move" sh -c 'grep -qxFf /tmp/foreign.txt /tmp/after2.txt && [ "$(grep -cxFf /tmp/foreign.txt /tmp/after2.txt)" = 3 ]'

head -c 300 /tmp/dump.json >/tmp/truncated.json
expect_error "truncated JSON" "truncated JSON" /tests/ipcid restore /tmp/truncated.json
sed 's/"seq_shift"/,"seq_shift"/' /tmp/dump.json >/tmp/malformed.json
expect_error "malformed JSON" "malformed JSON" /tests/ipcid restore /tmp/malformed.json
sed 's/"version": 1/"version": 9/' /tmp/dump.json >/tmp/v9.json
expect_error "unknown format version" "unknown format version 9" /tests/ipcid restore /tmp/v9.json
# IDs of the other layout that share an index in this one.
if grep -q ipcmni_extend /proc/cmdline; then a=5 b=16777221 other=15; else a=5 b=32773 other=24; fi
printf '{"format":"ipcid","version":1,"seq_shift":%s,"objects":[%s,%s]}\n' "$other" \
	"{\"type\":\"msg\",\"id\":$a,\"key\":0,\"uid\":0,\"gid\":0,\"mode\":384,\"qbytes\":16384,\"messages\":[]}" \
	"{\"type\":\"msg\",\"id\":$b,\"key\":0,\"uid\":0,\"gid\":0,\"mode\":384,\"qbytes\":16384,\"messages\":[]}" >/tmp/layout.json
expect_error "IDs that collide in this layout" "same index" /tests/ipcid restore /tmp/layout.json
awk '!done && /"id": [0-9]+,/ { sub(/"id": [0-9]+,/, "\"id\": -3,"); done = 1 } 1' \
	/tmp/dump.json >/tmp/negative.json
expect_error "a negative ID" "an ID is not negative" /tests/ipcid restore /tmp/negative.json

# A failure after objects were created: the namespace allows 2 queues.
in_ns 'echo 2 >/proc/sys/kernel/msgmni && /tests/ipcid restore /tmp/dump.json 2>/tmp/full.txt;
	/tests/ipcid ls | tail -n +2 >/tmp/full-left.txt'
if grep -q "removed the [1-9][0-9]* objects this restore created" /tmp/full.txt && [ ! -s /tmp/full-left.txt ]; then
	ok "a failure after creating objects: $(grep -v removed /tmp/full.txt | head -n 1); nothing left behind"
else
	notok "a failure after creating objects: $(head -n 2 /tmp/full.txt | tr '\n' ' '); left: $(cat /tmp/full-left.txt)"
fi

in_ns '/tests/ipc-fixture block msg 40 && /tests/ipcid ls | tail -n +2 | sort >/tmp/blocked-before.txt;
	/tests/ipcid restore /tmp/dump.json 2>/tmp/blocked.txt;
	/tests/ipcid ls | tail -n +2 | sort >/tmp/blocked-after.txt'
if grep -q "held by msg" /tmp/blocked.txt && cmp -s /tmp/blocked-before.txt /tmp/blocked-after.txt; then
	ok "a foreign object in the way: $(head -n 1 /tmp/blocked.txt); nothing left behind"
else
	notok "a foreign object in the way: $(head -n 1 /tmp/blocked.txt)"
fi

in_ns '/tests/ipc-fixture block shm 7 && (/tests/ipc-fixture attach 7 5 &) && sleep 1 &&
	/tests/ipcid set shm 7 9 2>/tmp/busy.txt; true'
if grep -q "attached" /tmp/busy.txt; then
	ok "an attached segment: $(head -n 1 /tmp/busy.txt)"
else
	notok "an attached segment: $(head -n 1 /tmp/busy.txt)"
fi

expect_error "without privilege" "CAP_CHECKPOINT_RESTORE" \
	/tests/ipc-fixture as 65534 /tests/ipcid restore /tmp/dump.json
[ "$fail" = 0 ]
