#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write the series of BASE as it is posted: patches/BASE with the identity
# of whoever runs this instead of the fixed one it is generated with (which
# keeps patches/ reproducible), into build/outgoing/BASE; then prove it
# sendable with git send-email --dry-run, and print the command that sends
# it.
#
#   outgoing.sh [BASE [DIR]]   BASE: 7.3 (default) or 6.12; DIR: where to
#                              write the series (build/outgoing/BASE)
#
# The identity is the one git gives the author of a commit, never guessed:
# GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL if set, else the configuration's
# author.name and author.email, else user.name and user.email. Without a
# name or an address it stops (git would make them up from the login and
# the host name, and $EMAIL is not read either).
#
# In each patch, the cover letter included, the From: header (as git
# format-patch writes it: RFC 2047 encoded if the name is not ASCII), the
# Signed-off-by: trailer of the fixed identity, and in the cover letter the
# shortlog's heading and the closing signature become the poster's; so does,
# in the diffs, the maintainer of the MAINTAINERS entry the series adds: its
# line "M:<tab>SysV IPC chid <sysvipc-chid@lists.invalid>" becomes
# "M:<tab>NAME <EMAIL>" wherever the diffs have it, as an added, removed or
# context line or after a hunk header, the same in every patch, so that the
# patches still apply one after the other (checked against the pristine
# tree when there is one). A message that becomes 8-bit gets the MIME
# headers format-patch would give it. Everything else, the To: and Cc:
# headers and the rest of the diffs among it, is copied as it is
# (scripts/outgoing.py), and checked to be; the fixed identity is left
# nowhere.
#
# The recipients are the patches' own To: and Cc: headers, and TO, more
# of them (comma-separated), if set; the 6.12 backport names none, so it
# needs TO. The dry run reads git's sendemail.* configuration as the real
# sending will, and sends nothing: with --dry-run, git send-email neither
# connects to an SMTP server nor runs sendmail.
[ $# -gt 0 ] && BASE=$1
. "$(dirname "$0")/lib.sh"

out=${2:-$SHARED/outgoing/$BASE}
case "$out" in /*) ;; *) out=$PWD/$out ;; esac
out=${out%/}
# It replaces DIR: only a folder of patches, and never patches/.
case "$out/" in
"$TOP/patches/"* | "$TOP/" | /) die "$out is not a place for the outgoing series" ;;
esac
[ ! -e "$out" ] || [ -z "$(find "$out" -mindepth 1 ! -name '*.patch' -print -quit)" ] ||
	die "$out holds more than patches: not replacing it"
log=$out.send-email.log
placeholder="$SERIES_NAME <$SERIES_EMAIL>"

stage "outgoing: patches/$BASE with your identity, into ${out#"$TOP/"}"

# The poster: what git would take for the author, but only if it is set.
ident() {
	local v=$1
	[ -n "$v" ] || v=$(git -C "$TOP" config --get "author.$2" || true)
	[ -n "$v" ] || v=$(git -C "$TOP" config --get "user.$2" || true)
	printf '%s' "$v"
}
name=$(ident "${GIT_AUTHOR_NAME:-}" name)
email=$(ident "${GIT_AUTHOR_EMAIL:-}" email)
what=() how=()
[[ $name =~ [^[:space:]] ]] || { what+=(name); how+=("user.name 'Your Name'"); }
[[ $email =~ [^[:space:]] ]] || { what+=("email address"); how+=("user.email you@example.org"); }
if [ ${#what[@]} -gt 0 ]; then
	{
		printf 'error: the series is posted as you, and git has no %s for you; set %s with:\n' \
			"${what[0]}${what[1]:+ and no ${what[1]}}" "$([ ${#what[@]} = 1 ] && echo it || echo them)"
		printf '    git config --global %s\n' "${how[@]}"
		echo '(or set GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL for this run)'
	} >&2
	exit 1
fi
address='^[^[:space:]<>@]+@[^[:space:]<>@]+$'
[[ $email =~ $address ]] || die "'$email' is not an email address (git config user.email)"
case "$name" in *[\<\>]* | *$'\n'*) die "'$name' cannot be a name in a From: header (git config user.name)" ;; esac
[ "$name" != "$SERIES_NAME" ] && [ "$email" != "$SERIES_EMAIL" ] ||
	die "'$name <$email>' is the series' fixed identity, not a poster's: set yours (git config user.name, user.email)"

src=$PATCHES
cover=$(ls "$src"/0000-*.patch 2>/dev/null) || die "patches/$BASE has no cover letter (run make patches)"
# A header of the cover letter, its continuation lines joined.
header() {
	awk -v h="$1:" '/^$/ { exit } /^[^ \t]/ { on = ($1 == h) } on' "$cover" |
		sed "1s/^$1: *//" | sed -z 's/\n[ \t]*/ /g; s/ *$//'
}
to=$(header To)
[ -n "$to" ] || [ -n "${TO:-}" ] ||
	die "patches/$BASE names no recipients: give them with TO (make outgoing BASE=$BASE TO='someone@example.org, another@example.org')"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The From: header, the name and the address as git writes them for a
# commit of the poster's (git format-patch encodes and folds the header,
# and git trims the name): from a commit in a throw-away repository, away
# from the configuration of the machine.
as_poster() {
	unset GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
	export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
	export GIT_AUTHOR_NAME="$name" GIT_AUTHOR_EMAIL="$email"
	export GIT_COMMITTER_NAME="$name" GIT_COMMITTER_EMAIL="$email"
	cd "$tmp" && git init -q ident && cd ident && echo ident >ident && git add ident &&
		git commit -q -m ident && git log -1 --format='%an%n%ae' >"$tmp/who" &&
		git format-patch -1 --stdout >"$tmp/ident.patch" &&
		awk '/^$/ { exit } /^[^ \t]/ { on = /^From: / } on' "$tmp/ident.patch" >"$tmp/from"
}
(as_poster) || die "git cannot make a commit as '$name <$email>'"
{ IFS= read -r name && IFS= read -r email; } <"$tmp/who"
from=$(cat "$tmp/from")
[[ $from == "From: "* ]] || die "git format-patch wrote no From: header for '$name <$email>'"
info "poster: $name <$email>"
info "${from//$'\n'/$'\n'    }"

rm -rf "$out.new" "$log"
mkdir -p "$(dirname "$out")"
python3 "$TOP/scripts/outgoing.py" "$src" "$out.new" "$SERIES_NAME" "$SERIES_EMAIL" \
	"$name" "$email" "$from" >"$tmp/changed" ||
	die "cannot give patches/$BASE your identity (scripts/outgoing.py)"
files=("$out.new"/*.patch)
info "wrote ${#files[@]} files"

# What the rewrite must have left alone: the diffs, byte for byte, but for
# the maintainer line of the MAINTAINERS entry, which becomes the poster's
# (checked here on patches/ by awk, apart from scripts/outgoing.py: as an
# added, removed or context line "[+- ]M:<tab>FIXED" and after a hunk header
# "@@ -A,B +C,D @@ M:<tab>FIXED" in the diff of MAINTAINERS); and no trace of
# the fixed identity anywhere.
maintainer() {
	LC_ALL=C OLD="M:	$placeholder" NEW="M:	$name <$email>" awk '
		BEGIN { old = ENVIRON["OLD"]; new = ENVIRON["NEW"] }
		/^diff --git / { maintainers = ($0 == "diff --git a/MAINTAINERS b/MAINTAINERS") }
		maintainers && /^[-+ ]/ && substr($0, 2) == old { $0 = substr($0, 1, 1) new }
		maintainers && match($0, /^@@ -[0-9]+(,[0-9]+)? \+[0-9]+(,[0-9]+)? @@ /) &&
			substr($0, RLENGTH + 1) == old { $0 = substr($0, 1, RLENGTH) new }
		{ print }'
}
for f in "${files[@]}"; do
	b=${f##*/}
	cmp -s <(sed -n '/^diff --git /,$p' "$src/$b" | maintainer) <(sed -n '/^diff --git /,$p' "$f") ||
		die "$b: the diff differs from patches/$BASE/$b in more than the MAINTAINERS entry's maintainer"
done
if (cd "$out.new" && grep -n -F -e "$SERIES_NAME" -e "$SERIES_EMAIL" -- *.patch) >"$tmp/left"; then
	sed 's/^/    /' "$tmp/left" >&2
	die "the outgoing series still names $placeholder"
fi
info "the fixed identity is gone from the headers, messages, signatures and diffs"
info "the diffs are those of patches/$BASE, but for the MAINTAINERS entry's maintainer, now you:"
sed 's/:.*//' "$tmp/changed" | uniq -c |
	awk '{ printf "      %s: %d %s\n", $2, $1, $1 == 1 ? "line" : "lines" } END { if (!NR) print "      (none in this series)" }'

# That they still apply, one after the other, to the pristine tree, if
# there is one: in an index and an object store of their own, which read
# the tree's objects and add none to it.
if git -C "$TREE" rev-parse -q --verify pristine >/dev/null 2>&1; then
	gitdir=$(git -C "$TREE" rev-parse --absolute-git-dir)
	mkdir -p "$tmp/objects"
	export GIT_INDEX_FILE=$tmp/index GIT_OBJECT_DIRECTORY=$tmp/objects
	export GIT_ALTERNATE_OBJECT_DIRECTORIES=$gitdir/objects
	git --git-dir="$gitdir" read-tree pristine || die "cannot read the pristine $BASE tree"
	for f in "${files[@]}"; do
		[[ ${f##*/} == 0000-* ]] && continue
		git --git-dir="$gitdir" apply --cached --whitespace=nowarn "$f" || die "${f##*/} does not apply to the pristine $BASE tree"
	done
	unset GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
	info "the patches apply in turn to the pristine $BASE tree (git apply --cached)"
else
	info "no $BASE tree (make tree): not checked that the patches apply"
fi

# The dry run: every message built as it will be sent, to the recipients
# it will go to. --to names the cover letter's To: (without one, git
# send-email would ask for recipients); --suppress-cc=self keeps the poster,
# the From: and Signed-off-by: of each patch, out of its Cc:, which are then
# exactly the patches' own; --8bit-encoding answers the question git
# send-email asks of a message with 8-bit text and no charset (this one
# declares it where it has some).
send=(--from="$name <$email>")
[ -z "$to" ] || send+=(--to="$to")
[ -z "${TO:-}" ] || send+=(--to="$TO")
send+=(--suppress-cc=self --8bit-encoding=UTF-8)
if ! (cd "$TOP" && GIT_SEND_EMAIL_NOTTY=1 git send-email "${send[@]}" --confirm=never \
	--dry-run "${files[@]}") </dev/null >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	die "git send-email --dry-run failed (all of it in ${log#"$TOP/"})"
fi
sent=$(grep -c '^Result: OK$' "$log" || true)
[ "$sent" -eq "${#files[@]}" ] ||
	die "git send-email --dry-run passed $sent of ${#files[@]} messages (${log#"$TOP/"})"
# Each message goes out from the poster, with no From: of anyone else.
froms=$(grep '^From: ' "$log" | sort -u)
[ "$(printf '%s\n' "$froms" | wc -l)" -eq 1 ] && [[ $froms == *"<$email>" ]] ||
	die "the dry run's messages are not all from <$email>: $froms (${log#"$TOP/"})"
grep '^Subject: ' "$log" | sed 's/^Subject: /    dry run OK: /'
info "${froms#From: }; the cover letter to $(awk '/^RCPT TO:/ { n++ } /^Result:/ { print n; exit }' "$log") addresses (every message in ${log#"$TOP/"})"

rm -rf "$out"
mv "$out.new" "$out"

# The command, quoted for a shell; the files relative to here if below.
q() {
	local a
	for a; do
		if [[ $a =~ ^[A-Za-z0-9_./=:@,+-]+$ ]]; then
			printf ' %s' "$a"
		else
			printf " '%s'" "${a//\'/\'\\\'\'}"
		fi
	done
}
dir=$out
[[ $dir != "$PWD/"* ]] || dir=${dir#"$PWD/"}
stage "outgoing: ${#files[@]} messages in ${out#"$TOP/"}; to send them (mail settings: git help send-email):"
printf '\ngit send-email%s%s/*.patch\n' "$(q "${send[@]}")" "$(q "$dir")"
