#!/usr/bin/env bash
# tcz fetch (download, sha256 while the bytes arrive, rename) against a
# bare curl -o of the same 1 GB file, served over loopback by busybox
# httpd.
. "$(dirname "$0")/lib.sh"
work=$O/bench/fetch
rm -rf "$work"; mkdir -p "$work/www"
head -c 1073741824 /dev/urandom > "$work/www/big"
sha=$(sha256sum < "$work/www/big" | cut -d' ' -f1)
port=$((40000 + RANDOM % 10000))
busybox httpd -f -p "127.0.0.1:$port" -h "$work/www" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.3
url=http://127.0.0.1:$port/big
bench_a() { rm -f "$work/t"; ms "$TCZ" fetch -q -o "$work/t" --sha256 "$sha" "$url"; }
bench_b() { rm -f "$work/c"; ms curl -sf -o "$work/c" "$url"; }
compare "fetch 1 GB over loopback, sha256-verified" 1.2 curl
