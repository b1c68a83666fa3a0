#!/usr/bin/env bash
# tcz mirror build of 2,000 extensions against md5sum over the same bytes
# (what indexing costs beyond hashing: copying, companions, index files).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/out}
TCZ=${TCZ:-$O/host/bin/tcz}
work=$O/bench/mirror
rm -rf "$work"; mkdir -p "$work/exts"
for i in $(seq 2000); do head -c 65536 /dev/urandom > "$work/exts/ext$i.tcz"; done
(cd "$work/exts" && for f in *.tcz; do md5sum "$f" > "$f.md5.txt"; done)
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
t_md5=$(cd "$work/exts" && ms md5sum -- *.tcz)
t_idx=$(ms "$TCZ" mirror build "$work/m" "$work"/exts/*.tcz)
echo "mirror: index of 2000 extensions (128 MB): tcz mirror build $t_idx ms, md5sum $t_md5 ms," \
	"ratio $(awk -v a="$t_idx" -v b="$t_md5" 'BEGIN { printf "%.2f", a / b }') (goal < 2)"
rm -rf "$work"
