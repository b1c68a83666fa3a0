#!/usr/bin/env bash
# Make the kernel's .config: BASE (a config file, or a make target such as
# tinyconfig), then each FRAGMENT's CONFIG_ lines merged on top, then the
# kernel's own oldconfig resolves what they imply. Kept as .config.base too
# (after oldconfig), for savedefconfig's diff. Works on old kernels (2.6.33
# has no merge_config.sh nor olddefconfig): the merge is done here.
# Usage: kernel-config.sh 'MAKE...' BASE [FRAGMENT...]   (in the source dir)
set -euo pipefail
make_cmd=$1 base=$2; shift 2
if [ -f "$base" ]; then
	cp "$base" .config
else
	$make_cmd "$base"
fi
(set +o pipefail; yes '' | $make_cmd oldconfig > /dev/null)
cp .config .config.base
for frag; do
	[ -f "$frag" ] || { echo "kernel-config.sh: $frag: no such fragment" >&2; exit 1; }
	grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' "$frag" | while read -r line; do
		sym=$(echo "$line" | sed -E 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1/; s/^(CONFIG_[A-Za-z0-9_]+)=.*/\1/')
		sed -i -E "/^$sym=|^# $sym is not set\$/d" .config
		echo "$line" >> .config
	done
done
(set +o pipefail; yes '' | $make_cmd oldconfig > /dev/null)
# Say which requested values the kernel refused (a dependency missing).
for frag; do
	grep -E '^CONFIG_[A-Za-z0-9_]+=' "$frag" | while read -r line; do
		grep -qxF "$line" .config || echo "kernel-config.sh: warning: $frag asks for $line, the kernel's config says: $(grep -E "^${line%%=*}=|^# ${line%%=*} is not set" .config || echo unset)"
	done
done
