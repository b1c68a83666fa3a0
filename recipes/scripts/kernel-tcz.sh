#!/usr/bin/env bash
# Pack a kernel's modules as Tiny Core extensions NAME-KVER.tcz, one per
# group (GROUPS: "NAME:DIR ...", DIR relative to lib/modules/KVER/kernel).
# Inside, modules sit where Tiny Core keeps extension modules,
# usr/local/lib/modules/KVER/kernel/...; tce-load runs depmod -a on install.
# Each extension's .dep names the groups holding modules its modules need
# (from modules.dep), as NAME-KERNEL.tcz, Tiny Core's placeholder. The
# files written are listed in FILES (for the package cache).
# Usage: kernel-tcz.sh TCZ DESTDIR OUT 'GROUPS' FILES
set -euo pipefail
tcz=$1 dest=$2 out=$3 groups=$4 files=$5
kver=$(ls "$dest/lib/modules")
mods=$dest/lib/modules/$kver
[ -f "$mods/modules.dep" ] || { echo "kernel-tcz.sh: no modules.dep in $mods" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
group_of() { # kernel/PATH.ko -> group name (the longest matching DIR wins)
	local rel=${1#kernel/} best= bestlen=-1 g name dir len
	for g in $groups; do
		name=${g%%:*} dir=${g#*:}
		if [ "$dir" = . ] || [ "${rel#"$dir"/}" != "$rel" ]; then
			len=${#dir}; [ "$dir" = . ] && len=0
			if [ "$len" -gt "$bestlen" ]; then best=$name; bestlen=$len; fi
		fi
	done
	echo "$best"
}
mkdir -p "$out"
while IFS=: read -r mod deps; do
	g=$(group_of "$mod")
	[ -n "$g" ] || { echo "kernel-tcz.sh: $mod belongs to no group in '$groups'" >&2; exit 1; }
	install -D -m 0644 "$mods/$mod" "$work/$g/usr/local/lib/modules/$kver/$mod"
	for d in $deps; do
		dg=$(group_of "$d")
		[ "$dg" = "$g" ] || echo "$dg-KERNEL.tcz" >> "$work/$g.deps"
	done
done < "$mods/modules.dep"
for g in $(cd "$work" && ls -d */ 2>/dev/null | tr -d /); do
	name=$g-$kver
	args=()
	if [ -s "$work/$g.deps" ]; then sort -u "$work/$g.deps" > "$work/$g.dep"; args=(--dep "$work/$g.dep"); fi
	printf 'Title:\t\t%s.tcz\nDescription:\t%s\nVersion:\t%s\nAuthor:\t\tthe Linux kernel authors\nOriginal-site:\thttps://www.kernel.org\nCopying-policy:\tGPL-2.0\nSize:\t\t-\nExtension_by:\ttcbuild\nComments:\tKernel modules (%s) for Linux %s.\nChange-log:\t-\nCurrent:\t%s\n' \
		"$name" "$g kernel modules" "$kver" "$g" "$kver" "$kver" > "$work/$g.info"
	"$tcz" pack -q "$work/$g" -o "$out/$name.tcz" --info "$work/$g.info" "${args[@]}"
	"$tcz" check "$out/$name.tcz"
done
mkdir -p "$(dirname "$files")"
(cd "$out" && for g in $(cd "$work" && ls -d */ 2>/dev/null | tr -d /); do ls -d "$g-$kver.tcz" "$g-$kver.tcz".*; done) > "$files.tmp"
mv "$files.tmp" "$files"
