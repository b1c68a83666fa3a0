# tcz install against hostile extensions and kill -9: nothing written
# outside ROOT, ROOT as it was after a failure, and an interrupted install
# finished by the next run.
. "$(dirname "$0")/../lib.sh"

make_ext() { # NAME [FILES] [DEPS...]: $T/trees/NAME packed into $T/exts/NAME.tcz
	local name=$1 files=${2:-2} i; shift; [ $# -gt 0 ] && shift
	mkdir -p "$T/trees/$name/usr/local/share/$name" "$T/exts"
	echo "$name content" > "$T/trees/$name/usr/local/share/$name/file"
	seq 1 2000 > "$T/trees/$name/usr/local/share/$name/numbers"
	for i in $(seq 3 "$files"); do
		mkdir -p "$T/trees/$name/usr/local/share/$name/d$((i % 10))"
		echo "$name $i" > "$T/trees/$name/usr/local/share/$name/d$((i % 10))/f$i"
	done
	if [ $# -gt 0 ]; then printf '%s\n' "$@" > "$T/dep.$name"; set -- --dep "$T/dep.$name"; fi
	SOURCE_DATE_EPOCH=1300000000 "$TCZ" pack -q "$T/trees/$name" -o "$T/exts/$name.tcz" "$@"
}

mirror() { "$TCZ" mirror build "$T/m" "$T"/exts/*.tcz >/dev/null; }

listing() { # DIR: every path with its type, mode, owner and content hash
	(cd "$1" && find . -printf '%y %m %u:%g %p %l\n' | LC_ALL=C sort
	 find . -type f -exec md5sum {} + | LC_ALL=C sort -k2)
}

sentinel() { mkdir -p "$T/outside"; echo precious > "$T/outside/file"; }
sentinel_intact() {
	expect_eq "$(ls -A "$T/outside")" file "something appeared outside ROOT"
	expect_grep '^precious$' "$T/outside/file"
}

# An extension installed first in the same run ships the marker directory
# and tce/ as symlinks out of ROOT; the one after it must not write there.
test_symlinks_an_extension_plants_are_never_followed() {
	sentinel
	mkdir -p "$T/trees/evil/usr/local" "$T/exts"
	ln -s "$T/outside" "$T/trees/evil/usr/local/tce.installed"
	ln -s "$T/outside" "$T/trees/evil/tce"
	# tcz pack refuses a tce.installed that is not a directory: a hostile
	# mirror makes its image with another tool.
	expect_status 1 "$TCZ" pack -q "$T/trees/evil" -o "$T/exts/evil.tcz"
	mksquashfs "$T/trees/evil" "$T/exts/evil.tcz" -noappend -all-root -b 4096 -no-xattrs -quiet >/dev/null
	(cd "$T/exts" && md5sum evil.tcz > evil.tcz.md5.txt)
	make_ext top 2 evil.tcz
	mirror
	mkdir -p "$T/root/etc"; echo keep > "$T/root/etc/keep"
	listing "$T/root" > "$T/before"
	expect_status 1 "$TCZ" install top --root "$T/root" --mirror "$T/m" --onboot --keep
	expect_grep '/(tce|usr/local/tce.installed): exists and is not a directory \(a symlink is never followed\)' "$T/err"
	expect_grep 'root: nothing was installed' "$T/err"
	sentinel_intact
	listing "$T/root" > "$T/after"
	expect_same_files "$T/before" "$T/after"
}

# The same symlinks left in ROOT by an earlier install (or by anyone).
test_symlinks_already_in_root_are_never_followed() {
	sentinel
	make_ext top
	mirror
	local link
	for link in tce usr/local/tce.installed; do
		rm -rf "$T/root"; mkdir -p "$T/root/usr/local"
		ln -s "$T/outside" "$T/root/$link"
		listing "$T/root" > "$T/before"
		expect_status 1 "$TCZ" install top --root "$T/root" --mirror "$T/m" --onboot --keep
		expect_grep "root/$link(/onboot.lst)?: (exists and is not a directory|reached through a symlink)" "$T/err"
		sentinel_intact
		listing "$T/root" > "$T/after"
		expect_same_files "$T/before" "$T/after"
	done
}

# b.tcz has a damaged data block and a .md5.txt that matches the damage:
# the md5 passes, the image's tree reads, only its data is bad.
test_a_corrupt_data_block_leaves_root_byte_identical() {
	make_ext a; make_ext b 2
	seq 1 100000 > "$T/trees/b/usr/local/share/b/more"
	SOURCE_DATE_EPOCH=1300000000 "$TCZ" pack -q "$T/trees/b" -o "$T/exts/b.tcz"
	head -c 2000 /dev/zero | tr '\0' 'Z' | dd of="$T/exts/b.tcz" bs=1 seek=200 conv=notrunc 2>/dev/null
	(cd "$T/exts" && md5sum b.tcz > b.tcz.md5.txt)
	expect_ok "$TCZ" list "$T/exts/b.tcz"
	make_ext top 2 a.tcz b.tcz
	mirror
	mkdir -p "$T/root/etc" "$T/root/usr/local/share"; echo keep > "$T/root/etc/keep"
	listing "$T/root" > "$T/before"
	expect_status 1 "$TCZ" install top --root "$T/root" --mirror "$T/m" --onboot --keep
	listing "$T/root" > "$T/after"
	expect_same_files "$T/before" "$T/after"
	expect_grep 'b.tcz: reading usr/local/share/b/' "$T/err"
	expect_grep '^tcz: b.tcz: unreadable image: nothing was installed' "$T/err"
}

test_a_file_where_root_has_a_directory_changes_nothing() {
	make_ext a
	mkdir -p "$T/trees/b/usr/local/share/clash" "$T/exts"
	echo file > "$T/trees/b/usr/local/share/b"
	"$TCZ" pack -q "$T/trees/b" -o "$T/exts/b.tcz"
	make_ext top 2 a.tcz b.tcz
	mirror
	mkdir -p "$T/root/usr/local/share/b"
	listing "$T/root" > "$T/before"
	expect_status 1 "$TCZ" install top --root "$T/root" --mirror "$T/m"
	listing "$T/root" > "$T/after"
	expect_same_files "$T/before" "$T/after"
	expect_grep 'root/usr/local/share/b: is a directory, where an extension has a file: nothing was installed' "$T/err"
}

test_install_refuses_more_than_max_size() {
	make_ext a; make_ext top 2 a.tcz
	mirror
	mkdir "$T/root"
	expect_status 1 "$TCZ" install top --root "$T/root" --mirror "$T/m" --max-size 10K
	expect_grep 'top.tcz: its files come to .* more than the limit of 10K' "$T/err"
	expect_eq "$(ls -A "$T/root")" "" "ROOT touched"
	expect_ok "$TCZ" install --help
	expect_grep '[-]-max-size SIZE' "$T/out"
}

test_a_second_install_on_the_same_root_waits_for_none() {
	make_ext top; mirror
	mkdir "$T/root"
	exec 9<"$T/root"
	flock 9
	expect_status 1 "$TCZ" install top --root "$T/root" --mirror "$T/m"
	expect_grep 'root: another tcz install is working on it' "$T/err"
	exec 9<&-
	expect_ok "$TCZ" install top --root "$T/root" --mirror "$T/m"
}

# What killed runs of older versions left: their work directory and the
# temporaries of a half-unpacked file. A live process's stay.
test_install_removes_what_a_killed_run_left() {
	make_ext top; mirror
	sh -c 'exit 0' & local dead=$!; wait $dead
	mkdir -p "$T/root/.tcz-install.$dead/x" "$T/root/.tcz-install.$$" "$T/root/usr/local/share/top"
	echo partial > "$T/root/usr/local/share/top/.file.tcz-unpack.$dead"
	expect_ok "$TCZ" install top --root "$T/root" --mirror "$T/m"
	expect_no_file "$T/root/.tcz-install.$dead"
	expect_no_file "$T/root/usr/local/share/top/.file.tcz-unpack.$dead"
	expect_file "$T/root/.tcz-install.$$"
	expect_no_file "$T/root/.tcz-install"
}

# kill -9 at 30 moments of an install, 10 in each of its phases: as soon
# as its journal exists (downloads), as soon as it has begun to unpack into
# it, as soon as it has passed its commit point (the moves into ROOT).
# Each time, ROOT is as it was, or complete, or the journal that completes
# it is there; the next run completes or undoes it, and ROOT is then what
# one uninterrupted install makes, with nothing of tcz's own left in it.
test_kill_9_at_any_moment_then_the_next_run_completes() {
	make_ext base 20; make_ext mid 20 base.tcz; make_ext top 20 mid.tcz
	mirror
	fresh_root() { # ROOT with content of its own, and the directories the
		# extensions fill, so that the moves into it are many
		rm -rf "$1"
		mkdir -p "$1/etc" "$1"/usr/local/share/{base,mid,top}/d{0..9}
		echo keep > "$1/etc/keep"
	}
	# ROOT but tcz's work (the journal, retired ones) and the cache any
	# later run rewrites (and its temporary).
	without_journal() {
		(cd "$1" && find . \( -name '.tcz-install*' -o -path './etc/*ld.so.cache*' \) -prune -o \
			-printf '%y %m %p\n' | LC_ALL=C sort)
	}
	fresh_root "$T/ref"
	without_journal "$T/ref" > "$T/initial"
	expect_ok "$TCZ" install top --root "$T/ref" --mirror "$T/m" --onboot --keep
	listing "$T/ref" > "$T/want"
	without_journal "$T/ref" > "$T/complete"
	local marks=(.tcz-install .tcz-install/stage/usr .tcz-install/plan) i pid completed=0 undone=0
	for i in $(seq 0 29); do
		fresh_root "$T/root"
		"$TCZ" install top --root "$T/root" --mirror "$T/m" --onboot --keep >/dev/null 2>&1 &
		pid=$!
		while [ ! -e "$T/root/${marks[i / 10]}" ] && kill -0 $pid 2>/dev/null; do :; done
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		# A journal without a plan: ROOT is as it was. No journal: as it
		# was, or complete.
		without_journal "$T/root" > "$T/now"
		if [ -e "$T/root/.tcz-install" ] && [ ! -e "$T/root/.tcz-install/plan" ]; then
			expect_same_files "$T/initial" "$T/now"
		elif [ ! -e "$T/root/.tcz-install" ] && ! cmp -s "$T/initial" "$T/now"; then
			expect_same_files "$T/complete" "$T/now"
		fi
		expect_ok "$TCZ" install top --root "$T/root" --mirror "$T/m" --onboot --keep
		grep -q 'completed the install that a killed run began' "$T/out" && completed=$((completed + 1))
		grep -q 'removed what a killed install left' "$T/out" && undone=$((undone + 1))
		listing "$T/root" > "$T/got"
		expect_same_files "$T/want" "$T/got"
		find "$T/root" -name '.tcz-install*' -o -name '*.tcz-unpack.*' -o -name '*.tmp.*' > "$T/left"
		expect_eq "$(cat "$T/left")" "" "kill $i: temporaries left in ROOT"
	done
	echo "runs that completed a killed install: $completed, that undid one: $undone"
	[ $completed -ge 3 ] || fail "only $completed kills came after the commit point"
	[ $undone -ge 3 ] || fail "only $undone kills came before the commit point"
}

run_tests
