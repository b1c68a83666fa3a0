#!/usr/bin/env bash
# tcz extract against the faster of GNU tar and bsdtar on the sources a
# build extracts: nginx (.tar.gz, Debian's), binutils and gcc (.tar.xz of
# one block, Debian's), Linux 2.6.33.3 (.tar.xz of 16 blocks, the
# project's offline copy, /work/shared/sources) and the same tree as
# .tar.bz2, as kernel.org published it (made here once with bzip2 -9).
# In each pair the three run in an order that rotates, each into a new
# directory; they are removed only when a tarball is done, since creating
# files right after removing many costs ext4 more, whoever creates them.
. "$(dirname "$0")/lib.sh"
work=$O/bench/extract
rm -rf "$work"; mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

kernel=${BENCH_KERNEL_XZ:-/work/shared/sources/linux-2.6.33.3.tar.xz}
kernel_bz2=$O/bench/$(basename "$kernel" .xz).bz2
if [ -f "$kernel" ] && [ ! -f "$kernel_bz2" ]; then
	xz -dc "$kernel" | bzip2 -9 > "$kernel_bz2.tmp" && mv "$kernel_bz2.tmp" "$kernel_bz2"
fi
nginx=$("$top/tests/debian-source.sh" nginx 2>/dev/null || true)

# one TOOL ARCHIVE K: ms of one extraction into a new directory, the
# mean of K of them (small archives take tens of milliseconds).
one() {
	local d=$work/x.$BASHPID i s e
	for ((i = 0; i < $3; i++)); do [ "$1" = tcz ] || mkdir "$d.$i"; done
	s=$EPOCHREALTIME
	for ((i = 0; i < $3; i++)); do
		case $1 in
		tcz) "$TCZ" extract "$2" -C "$d.$i" >/dev/null 2>&1 || die "tcz extract $2 failed" ;;
		gnu) tar -xf "$2" -C "$d.$i" >/dev/null 2>&1 || die "tar -xf $2 failed" ;;
		bsd) bsdtar -xf "$2" -C "$d.$i" >/dev/null 2>&1 || true ;; # 1 on binutils' self hard links
		esac
	done
	e=$EPOCHREALTIME
	awk -v s="$s" -v e="$e" -v k="$3" 'BEGIN { printf "%.3f\n", (e - s) * 1000 / k }'
}

for src in $nginx /usr/src/binutils/binutils-2.40.tar.xz /usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz \
	"$kernel" "$kernel_bz2"; do
	[ -f "$src" ] || { echo "bench: extract: no $src, skipped" >&2; continue; }
	order="tcz gnu bsd"
	k=1; [ "$(stat -c %s "$src")" -ge 10000000 ] || k=10
	pairs=$(for i in $(seq "$REPS"); do
		declare -A t=()
		for tool in $order; do t[$tool]=$(one $tool "$src" $k); done
		echo "${t[tcz]} $(printf '%s\n' "${t[gnu]}" "${t[bsd]}" | sort -n | head -n1) ${t[gnu]} ${t[bsd]}"
		order="${order#* } ${order%% *}"
	done)
	rm -rf "$work"/x.*
	set -- $(stats <<<"$pairs")
	best=$(awk '{ g[NR] = $3; b[NR] = $4 } END { n = 0; for (i = 1; i <= NR; i++) n += g[i] <= b[i]; print n * 2 >= NR ? "GNU tar" : "bsdtar" }' <<<"$pairs")
	row "extract $(basename "$src")" "$(human "$1")" "$best $(human "$2")" "$3" 1.0 "$4"
done
