# lib.sh: sourced by each tests/bench/*.sh section (run by run.sh).
#
# A section times tcz against its peer in pairs, the two in turn (A B, then
# B A, ...) so that a machine whose speed drifts treats both alike, and
# adds one row per comparison to $BENCH_ROWS: the medians, the median of
# the per-pair ratios, the goal, and the noise of those ratios (their
# median absolute deviation, scaled to a standard deviation). run.sh
# prints the rows as one table.
set -euo pipefail
shopt -s inherit_errexit # a failure inside $(...) stops the bench too
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
O=${O:-$top/out}
TCZ=${TCZ:-$O/host/bin/tcz}
REPS=${REPS:-5}
BENCH_ROWS=${BENCH_ROWS:-/dev/stdout}
export SOURCE_DATE_EPOCH=1300000000

die() { echo "bench: $*" >&2; exit 1; }

# ms CMD...: wall milliseconds of CMD, output discarded. A command that
# fails stops the bench: a fast failure is no result.
ms() {
	local s=$EPOCHREALTIME e rc=0
	"$@" >/dev/null 2>&1 || rc=$?
	e=$EPOCHREALTIME
	[ $rc = 0 ] || die "'$*' failed (exit $rc)"
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", (e - s) * 1000 }'
}
# stats: lines "A B" (ms) in, "medA medB ratio noise" out.
stats() {
	awk '{ a[NR] = $1; b[NR] = $2; r[NR] = $1 / $2 }
	function med(v, n,   i, j, t, c) {
		for (i = 1; i <= n; i++) c[i] = v[i]
		for (i = 2; i <= n; i++) for (j = i; j > 1 && c[j - 1] > c[j]; j--) { t = c[j]; c[j] = c[j - 1]; c[j - 1] = t }
		return n % 2 ? c[(n + 1) / 2] : (c[n / 2] + c[n / 2 + 1]) / 2
	}
	END {
		m = med(r, NR)
		for (i = 1; i <= NR; i++) d[i] = (r[i] > m ? r[i] - m : m - r[i])
		printf "%.3f %.3f %.3f %.3f\n", med(a, NR), med(b, NR), m, 1.4826 * med(d, NR)
	}'
}

# row WORK TCZ PEER RATIO GOAL NOISE: one line of the table.
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$BENCH_ROWS"; }

# human MS: "850 ms", "12.3 s".
human() { awk -v v="$1" 'BEGIN { if (v < 10) printf "%.2f ms", v; else if (v < 1000) printf "%.0f ms", v; else printf "%.2f s", v / 1000 }'; }

# compare WORK GOAL PEER-NAME: REPS pairs of bench_a (tcz) and bench_b
# (the peer), functions the caller defines, each printing its ms; A goes
# first in odd pairs, B in even ones.
compare() {
	local what=$1 goal=$2 peer=$3 i a b pairs
	pairs=$(for i in $(seq "$REPS"); do
		if [ $((i % 2)) = 1 ]; then a=$(bench_a); b=$(bench_b); else b=$(bench_b); a=$(bench_a); fi
		echo "$a $b"
	done)
	set -- $(stats <<<"$pairs")
	row "$what" "$(human "$1")" "$peer $(human "$2")" "$3" "$goal" "$4"
}
