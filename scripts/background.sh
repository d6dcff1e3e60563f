#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# background.sh start NAME COMMAND...: run COMMAND beside the stages that
# follow, its output kept in build/BASE/logs/NAME.bg.
# background.sh wait NAME: wait for it, print its output, exit as it did.
# For the stages that use about one CPU (unpacking a tarball, git am) while
# a kernel build or the walk leaves the other one idle at times.
. "$(dirname "$0")/lib.sh"

op=$1
name=$2
shift 2
f=$BUILD/logs/$name.bg
mkdir -p "$BUILD/logs"
case "$op" in
start)
	rm -f "$f" "$f.rc" "$f.pid"
	start=$(date +%s)
	(rc=0
		"$@" || rc=$?
		echo "$rc $(($(date +%s) - start))" >"$f.rc.tmp"
		mv "$f.rc.tmp" "$f.rc") </dev/null >"$f" 2>&1 &
	echo $! >"$f.pid"
	;;
wait)
	[ -f "$f.pid" ] || die "$name was not started"
	pid=$(cat "$f.pid")
	while [ ! -f "$f.rc" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 1
	done
	cat "$f"
	[ -f "$f.rc" ] || die "$name ended without a status"
	read -r rc took <"$f.rc"
	info "[$name, beside the stages before] $took s"
	rm -f "$f.pid"
	exit "$rc"
	;;
*)
	die "usage: background.sh start NAME COMMAND... | wait NAME"
	;;
esac
