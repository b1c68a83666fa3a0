#!/usr/bin/env bash
# tcz pack against mksquashfs (squashfs-tools) and gensquashfs
# (squashfs-tools-ng) at the same settings (gzip, 4K blocks, no xattrs, all
# owned by root, all CPUs; each tool's default gzip effort: zlib 9 for the
# peers, libdeflate 7 for tcz, see src/deflate.h), on the same >= 150 MB
# tree, several times;
# prints median times and sizes with ratios. Then tcz list/unpack against
# unsquashfs on the same image.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/out}
TCZ=${TCZ:-$O/host/bin/tcz}
REPS=${REPS:-3}
jobs=$(nproc)
work=$O/bench/pack
tree=$O/bench/tree
mkdir -p "$work"

if [ ! -d "$tree" ]; then # a copy of mixed parts of /usr (about 200 MB), made once
	mkdir -p "$tree.tmp"
	for d in /usr/include /usr/lib/python3.11 /usr/share/perl /usr/lib/x86_64-linux-gnu/perl \
		/usr/share/doc /usr/share/locale /usr/share/man; do
		[ -d "$d" ] || continue
		[ "$(du -sm "$tree.tmp" | cut -f1)" -ge 180 ] && break
		cp -a --parents "$d" "$tree.tmp/" 2>/dev/null || true
	done
	mv "$tree.tmp" "$tree"
fi
mb=$(du -sm "$tree" | cut -f1)
[ "$mb" -ge 150 ] || { echo "bench/pack.sh: the tree is only $mb MB" >&2; exit 1; }

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
timed() { # prints milliseconds
	local s e
	s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
	echo $(( (e - s) / 1000000 ))
}
run() { # NAME CMD...: median ms over REPS
	local name=$1 i; shift
	for i in $(seq "$REPS"); do rm -f "$work/$name.img"; timed "$@"; done | median
}

export SOURCE_DATE_EPOCH=1300000000
t_tcz=$(run tcz "$TCZ" pack -q -j "$jobs" "$tree" -o "$work/tcz.img.tcz")
mv "$work/tcz.img.tcz" "$work/tcz.img"
t_mks=$(run mks mksquashfs "$tree" "$work/mks.img" -comp gzip -b 4096 -no-xattrs -all-root \
	-processors "$jobs" -noappend -quiet -no-progress)
t_gen=$(run gen gensquashfs -D "$tree" -c gzip -b 4096 --defaults uid=0,gid=0 -j "$jobs" -q -f "$work/gen.img")
s_tcz=$(stat -c %s "$work/tcz.img") s_mks=$(stat -c %s "$work/mks.img") s_gen=$(stat -c %s "$work/gen.img")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo "pack: $mb MB tree, $REPS runs, $jobs threads (median ms, bytes)"
printf '  %-12s %8s ms %12s bytes\n' "tcz pack" "$t_tcz" "$s_tcz" mksquashfs "$t_mks" "$s_mks" gensquashfs "$t_gen" "$s_gen"
echo "  ratio tcz/mksquashfs: time $(ratio "$t_tcz" "$t_mks"), size $(ratio3 "$s_tcz" "$s_mks")"
echo "  ratio tcz/gensquashfs: time $(ratio "$t_tcz" "$t_gen"), size $(ratio3 "$s_tcz" "$s_gen")"

t_list=$(for i in $(seq "$REPS"); do timed "$TCZ" list "$work/mks.img"; done | median)
t_ulist=$(for i in $(seq "$REPS"); do timed unsquashfs -l "$work/mks.img"; done | median)
t_unp=$(for i in $(seq "$REPS"); do rm -rf "$work/u1"; mkdir "$work/u1"; timed "$TCZ" unpack "$work/mks.img" -C "$work/u1"; done | median)
t_uunp=$(for i in $(seq "$REPS"); do rm -rf "$work/u2"; timed unsquashfs -q -no-xattrs -d "$work/u2" "$work/mks.img"; done | median)
echo "read (the mksquashfs image): tcz list $t_list ms vs unsquashfs -l $t_ulist ms (ratio $(ratio "$t_list" "$t_ulist"));" \
	"tcz unpack $t_unp ms vs unsquashfs $t_uunp ms (ratio $(ratio "$t_unp" "$t_uunp"))"
rm -rf "$work/u1" "$work/u2"
