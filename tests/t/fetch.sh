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
	expect_grep "stall/f.tar.gz: too slow: under 1024 bytes/s for 2 s" "$T/err"
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
	expect_grep 'too slow: under 1024 bytes/s for 1 s' "$T/tty"
	expect_no_file "$T/dl/g.tar.gz"
}

sent() { awk -v p="$1" '$2 ~ p { n += $4 } END { print n + 0 }' "$BAD_LOG"; } # bytes the server sent for paths matching $1

# What nothing can verify is bounded while it arrives: a body that never
# ends fills nothing (it used to write 2 GB in 4 s).
test_endless_unverified_download_stops_at_its_limit() {
	setup
	expect_status 1 timeout 30 "$TCZ" fetch -q --no-verify -o "$T/dl/x.tcz.dep" "$BAD_URL/endless/x.tcz.dep"
	expect_grep "dl/x.tcz.dep: $BAD_URL/endless/x.tcz.dep: more bytes than the limit of 16777216 bytes" "$T/err"
	expect_no_file "$T/dl/x.tcz.dep"; expect_no_file "$T/dl/x.tcz.dep.part"
	[ "$(sent endless)" -lt $((64 << 20)) ] || fail "the server sent $(sent endless) bytes"
	: > "$BAD_LOG"
	expect_status 1 timeout 30 "$TCZ" fetch -q --max-size 100K --sha256 "$SHA" -o "$T/dl/f.tar.gz" "$BAD_URL/endless/f.tar.gz"
	expect_grep 'more bytes than the limit of 102400 bytes' "$T/err"
	[ "$(sent endless)" -lt $((16 << 20)) ] || fail "the server sent $(sent endless) bytes"
	no_part_no_dest
	# A size announced over the limit is refused before any byte.
	expect_status 1 timeout 30 "$TCZ" fetch -q --max-size 1M --sha256 "$SHA" -o "$T/dl/f.tar.gz" "$BAD_URL/huge/f.tar.gz"
	expect_grep 'announces a size over the limit of 1048576 bytes' "$T/err"
	no_part_no_dest
	# Local sources too: /dev/zero never ends either.
	expect_status 1 timeout 30 "$TCZ" fetch -q --no-verify -o "$T/dl/zero" /dev/zero
	expect_grep 'dl/zero: /dev/zero: larger than the limit of 16777216 bytes' "$T/err"
	expect_no_file "$T/dl/zero"; expect_no_file "$T/dl/zero.part"
	# A file that fits passes.
	expect_ok "$TCZ" fetch -q --max-size 300000 --sha256 "$SHA" -o "$T/dl/f.tar.gz" "$BAD_URL/good/f.tar.gz"
}

# The .md5.txt and .dep files install and mirror sync read: bounded too.
test_endless_mirror_companions_stop_at_their_limit() {
	setup
	mkdir "$T/root"
	expect_status 1 timeout 30 "$TCZ" install x --root "$T/root" --mirror "$BAD_URL/endless"
	expect_grep 'x.tcz.md5.txt: .*/endless/3.x/tcz/x.tcz.md5.txt: more bytes than the limit of 16777216 bytes' "$T/err"
	[ "$(sent endless)" -lt $((64 << 20)) ] || fail "the server sent $(sent endless) bytes"
	expect_eq "$(ls -A "$T/root")" "" "root touched"
	: > "$BAD_LOG"
	expect_status 1 timeout 30 "$TCZ" mirror sync --dry-run --from "$BAD_URL/endless" --to "$T/mir" x
	[ "$(sent endless)" -lt $((64 << 20)) ] || fail "the server sent $(sent endless) bytes"
}

# Nothing at DEST.part is written through unless it is a partial download
# of ours; DEST never ends up a symlink.
test_planted_part_is_refused_and_dest_never_a_symlink() {
	setup
	mkdir "$T/outside"; echo precious > "$T/outside/file"
	local how
	for how in symlink dangling hardlink fifo foreign; do
		rm -f "$T/dl/f.tar.gz.part"
		case $how in
		symlink) ln -s "$T/outside/file" "$T/dl/f.tar.gz.part" ;;
		dangling) ln -s "$T/outside/new" "$T/dl/f.tar.gz.part" ;;
		hardlink) ln "$T/outside/file" "$T/dl/f.tar.gz.part" ;;
		fifo) mkfifo "$T/dl/f.tar.gz.part" ;;
		foreign) echo partial > "$T/dl/f.tar.gz.part"; chown 4321 "$T/dl/f.tar.gz.part" ;;
		esac
		for src in "$BAD_URL/good/f.tar.gz" "$T/www/f.tar.gz"; do
			expect_status 1 timeout 30 "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$src"
			expect_grep "f.tar.gz.part: .*(symlink|regular file|other names|another user).*refusing" "$T/err"
			expect_eq "$(cat "$T/outside/file")" precious "$how: written through"
			expect_no_file "$T/outside/new"
			expect_no_file "$T/dl/f.tar.gz"
			[ -e "$T/dl/f.tar.gz.part" ] || [ -L "$T/dl/f.tar.gz.part" ] || fail "$how: the planted file was removed"
		done
	done
	rm -f "$T/dl/f.tar.gz.part"
	# A symlink planted at DEST is moved aside, not read through nor kept.
	ln -s "$T/outside/file" "$T/dl/f.tar.gz"
	expect_ok "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/good/f.tar.gz"
	[ -f "$T/dl/f.tar.gz" ] && [ ! -L "$T/dl/f.tar.gz" ] || fail "DEST is not a regular file"
	cmp "$T/www/f.tar.gz" "$T/dl/f.tar.gz" || fail "content differs"
	[ -L "$T/dl/f.tar.gz.bad" ] || fail "the planted symlink was not set aside"
	expect_eq "$(cat "$T/outside/file")" precious "written through DEST"
}

# A slow server is given up on: under a speed over a window, or at a
# deadline, also after a redirect to another scheme.
test_slow_server_is_given_up_by_speed_and_by_deadline() {
	setup
	unset TCZ_FETCH_STALL
	local start
	start=$SECONDS
	expect_status 1 timeout 60 "$TCZ" fetch -q --speed-limit 1000 --speed-time 1 -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/trickle/f.tar.gz"
	expect_grep 'trickle/f.tar.gz: too slow: under 1000 bytes/s for 1 s' "$T/err"
	[ "$(grep -c 'too slow' "$T/err")" -ge 2 ] || fail "given up without a retry"
	[ $((SECONDS - start)) -lt 15 ] || fail "took $((SECONDS - start)) s"
	no_part_no_dest
	# The deadline ends everything, retries included.
	start=$SECONDS
	expect_status 1 timeout 60 "$TCZ" fetch -q --speed-limit 1 --max-time 2 -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/totrickle/f.tar.gz"
	expect_grep 'not done after 2 s, the limit for one file' "$T/err"
	[ $((SECONDS - start)) -lt 6 ] || fail "took $((SECONDS - start)) s"
	no_part_no_dest
	# The same through the environment (install and mirror sync read it).
	start=$SECONDS
	TCZ_FETCH_SPEED_LIMIT=1 TCZ_FETCH_MAX_TIME=2 expect_status 1 timeout 60 "$TCZ" fetch -q -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/trickle/f.tar.gz"
	expect_grep 'not done after 2 s' "$T/err"
	[ $((SECONDS - start)) -lt 6 ] || fail "took $((SECONDS - start)) s"
	# A redirect to ftp://, to a server that sends its greeting a byte a
	# second: bound by the same limits.
	start=$SECONDS
	expect_status 1 timeout 60 "$TCZ" fetch -q --speed-time 2 --max-time 20 -o "$T/dl/f.tar.gz" --sha256 "$SHA" "$BAD_URL/toftp/f.tar.gz"
	[ $((SECONDS - start)) -lt 15 ] || fail "an ftp:// redirect took $((SECONDS - start)) s"
	no_part_no_dest
	expect_status 2 "$TCZ" fetch --speed-time 0 -o "$T/x" --sha256 "$SHA" "$BAD_URL/good/f.tar.gz"
	expect_status 2 "$TCZ" fetch --max-size 1X -o "$T/x" --sha256 "$SHA" "$BAD_URL/good/f.tar.gz"
	TCZ_FETCH_MAX_TIME=soon expect_status 2 "$TCZ" fetch -o "$T/x" --sha256 "$SHA" "$BAD_URL/good/f.tar.gz"
}

test_usage_errors() {
	expect_status 2 "$TCZ" fetch -o "$T/x" http://127.0.0.1:1/x
	expect_grep 'no checksum' "$T/err"
	expect_status 2 "$TCZ" fetch -o "$T/x" --sha256 abc http://127.0.0.1:1/x
	expect_grep "'abc' is not a sha256 digest" "$T/err"
}

run_tests
