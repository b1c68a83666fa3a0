# The harness itself: its helpers must be able to fail, or no test means anything.
. "$(dirname "$0")/../lib.sh"

test_expect_status_catches_a_wrong_status() {
	( T=$T; expect_status 0 false ) 2>/dev/null && fail "expect_status accepted a wrong status"
	return 0
}

test_expect_grep_catches_a_missing_pattern() {
	echo hello >"$T/f"
	( expect_grep '^bye$' "$T/f" ) 2>/dev/null && fail "expect_grep accepted a missing line"
	expect_grep '^hello$' "$T/f"
}

test_start_http_serves_a_directory() {
	mkdir www && echo payload >www/file
	start_http "$T/www"
	curl -fsS "$HTTP_URL/file" >got
	expect_eq "$(cat got)" payload
	expect_grep '"GET /file HTTP' "$HTTP_LOG"
}

run_tests
