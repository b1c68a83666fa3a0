#!/usr/bin/env bash
# tcz fetch (download + sha256 + rename) against curl -o, and curl -o then
# sha256sum (the same work in two passes), over loopback, a
# 512 MB file served by busybox httpd; and tcz extract against GNU tar and
# bsdtar on the gcc and binutils source tarballs Debian ships.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/out}
TCZ=${TCZ:-$O/host/bin/tcz}
work=$O/bench/fetch
rm -rf "$work"; mkdir -p "$work/www"
head -c 536870912 /dev/urandom > "$work/www/big"
sha=$(sha256sum < "$work/www/big" | cut -d' ' -f1)
port=$((40000 + RANDOM % 10000))
busybox httpd -f -p "127.0.0.1:$port" -h "$work/www" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.3
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
t_curl=$(ms curl -s -o "$work/c" "http://127.0.0.1:$port/big")
rm -f "$work/c"
t_curlsum=$(ms sh -c "curl -s -o '$work/c' 'http://127.0.0.1:$port/big' && sha256sum '$work/c'")
t_tcz=$(ms "$TCZ" fetch -q -o "$work/t" --sha256 "$sha" "http://127.0.0.1:$port/big")
echo "fetch: 512 MB over loopback: tcz fetch (verifies sha256) $t_tcz ms; curl $t_curl ms, ratio $(ratio "$t_tcz" "$t_curl");" \
	"curl then sha256sum $t_curlsum ms, ratio $(ratio "$t_tcz" "$t_curlsum")"
for src in /usr/src/binutils/binutils-2.40.tar.xz /usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz; do
	[ -f "$src" ] || continue
	rm -rf "$work/x"*
	t_t=$(ms "$TCZ" extract "$src" -C "$work/x1")
	mkdir "$work/x2"; t_g=$(ms tar -xf "$src" -C "$work/x2")
	mkdir "$work/x3"; t_b=$(ms bsdtar -xf "$src" -C "$work/x3")
	echo "extract $(basename "$src"): tcz $t_t ms, GNU tar $t_g ms, bsdtar $t_b ms;" \
		"ratio to the best $(ratio "$t_t" "$(printf '%s\n' "$t_g" "$t_b" | sort -n | head -n1)")"
done
