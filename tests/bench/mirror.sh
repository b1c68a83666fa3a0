#!/usr/bin/env bash
# tcz mirror build of 2,000 extensions against md5sum over the same bytes
# (what indexing costs beyond hashing: copying, companions, index files).
. "$(dirname "$0")/lib.sh"
work=$O/bench/mirror
rm -rf "$work"; mkdir -p "$work/exts"
trap 'rm -rf "$work"' EXIT
for i in $(seq 2000); do head -c 65536 /dev/urandom > "$work/exts/ext$i.tcz"; done
(cd "$work/exts" && for f in *.tcz; do md5sum "$f" > "$f.md5.txt"; done)
exts=("$work"/exts/*.tcz)
bench_a() { ms "$TCZ" mirror build "$work/m.$BASHPID" "${exts[@]}"; }
bench_b() { ms md5sum -- "${exts[@]}"; }
compare "mirror index: 2,000 extensions (128 MB)" 1.1 md5sum
