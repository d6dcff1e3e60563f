#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make outgoing, in a throw-away folder, as two example posters (one with
# an ASCII name, one without) and as nobody: patches/BASE must come out
# with each poster's identity and nothing else changed (the maintainer
# line of the MAINTAINERS entry the series adds, "M:<tab>NAME <EMAIL>",
# names the poster wherever the diffs have it), the fixed identity must be
# gone from everything, the diffs included, git send-email --dry-run must pass
# over every message, and without a name and an address it must refuse.
# patches/ itself must stay as it is. Away from the machine's git
# configuration: only what the example identities set.
. "$(dirname "$0")/../scripts/lib.sh"

stage "outgoing-test: make outgoing on patches/$BASE as example posters"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT
# The backport names no recipients: the dry run needs one.
grep -q '^To: ' "$PATCHES"/0000-*.patch || export TO=outgoing-test@example.org
n=$(ls "$PATCHES"/*.patch | wc -l)
before=$(cat "$PATCHES"/* | sha1sum)

# maintainers PATCH...: the lines of the diffs of MAINTAINERS.
maintainers() {
	awk '/^diff --git / { on = ($0 == "diff --git a/MAINTAINERS b/MAINTAINERS"); next }
		/^-- $/ { on = 0 } on' "$@"
}

# poster VIA NAME EMAIL FROM [MIME]: make outgoing as NAME <EMAIL>, given
# as VIA says: "config" (user.name and user.email, as git -c sets them) or
# "env" (GIT_AUTHOR_* and, for git send-email, GIT_COMMITTER_*); FROM is
# the From: header git format-patch writes for it, MIME says that the
# messages become 8-bit.
poster() {
	local via=$1 name=$2 email=$3 from=$4 mime=${5:-} out=$tmp/$3 f b
	(
		if [ "$via" = config ]; then
			export GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=user.name GIT_CONFIG_VALUE_0="$name" \
				GIT_CONFIG_KEY_1=user.email GIT_CONFIG_VALUE_1="$email"
		else
			export GIT_AUTHOR_NAME="$name" GIT_AUTHOR_EMAIL="$email" \
				GIT_COMMITTER_NAME="$name" GIT_COMMITTER_EMAIL="$email"
		fi
		"$TOP/scripts/outgoing.sh" "$BASE" "$out"
	) >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; die "make outgoing failed as $name <$email>"; }
	[ "$(ls "$out"/*.patch | wc -l)" -eq "$n" ] || die "$name: not $n patches in $out"
	[ "$(grep -c '^Result: OK$' "$out.send-email.log")" -eq "$n" ] ||
		die "$name: git send-email --dry-run did not pass $n messages"
	# What may differ from patches/: these lines, and nothing else; in the
	# diffs, the MAINTAINERS entry's maintainer, as an added, removed or
	# context line, and after the hunk headers of patches/ that end in it.
	local fixed="$SERIES_NAME <$SERIES_EMAIL>" poster="$name <$email>" c
	{
		printf '< %s\n' "From: $fixed" "Signed-off-by: $fixed" "$SERIES_NAME ($((n - 1))):" "$fixed"
		printf '> %s\n' "$from" "Signed-off-by: $poster" "$name ($((n - 1))):" "$poster"
		[ -z "$mime" ] || printf '> %s\n' "MIME-Version: 1.0" \
			"Content-Type: text/plain; charset=UTF-8" "Content-Transfer-Encoding: 8bit"
		for c in + - ' '; do
			printf '< %s\n' "${c}M:	$fixed"
			printf '> %s\n' "${c}M:	$poster"
		done
		grep -h '^@@ -[0-9,]* +[0-9,]* @@ M:	' "$PATCHES"/*.patch | while IFS= read -r c; do
			[ "${c#*@@ M:	}" = "$fixed" ] || continue
			printf '< %s\n' "$c"
			printf '> %s\n' "${c%%@@ M:	*}@@ M:	$poster"
		done
	} >"$tmp/allowed"
	for f in "$PATCHES"/*.patch; do
		b=${f##*/}
		diff "$f" "$out/$b" >"$tmp/diff" || true
		if grep -v -e '^---$' -e '^[0-9,]*[acd][0-9,]*$' "$tmp/diff" |
			grep -v -x -F -f "$tmp/allowed" >"$tmp/other"; then
			cat "$tmp/other" >&2
			die "$name: $b changed in more than the identity"
		fi
		# The fixed identity: nowhere, the diffs included.
		if grep -n -F -e "$SERIES_NAME" -e "$SERIES_EMAIL" "$out/$b" >&2; then
			die "$name: the fixed identity survives in $b"
		fi
		grep -q -x -F "$from" "$out/$b" || die "$name: $b has no header '$from'"
	done
	grep -q -x -F "Signed-off-by: $poster" "$out"/0001-*.patch ||
		die "$name: no Signed-off-by: $poster"
	# The MAINTAINERS entry: in the diffs of MAINTAINERS, its maintainer is
	# the poster, as the series adds it and wherever the later patches
	# repeat the line, as often as patches/ names the fixed identity there.
	maintainers "$out"/*.patch | grep -q -x -F "+M:	$poster" ||
		die "$name: the MAINTAINERS entry does not name $poster ('+M:	$poster')"
	c=$(maintainers "$PATCHES"/*.patch | grep -c -F "M:	$fixed" || true)
	[ "$c" -gt 0 ] || die "patches/$BASE has no MAINTAINERS line 'M:	$fixed'"
	[ "$(maintainers "$out"/*.patch | grep -c -F "M:	$poster" || true)" -eq "$c" ] ||
		die "$name: not $c MAINTAINERS lines naming $poster"
	info "as $poster ($via): $n messages, $from, MAINTAINERS 'M:	$poster' ($c lines), dry run passed"
}
poster config "Jane Doe" jane@example.org "From: Jane Doe <jane@example.org>"
poster env "Zoë Ünïcode" zoe@example.org "From: =?UTF-8?q?Zo=C3=AB=20=C3=9Cn=C3=AFcode?= <zoe@example.org>" mime

# Nobody: no name and no address, wherever git would look for them.
if GIT_CONFIG_COUNT=4 GIT_CONFIG_KEY_0=user.name GIT_CONFIG_VALUE_0= \
	GIT_CONFIG_KEY_1=user.email GIT_CONFIG_VALUE_1= GIT_CONFIG_KEY_2=author.name \
	GIT_CONFIG_VALUE_2= GIT_CONFIG_KEY_3=author.email GIT_CONFIG_VALUE_3= \
	"$TOP/scripts/outgoing.sh" "$BASE" "$tmp/nobody" >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	die "make outgoing ran without a git identity"
fi
grep -q 'git has no name and no email address' "$tmp/log" || { cat "$tmp/log" >&2; die "no clear refusal without an identity"; }
[ ! -e "$tmp/nobody" ] && [ ! -e "$tmp/nobody.new" ] || die "make outgoing wrote files without an identity"
info "without a name and an address: refused ($(grep -m1 '^error:' "$tmp/log"))"

[ "$(cat "$PATCHES"/* | sha1sum)" = "$before" ] || die "patches/$BASE changed"
info "patches/$BASE unchanged"
