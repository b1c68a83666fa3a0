#!/usr/bin/env bash
# Run one stage of a package build: print its progress line, run SCRIPT with
# bash -e in DIR, output appended to LOG (and shown too with V=1). On
# failure, show the last 30 lines of the log and where the rest is. Each
# stage that ends well adds "START END TITLE" (seconds since the epoch) to
# build-time.log beside LOG, which make graph-build draws.
#
# Usage: step.sh LOG TITLE DIR SCRIPT
set -uo pipefail
log=$1 title=$2 dir=$3 script=$4
# A package's own makefiles must not see tcbuild's command-line variables
# (O=, V=, ...: the kernel's Makefile reads O= as its output directory).
# Keep make's flags and jobserver, drop the variable definitions.
export MAKEFLAGS="${MAKEFLAGS%%-- *}"
unset MAKEOVERRIDES
mkdir -p "$(dirname "$log")"
echo "$title"
echo "=== $title ($(date -u +%H:%M:%S))" >> "$log"
start=$(date +%s.%N)
if [ -n "${V:-}" ]; then
	(cd "$dir" && bash -e "$script") 2>&1 | tee -a "$log"
	rc=${PIPESTATUS[0]}
else
	(cd "$dir" && bash -e "$script") >> "$log" 2>&1
	rc=$?
fi
if [ "$rc" != 0 ]; then
	tail -n 30 "$log" | sed 's/^/  | /' >&2
	echo "tcbuild: ${title#*] }: failed (exit $rc); full log: $log; script: $script" >&2
	exit 1
fi
printf '%s %s %s\n' "$start" "$(date +%s.%N)" "$title" >> "$(dirname "$log")/build-time.log"
