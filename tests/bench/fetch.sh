#!/usr/bin/env bash
# tcz fetch (download + sha256 + rename) against curl -o, and against curl -o
# then sha256sum (the same work in two passes), on a 1 GB file served over
# loopback by busybox httpd. Then tcz extract against GNU tar and bsdtar on
# the nginx, binutils and gcc source tarballs Debian ships. Extraction time
# swings with the filesystem's pending work (a big rm just before), so each
# tool extracts into a fresh directory after a sync, in an order that
# rotates, REPS times; medians.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/out}
TCZ=${TCZ:-$O/host/bin/tcz}
REPS=${REPS:-3}
work=$O/bench/fetch
rm -rf "$work"; mkdir -p "$work/www"
head -c 1073741824 /dev/urandom > "$work/www/big"
sha=$(sha256sum < "$work/www/big" | cut -d' ' -f1)
port=$((40000 + RANDOM % 10000))
busybox httpd -f -p "127.0.0.1:$port" -h "$work/www" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.3
ms() { # bsdtar exits 1 on the self hard links of Debian's binutils repack
	local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
url=http://127.0.0.1:$port/big
t_curl=$(ms curl -s -o "$work/c" "$url"); rm -f "$work/c"
t_curlsum=$(ms sh -c "curl -s -o '$work/c' '$url' && sha256sum '$work/c'"); rm -f "$work/c"
t_tcz=$(ms "$TCZ" fetch -q -o "$work/t" --sha256 "$sha" "$url"); rm -f "$work/t" "$work/www/big"; sync
echo "fetch: 1 GB over loopback: tcz fetch (verifies sha256) $t_tcz ms; curl $t_curl ms, ratio $(ratio "$t_tcz" "$t_curl");" \
	"curl then sha256sum $t_curlsum ms, ratio $(ratio "$t_tcz" "$t_curlsum")"

nginx=$("$top/tests/debian-source.sh" nginx 2>/dev/null || true)
for src in $nginx /usr/src/binutils/binutils-2.40.tar.xz /usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz; do
	[ -f "$src" ] || continue
	: > "$work/t.tcz"; : > "$work/t.gnu"; : > "$work/t.bsd"
	order="tcz gnu bsd"
	for i in $(seq "$REPS"); do
		for tool in $order; do
			d=$work/x.$tool.$i
			sync
			case $tool in
			tcz) ms "$TCZ" extract "$src" -C "$d" ;;
			gnu) mkdir "$d"; ms tar -xf "$src" -C "$d" ;;
			bsd) mkdir "$d"; ms bsdtar -xf "$src" -C "$d" ;;
			esac >> "$work/t.$tool"
		done
		rm -rf "$work"/x.*
		order="${order#* } ${order%% *}"
	done
	t_t=$(median < "$work/t.tcz") t_g=$(median < "$work/t.gnu") t_b=$(median < "$work/t.bsd")
	echo "extract $(basename "$src"): tcz $t_t ms, GNU tar $t_g ms, bsdtar $t_b ms (medians of $REPS);" \
		"ratio to the best $(ratio "$t_t" "$(printf '%s\n' "$t_g" "$t_b" | sort -n | head -n1)")"
done
