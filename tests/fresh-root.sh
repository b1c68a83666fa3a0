#!/usr/bin/env bash
# fresh-root.sh [TIER...]: prove tcbuild's install steps on a fresh Debian
# bookworm root, not on a machine that happens to have a package installed.
#
# A `debootstrap --variant=minbase bookworm` root is made once and cached in
# $TCZ_CACHE_DIR/fresh-root/ (default ~/.cache/tcbuild). For each tier
# (default: every tier .ci/run installs), a copy of it gets the checkout's
# tracked files, runs `toolchain/host-deps.sh tools TIER` as a new user
# would (apt-get, from the Debian archive), then `host-deps.sh --probe TIER`:
# every command, file, header and library the tier's scripts run must be
# there. Every tier stands on its own (beside tools), so a package one tier
# forgot cannot hide behind another's. The tools tier also builds the tcz
# tool there (`make tools`) and runs it. The end is a list of what is
# missing, per tier; exit status 1 if anything is.
#
# Needs root (debootstrap, chroot, mount) and the Debian archive. Downloaded
# .debs are kept in the cache too, so a second run installs without network.
# Environment: TCZ_CACHE_DIR; FRESH_ROOT_MIRROR (the Debian archive; default:
# this machine's apt source for bookworm); O (scratch copies go to
# $O/fresh-root, removed at the end unless FRESH_ROOT_KEEP=1);
# FRESH_ROOT_TESTS=1: the test tier also runs the fast suite once there
# (make test-fast, which installs the packages and image tiers first).
#
# A tier proven once is not proven again while what decides its result is
# unchanged: the content of host-deps.sh and of this script, and the base
# root. The proof is remembered in $cache/proven/ (FRESH_ROOT_AGAIN=1
# ignores it). The fast suite on the test tier runs every time it is asked
# for: it checks this checkout's tests, which change with every commit.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-$top/out}
cache=${TCZ_CACHE_DIR:-$HOME/.cache/tcbuild}/fresh-root
suite=bookworm
tiers=("$@")
[ ${#tiers[@]} -gt 0 ] || tiers=(tools test toolchain toolchain-test packages kernel kernel-test graph bench image)

die() { echo "fresh-root: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v debootstrap >/dev/null || die "no debootstrap: run toolchain/host-deps.sh fresh-root"

# The archive this machine installs bookworm from (deb822 or one-line form).
host_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" }
			$0 ~ /(^|\n)Types:[^\n]*deb([ \t]|\n|$)/ && $0 ~ ("(^|\n)Suites:[^\n]*[ \t]" s "([ \t]|\n|$)") {
				for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); print u[1]; exit } }' "$f"
	done
	if [ -f /etc/apt/sources.list ]; then
		awk -v s="$suite" '$1 == "deb" && $3 == s { print $2 }' /etc/apt/sources.list
	fi
}
mirror=${FRESH_ROOT_MIRROR:-$(host_mirror | grep -v -e '^$' -e security | head -n 1 || true)}
mirror=${mirror:-http://deb.debian.org/debian}

# The pristine root, made once (one maker at a time).
base=$cache/$suite-minbase
mkdir -p "$cache/debs/partial"
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$base/.complete" ]; then
	echo "fresh-root: debootstrap --variant=minbase $suite from $mirror (once, into $base)"
	rm -rf "$base.tmp"
	start=$SECONDS
	debootstrap --variant=minbase "$suite" "$base.tmp" "$mirror" > "$cache/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed; log: $cache/debootstrap.log"; }
	touch "$base.tmp/.complete"
	rm -rf "$base"
	mv "$base.tmp" "$base"
	echo "fresh-root: made in $((SECONDS - start)) s: $(du -sh "$base" | cut -f1)"
fi
echo "fresh-root: base $base ($(grep -h '^VERSION=' "$base/etc/os-release" | cut -d'"' -f2), $(chroot "$base" dpkg-query -W | wc -l) packages)"

work=$O/fresh-root
root=
cleanup() {
	if [ -n "$root" ]; then
		umount "$root/dev/pts" 2>/dev/null || true
		umount "$root/var/cache/apt/archives" 2>/dev/null || true
		umount "$root/proc" 2>/dev/null || true
		[ "${FRESH_ROOT_KEEP:-}" = 1 ] || rm -rf "$root"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The checkout as a new user has it: the tracked files.
copy_checkout() { # DEST
	mkdir -p "$1"
	if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$top" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$1"
	else
		tar -C "$top" --exclude=./out -cf - . | tar -xf - -C "$1"
	fi
}

in_root() { # CMD...: run in the fresh root as root, with a plain environment
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# What a tier's proof depends on.
proof_key=$(cat "$top/toolchain/host-deps.sh" "$0" "$base/etc/os-release" | sha256sum | cut -c1-16)
mkdir -p "$cache/proven"

failed=()
for tier in "${tiers[@]}"; do
	proof=$cache/proven/$tier-$proof_key
	if [ -f "$proof" ] && [ "${FRESH_ROOT_AGAIN:-}" != 1 ] &&
		{ [ "$tier" != test ] || [ "${FRESH_ROOT_TESTS:-}" != 1 ]; }; then
		echo "fresh-root: [$tier] proven on $(cat "$proof") for these package lists (FRESH_ROOT_AGAIN=1 proves it again)"
		continue
	fi
	toolchain_tiers="tools"
	[ "$tier" = tools ] || toolchain_tiers="tools $tier"
	echo "fresh-root: [$tier] a fresh copy; host-deps.sh $toolchain_tiers"
	start=$SECONDS
	root=$work/$tier
	log=$work/$tier.log
	rm -rf "$root"
	mkdir -p "$work"
	cp -a "$base" "$root"
	: > "$log"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	mount -t proc proc "$root/proc"
	mount --bind "$cache/debs" "$root/var/cache/apt/archives"
	mount --bind /dev/pts "$root/dev/pts" # script(1) in the fetch tests
	copy_checkout "$root/tcbuild"
	ok=1
	in_root apt-get update -q >> "$log" 2>&1 || { ok=0; echo "fresh-root: [$tier] apt-get update failed" >&2; }
	before=$(in_root dpkg-query -W | wc -l)
	if [ $ok = 1 ] && ! in_root /tcbuild/toolchain/host-deps.sh $toolchain_tiers >> "$log" 2>&1; then
		ok=0
		tail -n 15 "$log" | sed 's/^/  | /' >&2
		echo "fresh-root: [$tier] host-deps.sh $toolchain_tiers failed (log: $log)" >&2
	fi
	after=$(in_root dpkg-query -W | wc -l)
	echo "fresh-root: [$tier] $((after - before)) packages installed"
	if [ $ok = 1 ]; then
		in_root /tcbuild/toolchain/host-deps.sh --probe $toolchain_tiers 2>&1 | sed "s/^/fresh-root: [$tier] /" ||
			ok=0
	fi
	if [ $ok = 1 ] && [ "$tier" = tools ]; then
		if in_root make -C /tcbuild -j2 tools O=/tmp/out >> "$log" 2>&1 &&
			in_root /tmp/out/host/bin/tcz --version > "$work/version" 2>&1; then
			echo "fresh-root: [$tier] make tools: $(cat "$work/version") built and runs"
		else
			ok=0
			tail -n 15 "$log" | sed 's/^/  | /' >&2
			echo "fresh-root: [$tier] make tools failed (log: $log)" >&2
		fi
	fi
	if [ $ok = 1 ] && [ "$tier" = test ] && [ "${FRESH_ROOT_TESTS:-}" = 1 ]; then
		in_root make -C /tcbuild -j2 test-fast O=/tmp/out > "$work/test-fast.out" 2>&1 || ok=0
		grep -E '^FAIL|passed, .* failed' "$work/test-fast.out" | sed "s/^/fresh-root: [$tier] make test-fast: /"
		[ $ok = 1 ] || echo "fresh-root: [$tier] make test-fast failed (output: $work/test-fast.out)" >&2
	fi
	cleanup
	root=
	if [ $ok = 1 ]; then
		echo "fresh-root: [$tier] ok ($((SECONDS - start)) s)"
		date -u +%Y-%m-%dT%H:%M:%SZ > "$proof"
	else
		echo "fresh-root: [$tier] FAILED ($((SECONDS - start)) s)"
		failed+=("$tier")
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fresh-root: failed tiers: ${failed[*]} (logs in $work)"
	exit 1
fi
echo "fresh-root: every tier (${tiers[*]}) installs and finds what it runs"
