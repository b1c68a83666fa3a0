# tcz fetch against tests/httpd.py, a server that misbehaves on demand.
. "$(dirname "$0")/../lib.sh"

setup() {
	mkdir -p "$T/www" "$T/dl"
	head -c 300000 /dev/urandom > "$T/www/f.tar.gz"
	SHA=$(sha256sum < "$T/www/f.tar.gz" | cut -d' ' -f1)
	MD5=$(md5sum < "$T/www/f.tar.gz" | cut -d' ' -f1)
	start_bad_http "$T/www"
	export TCZ_FETCH_STALL=2
}

no_part_no_dest() { expect_no_file "$T/dl/f.tar.gz"; expect_no_file "$T/dl/f.tar.gz.part"; }

test_good_download_verifies_and_appears() {
	setup
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/good/f.tar.gz"
	cmp "$T/www/f.tar.gz" "$T/dl/f.tar.gz" || fail "content differs"
	expect_no_file "$T/dl/f.tar.gz.part"
	# Cached: no second request.
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --md5 "$MD5" "$BAD_URL/good/f.tar.gz"
	expect_eq "$(wc -l < "$BAD_LOG")" 1 "requests"
}

test_404_fails_cleanly() {
	setup
	expect_status 4 "$TCZ" fetch -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/404/f.tar.gz"
	expect_grep "$BAD_URL/404/f.tar.gz: HTTP 404" "$T/err"
	expect_grep 'not found at any source' "$T/err"
	no_part_no_dest
}

test_500_then_success_is_retried() {
	setup
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/flaky/f.tar.gz"
	expect_eq "$(grep -c flaky "$BAD_LOG")" 2 "requests"
}

test_wrong_bytes_fail_verification() {
	setup
	expect_status 3 "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/wrong/f.tar.gz"
	expect_grep "sha256 mismatch for $BAD_URL/wrong/f.tar.gz: expected $SHA, got [0-9a-f]{64}" "$T/err"
	no_part_no_dest
}

test_short_body_then_resume_with_range() {
	setup
	expect_fail "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/short/f.tar.gz"
	no_part_no_dest
	# A partial left by an interrupted run is resumed with a Range request.
	head -c 100000 "$T/www/f.tar.gz" > "$T/dl/f.tar.gz.part"
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/good/f.tar.gz"
	expect_grep '^GET /good/f.tar.gz bytes=100000- 200000$' "$BAD_LOG"
	cmp "$T/www/f.tar.gz" "$T/dl/f.tar.gz" || fail "resumed content differs"
}

test_server_without_ranges_starts_over() {
	setup
	head -c 100000 "$T/www/f.tar.gz" > "$T/dl/f.tar.gz.part"
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/norange/f.tar.gz"
	cmp "$T/www/f.tar.gz" "$T/dl/f.tar.gz" || fail "content differs"
}

test_stall_is_abandoned_with_a_reason() {
	setup
	expect_status 1 "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/stall/f.tar.gz"
	expect_grep "stall/f.tar.gz: stalled \(no data for 2 s\)" "$T/err"
	no_part_no_dest
}

test_redirect_chain_is_followed_and_loop_refused() {
	setup
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/redirect/3/f.tar.gz"
	rm "$T/dl/f.tar.gz"
	expect_status 1 "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/loop/f.tar.gz"
	expect_grep 'redirect loop' "$T/err"
	no_part_no_dest
}

test_primary_site_first_then_urls_then_backup() {
	setup
	TCZ_PRIMARY_SITE=$BAD_URL/404 TCZ_BACKUP_SITE=$BAD_URL/good \
		expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/wrong/f.tar.gz"
	cut -d' ' -f2 "$BAD_LOG" > "$T/order"
	printf '/404/f.tar.gz\n/wrong/f.tar.gz\n/good/f.tar.gz\n' > "$T/want"
	expect_same_files "$T/want" "$T/order"
}

test_existing_bad_file_is_set_aside() {
	setup
	echo corrupt > "$T/dl/f.tar.gz"
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/good/f.tar.gz"
	expect_grep '^corrupt$' "$T/dl/f.tar.gz.bad"
	cmp "$T/www/f.tar.gz" "$T/dl/f.tar.gz" || fail "content differs"
}

test_lock_file_recorded_once_then_enforced() {
	setup
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --record "$T/lock" "$BAD_URL/good/f.tar.gz"
	expect_eq "$(cat "$T/lock")" "$SHA  f.tar.gz" "lock line"
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --record "$T/lock" "$BAD_URL/good/f.tar.gz"
	expect_eq "$(wc -l < "$T/lock")" 1 "lock lines"
	rm "$T/dl/f.tar.gz"
	expect_status 3 "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --record "$T/lock" "$BAD_URL/wrong/f.tar.gz"
	expect_grep "sha256 mismatch" "$T/err"
	no_part_no_dest
}

test_md5_alone_warns_then_the_recorded_sha256_decides() {
	setup
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --md5 "$MD5" --record "$T/lock" "$BAD_URL/good/f.tar.gz"
	expect_grep "warning: $T/dl/f.tar.gz: verified by md5 only, a weak hash" "$T/err"
	expect_grep "its sha256 $SHA is recorded in $T/lock and checked from now on" "$T/err"
	expect_eq "$(cat "$T/lock")" "$SHA  f.tar.gz" "lock line"
	# Recorded: no warning any more, and sha256 decides, whatever the md5.
	rm "$T/dl/f.tar.gz"
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --md5 "$MD5" --record "$T/lock" "$BAD_URL/good/f.tar.gz"
	expect_eq "$(cat "$T/err")" "" "stderr once the sha256 is recorded"
	rm "$T/dl/f.tar.gz"
	sed -i "s/^$SHA/$(printf 'a%.0s' $(seq 64))/" "$T/lock"
	expect_status 3 "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --md5 "$MD5" --record "$T/lock" "$BAD_URL/good/f.tar.gz"
	expect_grep "sha256 mismatch" "$T/err"
	no_part_no_dest
}

test_md5_without_a_lock_warns_and_says_how_to_pin() {
	setup
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --md5 "$MD5" "$BAD_URL/good/f.tar.gz"
	expect_grep "verified by md5 only, a weak hash .*its sha256 is $SHA: give --record LOCK" "$T/err"
	# A strong checksum beside it: nothing to warn about.
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --md5 "$MD5" --sha256 "$SHA" "$BAD_URL/good/f.tar.gz"
	expect_eq "$(cat "$T/err")" "" "stderr with a sha256"
}

test_local_paths_and_file_urls() {
	setup
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$T/www/f.tar.gz"
	rm "$T/dl/f.tar.gz"
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "file://$T/www/f.tar.gz"
}

test_list_fetches_many_in_parallel_and_checks_lines_first() {
	setup
	local i
	for i in 1 2 3 4 5; do head -c 50000 /dev/urandom > "$T/www/p$i"; done
	{
		echo "# name checksum urls"
		for i in 1 2 3 4 5; do echo "p$i sha256:$(sha256sum < "$T/www/p$i" | cut -d' ' -f1) $BAD_URL/404/p$i $BAD_URL/good/p$i"; done
	} > "$T/list"
	expect_ok "$TCZ" fetch --list "$T/list" -o "$T/dl" -j 3
	for i in 1 2 3 4 5; do cmp "$T/www/p$i" "$T/dl/p$i" || fail "p$i differs"; done
	expect_eq "$(grep -c 'GET /good/p' "$BAD_LOG")" 5 "downloads"
	# A bad line anywhere: nothing is fetched at all.
	rm "$T"/dl/p*; : > "$BAD_LOG"
	echo "p6 sha256:nothex $BAD_URL/good/p1" >> "$T/list"
	expect_status 2 "$TCZ" fetch --list "$T/list" -o "$T/dl"
	expect_grep "list:7: 'nothex' is not a sha256 digest" "$T/err"
	expect_eq "$(wc -l < "$BAD_LOG")" 0 "requests after a bad line"
	# A file that does not verify fails the run; the others still arrive.
	sed -i '$d' "$T/list"
	echo "p7 md5:00000000000000000000000000000000 $BAD_URL/good/p1" >> "$T/list"
	expect_status 1 "$TCZ" fetch --list "$T/list" -o "$T/dl"
	expect_grep 'dl/p7: md5 mismatch for .*/good/p1' "$T/err"
	expect_grep 'list: 1 of 6 downloads failed' "$T/err"
	expect_file "$T/dl/p5"
	expect_no_file "$T/dl/p7"
	expect_no_file "$T/dl/p7.part"
	# The same name twice is a mistake in the list.
	sed -i '$d' "$T/list"
	echo "p1 sha256:$(sha256sum < "$T/www/p1" | cut -d' ' -f1) $BAD_URL/good/p1" >> "$T/list"
	expect_status 2 "$TCZ" fetch --list "$T/list" -o "$T/dl"
	expect_grep "list:7: 'p1' is listed twice" "$T/err"
}

# One process, one libcurl multi handle: -j transfers run at once, never more.
test_list_runs_j_transfers_at_once() {
	setup
	local i
	for i in 1 2 3 4 5 6; do head -c 20000 /dev/urandom > "$T/www/s$i"; done
	for i in 1 2 3 4 5 6; do echo "s$i sha256:$(sha256sum < "$T/www/s$i" | cut -d' ' -f1) $BAD_URL/slow/s$i"; done > "$T/list"
	expect_ok "$TCZ" fetch -q --list "$T/list" -o "$T/dl" -j 3
	for i in 1 2 3 4 5 6; do cmp "$T/www/s$i" "$T/dl/s$i" || fail "s$i differs"; done
	expect_eq "$(sed -n 's/.* inflight=//p' "$BAD_LOG" | sort -n | tail -n1)" 3 "most requests at once"
	expect_eq "$(wc -l < "$BAD_LOG")" 6 "requests"
}

test_progress_without_a_terminal_is_two_lines_and_a_bar_with_one() {
	setup
	expect_ok "$TCZ" fetch -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/good/f.tar.gz"
	expect_eq "$(wc -l < "$T/err")" 2 "lines on stderr"
	expect_grep "^tcz: fetching f.tar.gz from $BAD_URL/good/f.tar.gz\$" "$T/err"
	expect_grep "^tcz: $T/dl/f.tar.gz: verified\$" "$T/err"
	# On a terminal (script(1) gives it one): a bar redrawn in place, here
	# stuck at half the file until the stall gives up.
	TCZ_FETCH_STALL=1 script -qec "'$TCZ' fetch -o '$T/dl/g.tar.gz' --sha256 $SHA '$BAD_URL/stall/f.tar.gz'" \
		/dev/null > "$T/tty" || true
	expect_grep $'\r\e\\[Kg\\.tar\\.gz +50% +14[0-9]K / 29[0-9]K +[0-9.]+K/s ETA [0-9]+:[0-9]{2}' "$T/tty"
	expect_no_grep 'tcz: fetching' "$T/tty"
	expect_grep 'stalled \(no data for 1 s\)' "$T/tty"
	expect_no_file "$T/dl/g.tar.gz"
}

test_usage_errors() {
	expect_status 2 "$TCZ" fetch -o "$T/x" http://127.0.0.1:1/x
	expect_grep 'no checksum' "$T/err"
	expect_status 2 "$TCZ" fetch -o "$T/x" --sha256 abc http://127.0.0.1:1/x
	expect_grep "'abc' is not a sha256 digest" "$T/err"
}

run_tests
