#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pin.sh VERSION: move BASE's linux-source pin (scripts/lib.sh) to VERSION.
# The Makefile's "pin" target then fetches it and regenerates the series,
# whose every commit hash follows from the tarball: commit both.
. "$(dirname "$0")/lib.sh"

ver=${1:-}
[ -n "$ver" ] || die "usage: make pin BASE=B VERSION=V (V as apt-cache madison $LINUX_SOURCE_PKG gives it)"
[[ "$ver" =~ ^[0-9A-Za-z.+~:-]+$ ]] || die "not a Debian version: $ver"
stage "pin: $LINUX_SOURCE_PKG $LINUX_SOURCE_PIN -> $ver"
old="	LINUX_SOURCE_PKG=$LINUX_SOURCE_PKG
	LINUX_SOURCE_PIN=$LINUX_SOURCE_PIN"
new="	LINUX_SOURCE_PKG=$LINUX_SOURCE_PKG
	LINUX_SOURCE_PIN=$ver"
python3 - "$TOP/scripts/lib.sh" "$old" "$new" <<'PY'
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if text.count(old) != 1:
    sys.exit("error: the pin is not where pin.sh expects it in " + path)
open(path, "w").write(text.replace(old, new))
PY
info "scripts/lib.sh now pins $LINUX_SOURCE_PKG $ver; regenerating both series"
