# lib.sh: sourced by every integration test script (tests/<tier>/*.sh).
#
# A script defines functions named test_* and ends with `run_tests`. Each test
# runs in its own subshell with `set -eu -o pipefail`, in a fresh scratch
# directory ($T), and reports "ok <script>: <test>" or "FAIL <script>: <test>"
# followed by the tail of its output. With the ASan build, any sanitizer
# report written during the test fails it, even when the tool's exit status
# was what the test expected.
#
# Environment: TCZ (the tool under test), TOP (the checkout), O (out dir),
# TESTS (this directory), T (scratch dir of the current test).

TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$TESTS")
O=${O:-$TOP/out}
TCZ=${TCZ:-$O/host/bin/tcz}
SCRIPT=$(basename "$(dirname "$0")")/$(basename "$0" .sh)
TCZ_CACHE_DIR=${TCZ_CACHE_DIR:-$HOME/.cache/tcbuild}
export TESTS TOP O TCZ TCZ_CACHE_DIR
# A test that runs make gets the same output whether the suite was started
# by `make test`, `make -C DIR test-fast` (whose -w would add "Entering
# directory" lines to what tests read) or by hand.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

fail() { echo "assertion failed: $*" >&2; exit 1; }

# expect_status N CMD...: run CMD, fail unless it exits with N. Output goes to
# $T/out and $T/err for later checks.
expect_status() {
	local want=$1 rc=0
	shift
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" != "$want" ]; then
		echo "--- stdout of: $*" >&2; tail -n 20 "$T/out" >&2
		echo "--- stderr:" >&2; tail -n 20 "$T/err" >&2
		fail "'$*' exited $rc, expected $want"
	fi
}
expect_ok() { expect_status 0 "$@"; }

# expect_fail CMD...: CMD must exit non-zero (any status but 0).
expect_fail() {
	local rc=0
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" != 0 ] || fail "'$*' succeeded, expected failure"
}

# expect_grep PATTERN FILE: extended regex PATTERN is in FILE.
expect_grep() {
	grep -Eq -- "$1" "$2" || { echo "--- $2:" >&2; tail -n 20 "$2" >&2; fail "'$1' not found in $2"; }
}
expect_no_grep() {
	! grep -Eq -- "$1" "$2" || { echo "--- $2:" >&2; tail -n 20 "$2" >&2; fail "'$1' found in $2"; }
}
expect_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: '$1' != '$2'"; }
expect_file() { [ -e "$1" ] || fail "$1 does not exist"; }
expect_no_file() { [ ! -e "$1" ] && [ ! -L "$1" ] || fail "$1 exists"; }
expect_same_files() { diff -u "$1" "$2" >&2 || fail "$1 and $2 differ"; }

run_tests() {
	local fn rc tmp base label=${TCZ_TEST_LABEL:+$TCZ_TEST_LABEL }
	base=$(mktemp -d "${TMPDIR:-/tmp}/tcz-test.XXXXXX")
	for fn in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do
		tmp=$base/$fn
		mkdir -p "$tmp/.san"
		rc=0
		(
			export T=$tmp
			export ASAN_OPTIONS="log_path=$tmp/.san/asan:detect_leaks=1"
			export UBSAN_OPTIONS="log_path=$tmp/.san/ubsan:print_stacktrace=1"
			cd "$tmp" && set -eu -o pipefail && "$fn"
		) >"$tmp/.log" 2>&1 || rc=$?
		if [ "$rc" = 0 ] && [ -n "$(ls -A "$tmp/.san")" ]; then
			echo "sanitizer report:" >>"$tmp/.log"
			cat "$tmp"/.san/* >>"$tmp/.log"
			rc=1
		fi
		if [ "$rc" = 0 ]; then
			echo "ok ${label}$SCRIPT: ${fn#test_}"
			chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"
		else
			echo "FAIL ${label}$SCRIPT: ${fn#test_}"
			tail -n 30 "$tmp/.log" | sed 's/^/    /'
			echo "    (scratch kept in $tmp)"
		fi
	done
	rmdir "$base" 2>/dev/null || true
}

# start_http DIR: serve DIR read-only on 127.0.0.1 (an ephemeral port) until
# the test ends; sets HTTP_URL (no trailing slash) and HTTP_LOG (access log).
start_http() {
	HTTP_LOG=$T/http.log
	python3 -u -m http.server --bind 127.0.0.1 --directory "$1" 0 >"$T/http.out" 2>"$HTTP_LOG" &
	HTTP_PID=$!
	local i port=
	for i in $(seq 100); do
		port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$T/http.out" | head -n 1)
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || fail "test HTTP server did not start"
	HTTP_URL=http://127.0.0.1:$port
	trap 'kill $HTTP_PID 2>/dev/null || true' EXIT
}

# start_bad_http DIR: tests/httpd.py, the misbehaving server, serving DIR.
# Sets BAD_URL and BAD_LOG (one line per request: METHOD PATH RANGE BYTES).
start_bad_http() {
	BAD_LOG=$T/bad-http.log
	: > "$BAD_LOG"
	python3 "$(dirname "${BASH_SOURCE[0]}")/httpd.py" "$1" "$T/bad-http.port" "$BAD_LOG" 2>"$T/bad-http.err" &
	BAD_PID=$!
	local i
	for i in $(seq 200); do
		[ -s "$T/bad-http.port" ] && break
		sleep 0.05
	done
	[ -s "$T/bad-http.port" ] || fail "tests/httpd.py did not start: $(cat "$T/bad-http.err")"
	BAD_URL=http://127.0.0.1:$(cat "$T/bad-http.port")
	trap 'kill $BAD_PID ${HTTP_PID:-} 2>/dev/null || true' EXIT
}
