#!/usr/bin/env bash
# make bench: tcz against its peer on every operation issue 17 sets a goal
# for, in one table: the medians, the median of the per-pair ratios, the
# goal, and the noise those ratios showed. Exits 1 when a ratio misses its
# goal by more than its noise. Sections: tests/bench/{pack,extract,fetch,
# mirror}.sh (BENCH_ONLY="pack extract" runs some); REPS pairs each.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rows=$(mktemp "${TMPDIR:-/tmp}/tcz-bench.XXXXXX")
trap 'rm -f "$rows"' EXIT
export BENCH_ROWS=$rows

load() { cut -d' ' -f1-3 /proc/loadavg; }
start_load=$(load)
for s in ${BENCH_ONLY:-pack extract fetch mirror}; do
	"$here/$s.sh" || { echo "bench: $s.sh failed" >&2; exit 1; }
done
echo "bench: $(nproc) cores; load average (1, 5, 15 min) $start_load at the start, $(load) at the end"
awk -F'\t' '
	BEGIN { fmt = "%-44s %10s %-22s %6s %6s %6s  %s\n"
		printf fmt, "work", "tcz", "peer", "ratio", "goal", "noise", "verdict" }
	{ v = $4 <= $5 ? "met" : $4 - $5 <= $6 ? "met within noise" : "MISSED"
	  missed += v == "MISSED"
	  printf fmt, $1, $2, $3, $4, "<=" $5, $6, v }
	END { exit missed > 0 }' "$rows"
