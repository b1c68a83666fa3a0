#!/usr/bin/env bash
# run.sh [--asan] TIER [NAME...]: run a tier of the test suite and end with
# "N passed, N failed". TIER is a directory under tests/ (fast = unit + t/).
# With --asan, the same tests run a second time against the ASan+UBSan build.
# NAME limits the run to tests/<dir>/NAME.sh (and unit/NAME_test.c).
set -u
TESTS=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$TESTS")
O=${O:-$TOP/out}
asan=0
[ "${1:-}" = --asan ] && { asan=1; shift; }
tier=${1:?usage: run.sh [--asan] TIER [NAME...]}
shift
only=("$@")
jobs=${TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}

case "$tier" in
fast) dirs=(t) ;;
*) dirs=("$tier") ;;
esac

results=$(mktemp -d "${TMPDIR:-/tmp}/tcz-results.XXXXXX")
trap 'rm -rf "$results"' EXIT

wanted() { # wanted NAME: no filter, or NAME is in it
	[ ${#only[@]} -eq 0 ] && return 0
	local n
	for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}

# Each job writes its report to its own file; they are printed in order.
n=0
pids=()
run_job() { # run_job LABEL CMD...
	local out=$results/$(printf %04d $n).out
	n=$((n + 1))
	( "${@:2}" >"$out" 2>&1 || echo "FAIL $1: exited with status $? before finishing" >>"$out" ) &
	pids+=($!)
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n 2>/dev/null || true; done
}

pass() { # pass BUILD-DIR LABEL
	local build=$1 label=$2 f name
	if [ "$tier" = fast ]; then
		for f in "$build"/tests/*_test; do
			[ -x "$f" ] || continue
			name=$(basename "$f" _test)
			wanted "$name" || continue
			run_job "$label unit/$name" env TCZ_TEST_LABEL="$label" "$f"
		done
	fi
	for d in "${dirs[@]}"; do
		for f in "$TESTS/$d"/*.sh; do
			[ -f "$f" ] || continue
			name=$(basename "$f" .sh)
			wanted "$name" || continue
			run_job "$label $d/$name" env TCZ="$build/bin/tcz" TCZ_TEST_LABEL="$label" \
				O="$O" bash "$f"
		done
	done
}

pass "$O/host" ""
[ $asan = 1 ] && pass "$O/host-asan" "[asan]"
wait "${pids[@]}" 2>/dev/null

cat "$results"/*.out 2>/dev/null
passed=$(cat "$results"/*.out 2>/dev/null | grep -c '^ok ')
failed=$(cat "$results"/*.out 2>/dev/null | grep -c '^FAIL ')
if [ $((passed + failed)) -eq 0 ]; then
	echo "run.sh: no test ran (tier '$tier'${only:+, names ${only[*]}})" >&2
	failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
