#!/usr/bin/env bash
# tcz pack against mksquashfs at the same settings (gzip, 4K blocks, no
# xattrs, all owned by root, all CPUs; each tool's default gzip effort:
# zlib 9 for mksquashfs, libdeflate 7 for tcz, see src/deflate.h) on a
# 186 MB tree; then tcz list and unpack against unsquashfs on mksquashfs's
# image of that tree and of a small extension-sized one.
. "$(dirname "$0")/lib.sh"
jobs=$(nproc)
work=$O/bench/pack
tree=$O/bench/tree
small=$O/bench/small
rm -rf "$work"; mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

if [ ! -d "$tree" ]; then # a copy of mixed parts of /usr (about 190 MB), made once
	rm -rf "$tree.tmp"; mkdir -p "$tree.tmp"
	for d in /usr/include /usr/lib/python3.11 /usr/share/perl /usr/lib/x86_64-linux-gnu/perl \
		/usr/share/doc /usr/share/locale /usr/share/man; do
		[ -d "$d" ] || continue
		[ "$(du -sm "$tree.tmp" | cut -f1)" -ge 180 ] && break
		cp -a --parents "$d" "$tree.tmp/" 2>/dev/null || true
	done
	mv "$tree.tmp" "$tree"
fi
mb=$(du -sm "$tree" | cut -f1)
[ "$mb" -ge 150 ] || die "pack.sh: the tree is only $mb MB"
if [ ! -d "$small" ]; then # an extension's worth: a few programs and their docs
	rm -rf "$small.tmp"; mkdir -p "$small.tmp/usr/local/bin" "$small.tmp/usr/local/share/doc"
	cp /usr/bin/ls /usr/bin/cp /usr/bin/mv /usr/bin/grep "$small.tmp/usr/local/bin/"
	cp -a /usr/share/doc/grep /usr/share/doc/coreutils "$small.tmp/usr/local/share/doc/" 2>/dev/null || true
	mv "$small.tmp" "$small"
fi
entries=$(find "$tree" | wc -l)

bench_a() { rm -f "$work/tcz.img.tcz"; ms "$TCZ" pack -q -j "$jobs" "$tree" -o "$work/tcz.img.tcz"; }
bench_b() {
	rm -f "$work/mks.img"
	ms mksquashfs "$tree" "$work/mks.img" -comp gzip -b 4096 -no-xattrs -all-root \
		-processors "$jobs" -noappend -quiet -no-progress
}
compare "pack: $mb MB tree, time" 0.40 mksquashfs
s_tcz=$(stat -c %s "$work/tcz.img.tcz") s_mks=$(stat -c %s "$work/mks.img")
row "pack: $mb MB tree, size" "$s_tcz B" "mksquashfs $s_mks B" \
	"$(awk -v a="$s_tcz" -v b="$s_mks" 'BEGIN { printf "%.3f", a / b }')" 0.99 0.000
mksquashfs "$small" "$work/small.img" -comp gzip -b 4096 -no-xattrs -all-root -noappend -quiet -no-progress >/dev/null

# loop K CMD...: one sample of K runs of a command of a few milliseconds,
# in ms per run.
loop() {
	local k=$1 i s e; shift
	s=$EPOCHREALTIME
	for ((i = 0; i < k; i++)); do "$@" >/dev/null 2>&1 || die "'$*' failed"; done
	e=$EPOCHREALTIME
	awk -v s="$s" -v e="$e" -v k="$k" 'BEGIN { printf "%.3f\n", (e - s) * 1000 / k }'
}

bench_a() { loop 20 "$TCZ" list "$work/mks.img"; }
bench_b() { loop 20 unsquashfs -l "$work/mks.img"; }
compare "list: $entries entries" 1.0 "unsquashfs -l"
bench_a() { loop 100 "$TCZ" list "$work/small.img"; }
bench_b() { loop 100 unsquashfs -l "$work/small.img"; }
compare "list: small extension" 1.0 "unsquashfs -l"

# unpacks K IMAGE tcz|peer: one sample of K unpacks, each into a new
# directory (made beforehand for tcz, which wants one), in ms per run.
# Nothing is removed before the end: creating files right after removing
# many costs ext4 more, whoever creates them.
unpacks() {
	local k=$1 img=$2 who=$3 base=$work/u.$BASHPID i s e
	[ "$who" = tcz ] && for ((i = 0; i < k; i++)); do echo "$base.$i"; done | xargs mkdir
	s=$EPOCHREALTIME
	for ((i = 0; i < k; i++)); do
		if [ "$who" = tcz ]; then
			"$TCZ" unpack "$img" -C "$base.$i" >/dev/null 2>&1 || die "tcz unpack $img failed"
		else
			unsquashfs -q -no-xattrs -d "$base.$i" "$img" >/dev/null 2>&1 || die "unsquashfs $img failed"
		fi
	done
	e=$EPOCHREALTIME
	awk -v s="$s" -v e="$e" -v k="$k" 'BEGIN { printf "%.3f\n", (e - s) * 1000 / k }'
}
bench_a() { unpacks 1 "$work/mks.img" tcz; }
bench_b() { unpacks 1 "$work/mks.img" peer; }
compare "unpack: $mb MB, $entries entries" 1.0 unsquashfs
bench_a() { unpacks 20 "$work/small.img" tcz; }
bench_b() { unpacks 20 "$work/small.img" peer; }
compare "unpack: small extension" 1.0 unsquashfs
