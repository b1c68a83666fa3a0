#!/usr/bin/env bash
# Make the kernel's .config: BASE (a config file, or a make target such as
# allnoconfig), then each FRAGMENT merged on top, then the kernel's own
# oldconfig resolves what they imply. Kept as .config.base too (after
# oldconfig), for savedefconfig's diff. Works on old kernels (2.6.33 has
# no merge_config.sh nor olddefconfig): the merge is done here.
# A FRAGMENT is a file of CONFIG_ lines, or one CONFIG_NAME=VALUE word.
# Usage: kernel-config.sh 'MAKE...' BASE [FRAGMENT...]   (in the source dir)
set -euo pipefail
make_cmd=$1 base=$2; shift 2
is_line() { [[ $1 =~ ^CONFIG_[A-Za-z0-9_]+= ]]; }
lines_of() { # the CONFIG_ lines of a fragment
	if is_line "$1"; then
		echo "$1"
	else
		grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' "$1" || true
	fi
}
for frag; do
	is_line "$frag" || [ -f "$frag" ] || { echo "kernel-config.sh: $frag: no such fragment" >&2; exit 1; }
done
if [ -f "$base" ]; then
	cp "$base" .config
elif [[ $base == */* ]]; then
	echo "kernel-config.sh: $base: no such base config" >&2
	exit 1
else
	$make_cmd "$base"
fi
(set +o pipefail; yes '' | $make_cmd oldconfig > /dev/null)
cp .config .config.base
for frag; do
	lines_of "$frag" | while read -r line; do
		sym=$(echo "$line" | sed -E 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1/; s/^(CONFIG_[A-Za-z0-9_]+)=.*/\1/')
		sed -i -E "/^$sym=|^# $sym is not set\$/d" .config
		echo "$line" >> .config
	done
done
(set +o pipefail; yes '' | $make_cmd oldconfig > /dev/null)
# Say which requested values the kernel refused (a dependency missing).
for frag; do
	lines_of "$frag" | grep -E '^CONFIG_' | while read -r line; do
		grep -qxF "$line" .config || echo "kernel-config.sh: warning: $frag asks for $line, the kernel's config says: $(grep -E "^${line%%=*}=|^# ${line%%=*} is not set" .config || echo unset)"
	done
done
