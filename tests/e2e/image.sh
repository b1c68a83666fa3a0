# make image, end to end: TCL3's 2.6.33.3 kernel (recipes/tcl3-kernel.mk)
# and a stand-in microcore.gz (glibc 2.11.1, busybox built by our toolchain,
# tests/fixtures/tcl3-init; tests/fixtures/tcl3-microcore.sh), served as a
# TCL3 mirror so make image fetches and verifies it as it would the real
# one; nginx.tcz and its dependencies built from Debian's sources. The
# VPS disk boots in qemu-system-i386 -cpu 486 -m 128M from its own grub
# (no -kernel), and the host fetches a page over HTTP and HTTPS through
# qemu's hostfwd on 127.0.0.1: with the extensions waiting in tce/ and
# onboot.lst, and installed onto the remastered microcore.gz. The coLinux
# .conf is read with coLinux 0.7.9's own parser; its root disk boots as a
# root file system. A failure in the guest fails with its console log.
# Measurements go to $O/logs/image-e2e.txt.
#
# Needs what the other tiers land: the glibc 2.11.1 stand-in and the
# toolchain built against it (tests/toolchain/prepare), and the tcl3-kernel
# recipe. A missing one is a failure that says which, never a skip.
. "$(dirname "$0")/../lib.sh"

TC=$O/toolchain
SOURCES=${TCL3_SOURCES_DIR:-$TOP/../shared/sources}
MEASURE=$O/logs/image-e2e.txt

prerequisites() {
	[ -x "$TC/bin/i486-tcl3-linux-gnu-gcc" ] || fail "prerequisite missing: no toolchain at $TC (make test-e2e runs tests/toolchain/prepare)"
	strings "$TC/i486-tcl3-linux-gnu/sysroot/lib/libc.so.6" 2>/dev/null | grep 'stable release version 2.11.1' > /dev/null ||
		fail "prerequisite missing: the toolchain's sysroot has no glibc 2.11.1 (the stand-in of tests/fixtures/tcl3-glibc.sh)"
	make -s -C "$TOP" list O="$O" | grep '^tcl3-kernel ' > /dev/null ||
		fail "prerequisite missing: no tcl3-kernel recipe (TCL3's 2.6.33.3 kernel)"
	[ -f "$TOP/tests/e2e/kernel-offline.env" ] || fail "prerequisite missing: tests/e2e/kernel-offline.env"
}

# The sources, offline: Debian's (byte-identical to upstream's, so the
# recipes' sha256 still verify them) and TCL3's kernel sources, all in one
# primary site; the tcl3 kernel's local override from kernel-offline.env.
offline() {
	. "$TOP/tests/e2e/kernel-offline.env" || fail "kernel-offline.env failed"
	mkdir -p "$T/primary"
	cp -s "$TCZ_PRIMARY_SITE"/* "$T/primary/" 2>/dev/null || true
	ln -sf "$("$TOP/tests/debian-source.sh" busybox)" "$T/primary/busybox-1.35.0.tar.bz2"
	ln -sf "$("$TOP/tests/debian-source.sh" nginx)" "$T/primary/nginx-1.22.1.tar.gz"
	ln -sf "$("$TOP/tests/debian-source.sh" pcre2)" "$T/primary/pcre2-10.42.tar.gz"
	ln -sf "$("$TOP/tests/debian-source.sh" openssl)" "$T/primary/openssl-3.0.20.tar.gz"
	export TCZ_PRIMARY_SITE=$T/primary
	# Debian's zlib is a DFSG repack, not upstream's bytes: a local override.
	export ZLIB_SOURCE_FILE
	ZLIB_SOURCE_FILE=$("$TOP/tests/debian-source.sh" zlib)
}

# The stand-in release, served as a TCL3 mirror for make image to fetch.
standin_mirror() {
	make -s -j2 -C "$TOP" busybox O="$O" > "$T/busybox.log" 2>&1 ||
		{ tail -n 40 "$T/busybox.log" >&2; fail "make busybox failed"; }
	expect_ok "$TOP/tests/fixtures/tcl3-microcore.sh" "$T/tcl3-mirror"
	start_http "$T/tcl3-mirror"
	trap 'kill ${QEMU_PID:-} ${HTTP_PID:-} 2>/dev/null || true' EXIT
}

# nginx's configuration, certificate and page, laid over the root.
overlay() {
	MARK="tcbuild image e2e $$ $RANDOM"
	local o=$T/overlay
	mkdir -p "$o/usr/local/etc/nginx" "$o/usr/local/share/tcbuild-www"
	echo "$MARK" > "$o/usr/local/share/tcbuild-www/index.html"
	# An EC key: a TLS handshake on an emulated 486 stays quick.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
		-keyout "$o/usr/local/etc/nginx/key.pem" -out "$o/usr/local/etc/nginx/cert.pem" 2>/dev/null
	chmod 644 "$o/usr/local/etc/nginx/key.pem"
	cat > "$o/usr/local/etc/nginx/nginx.conf" <<'CONF'
worker_processes 1;
events { worker_connections 64; }
http {
	server { listen 80; root /usr/local/share/tcbuild-www; }
	server { listen 443 ssl; root /usr/local/share/tcbuild-www;
		ssl_certificate /usr/local/etc/nginx/cert.pem;
		ssl_certificate_key /usr/local/etc/nginx/key.pem; }
}
CONF
}

setup() {
	prerequisites
	offline
	standin_mirror
	overlay
}

# image DIR [VAR=VALUE...]: make image into DIR with the stand-in release.
image() {
	local dir=$1
	shift
	make -s -j2 -C "$TOP" image O="$O" IMAGE_DIR="$dir" TCZ_TCL_MIRROR="$HTTP_URL" \
		TCL3_LOCK="$T/tcl3.lock" IMAGE_OVERLAY="$T/overlay" IMAGE_SIZE=32M \
		IMAGE_CMDLINE='quiet console=ttyS0,115200' IMAGE_GRUB_TIMEOUT=0 "$@" > "$T/image.log" 2>&1 ||
		{ tail -n 40 "$T/image.log" >&2; fail "make image $* failed"; }
}

console_fail() { # CONSOLE MESSAGE: stop the guest, show its console, fail
	[ -z "${QEMU_PID:-}" ] || kill "$QEMU_PID" 2>/dev/null || true
	echo "--- the guest's console ($1):" >&2
	tr -d '\r' < "$1" | grep -av '^\s*$' | tail -n 60 >&2
	fail "$2"
}

# keypress MONITOR: a key pressed on the guest's PS/2 keyboard (shift: it
# types nothing), through qemu's monitor socket. Why: 2.6.33 has no
# getrandom(), so OpenSSL 3.0 (nginx's) waits once, in select() with no
# timeout, for /dev/random to become readable (rand_unix.c,
# wait_random_seeded). An idle emulated machine whose root is in RAM feeds
# the kernel's pool only from input events and disk I/O; the key presses
# stand for a console's or a real machine's activity.
keypress() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
s.connect(sys.argv[1])
s.sendall(b"sendkey shift\n")
s.recv(4096)' "$1" 2>/dev/null || true
}

# boot NAME QEMU-ARGS...: start the guest with a virtio NIC forwarding
# 127.0.0.1:HTTP and :HTTPS to its 80 and 443; fetch / over both; the
# seconds to the first page in $T/NAME.seconds. Fails with the console log
# when the guest stops, reports a failure, or serves nothing in time.
boot() {
	local name=$1 console=$T/$1.console http https start now done_at= i
	shift
	http=$((20000 + RANDOM % 20000)) https=$((40000 + RANDOM % 20000))
	qemu-system-i386 -cpu 486 -m 128M -nographic -no-reboot -snapshot "$@" \
		-monitor "unix:$T/$name.monitor,server,nowait" \
		-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$http-:80,hostfwd=tcp:127.0.0.1:$https-:443" \
		-device virtio-net-pci,netdev=n0 < /dev/null > "$console" 2>&1 &
	QEMU_PID=$!
	start=$(date +%s%N)
	for i in $(seq 600); do
		curl -s -m 5 "http://127.0.0.1:$http/" > "$T/$name.http" 2>/dev/null && [ -s "$T/$name.http" ] && break
		[ ! -S "$T/$name.monitor" ] || keypress "$T/$name.monitor"
		kill -0 "$QEMU_PID" 2>/dev/null || console_fail "$console" "$name: the guest stopped before serving"
		grep -aq 'tcbuild-init: FAILED' "$console" && { sleep 2; console_fail "$console" "$name: the boot failed"; }
		if [ -z "$done_at" ] && grep -aq 'tcbuild-init: boot done' "$console"; then done_at=$i; fi
		[ -z "$done_at" ] || [ $((i - done_at)) -lt 20 ] || console_fail "$console" "$name: booted, but nothing serves HTTP"
		sleep 0.5
	done
	now=$(date +%s%N)
	[ -s "$T/$name.http" ] || console_fail "$console" "$name: no page after 300 s"
	awk -v ns=$((now - start)) 'BEGIN { printf "%.1f\n", ns / 1e9 }' > "$T/$name.seconds"
	grep -qxF "$MARK" "$T/$name.http" || console_fail "$console" "$name: HTTP served something else: $(head -c 200 "$T/$name.http")"
	curl -sk -m 60 "https://127.0.0.1:$https/" > "$T/$name.https" || console_fail "$console" "$name: the HTTPS request failed"
	grep -qxF "$MARK" "$T/$name.https" || console_fail "$console" "$name: HTTPS served something else"
	# Files bootlocal.sh writes into the web root after nginx starts.
	local f
	for f in ${BOOT_FETCH:-}; do
		for i in $(seq 20); do
			curl -sf -m 5 "http://127.0.0.1:$http/$f" > "$T/$name.$f" 2>/dev/null && break
			sleep 0.5
		done
		[ -s "$T/$name.$f" ] || console_fail "$console" "$name: no /$f from the guest"
	done
	kill "$QEMU_PID" 2>/dev/null || true
	wait "$QEMU_PID" 2>/dev/null || true
	QEMU_PID=
}

measure() { # NAME FILE...: the boot time and the sizes (apparent, allocated)
	local f what="first page $(cat "$T/$1.seconds" 2>/dev/null) s after qemu started"
	[ -f "$T/$1.seconds" ] || what="booted"
	mkdir -p "$(dirname "$MEASURE")"
	{
		echo "$(date -u +%FT%TZ) $1: $what (qemu-system-i386 -cpu 486 -m 128M, TCG)"
		shift
		for f; do printf '  %-14s %10s bytes, %6s KiB allocated\n' "${f##*/}" "$(stat -c %s "$f")" "$(du -k "$f" | cut -f1)"; done
	} >> "$MEASURE"
}

# The disk and boot-loader machinery alone, with nothing but the kernel:
# grub from the MBR, the kernel and an initrd from the ext2 partition, a
# freestanding /init (our bootstrap compiler; no C library) that prints a
# marker. Needs only the bootstrap stage and the tcl3-kernel recipe.
test_grub_on_the_disk_boots_the_kernel_and_initrd() {
	make -s -C "$TOP" list O="$O" | grep '^tcl3-kernel ' > /dev/null ||
		fail "prerequisite missing: no tcl3-kernel recipe (TCL3's 2.6.33.3 kernel)"
	(. "$TOP/tests/toolchain/offline.env" && make -s -C "$TOP" toolchain-bootstrap O="$O") > "$T/bs.log" 2>&1 ||
		{ tail -n 20 "$T/bs.log" >&2; fail "make toolchain-bootstrap failed"; }
	. "$TOP/tests/e2e/kernel-offline.env" || fail "kernel-offline.env failed"
	make -s -j2 -C "$TOP" tcl3-kernel O="$O" > "$T/kernel.log" 2>&1 ||
		{ tail -n 40 "$T/kernel.log" >&2; fail "make tcl3-kernel failed"; }
	local marker="tcbuild-grub-$$-$RANDOM"
	cat > "$T/init.c" <<CODE
static long sys(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("int \$0x80" : "=a"(r) : "0"(n), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}
void start(void);
void start(void)
{
	static const char m[] = "$marker\n";
	sys(4, 1, (long)m, sizeof(m) - 1);          /* write */
	sys(88, 0xfee1dead, 672274793, 0x01234567); /* reboot: qemu -no-reboot exits */
	for (;;)
		;
}
CODE
	mkdir -p "$T/base/lib" "$T/base/dev"
	expect_ok "$O/bootstrap/bin/i486-tcl3-linux-gnu-gcc" -static -nostdlib -ffreestanding -fno-pic -O2 -e start \
		-o "$T/base/init" "$T/init.c"
	echo 'none: the init is static' > "$T/base/lib/ld-linux.so.2"
	expect_ok "$TCZ" cpio "$T/base" -o "$T/base.gz" --gzip
	make -s -C "$TOP" image O="$O" IMAGE_DIR="$T/img" IMAGE_BASE_FILE="$T/base.gz" IMAGE_SIZE=8M \
		IMAGE_CMDLINE='console=ttyS0 panic=-1' IMAGE_GRUB_TIMEOUT=0 > "$T/image.log" 2>&1 ||
		{ tail -n 40 "$T/image.log" >&2; fail "make image failed"; }
	timeout 120 qemu-system-i386 -cpu 486 -m 128M -nographic -no-reboot -monitor none -snapshot \
		-drive "file=$T/img/disk.img,format=raw,if=virtio" < /dev/null > "$T/grub.console" 2>&1 || true
	expect_grep 'GRUB loading' "$T/grub.console"
	expect_grep 'Linux version 2\.6\.33\.3-tinycore' "$T/grub.console"
	grep -aq "^$marker" "$T/grub.console" || console_fail "$T/grub.console" "the init on the disk's initrd did not run"
	measure grub "$T/img/disk.img" "$T/img/microcore.gz" "$T/img/bzImage"
}

test_vps_disk_boots_with_grub_and_serves_nginx_from_onboot_extensions() {
	setup
	# With the kernel's filesystems extension: bootlocal.sh loads vfat by
	# name with busybox's modprobe, from the index depmod made at load
	# time (its modules reached through kernel.tclocal), and shows what the
	# kernel holds then.
	printf 'modprobe vfat && cat /proc/modules > /usr/local/share/tcbuild-www/modules.txt\n' > "$T/modprobe-vfat"
	image "$T/img" IMAGE_EXTENSIONS="nginx filesystems-KERNEL" IMAGE_SERVICES=nginx IMAGE_BOOTLOCAL="$T/modprobe-vfat"
	expect_eq "$(cat "$T/img/tce/onboot.lst")" "$(printf 'nginx.tcz\nfilesystems-2.6.33.3-tinycore.tcz')" "onboot.lst"
	for e in nginx openssl pcre2 zlib filesystems-2.6.33.3-tinycore; do expect_file "$T/img/tce/optional/$e.tcz"; done
	BOOT_FETCH=modules.txt boot onboot -drive "file=$T/img/disk.img,format=raw,if=virtio"
	local c=$T/onboot.console
	expect_grep 'GRUB loading' "$c"
	expect_grep 'tcbuild-init: up: 2\.6\.33\.3-tinycore' "$c"
	expect_grep 'tcbuild-init: tce directory /mnt/vda1/tce' "$c"
	for e in zlib pcre2 openssl nginx filesystems-2.6.33.3-tinycore; do expect_grep "tcbuild-init: loaded $e\.tcz" "$c"; done
	expect_no_grep 'tcbuild-init: FAILED' "$c"
	for m in vfat fat nls_base; do expect_grep "^$m " "$T/onboot.modules.txt"; done
	measure onboot "$T/img/disk.img" "$T/img/microcore.gz" "$T/img/bzImage"
}

test_root_installed_microcore_serves_nginx() {
	setup
	image "$T/img" IMAGE_EXTENSIONS=nginx IMAGE_SERVICES=nginx IMAGE_INSTALL=root
	# tcz install left the cache TCL3's glibc reads: no ldconfig at boot.
	mkdir "$T/mc" && (cd "$T/mc" && zcat "$T/img/microcore.gz" | cpio -id --quiet 2>/dev/null)
	expect_file "$T/mc/etc/ld.so.cache"
	grep -aq /usr/local/lib/libssl.so.3 "$T/mc/etc/ld.so.cache" || fail "ld.so.cache does not list /usr/local/lib/libssl.so.3"
	expect_grep '^/usr/local/sbin/nginx$' "$T/mc/opt/bootlocal.sh"
	boot root -drive "file=$T/img/disk.img,format=raw,if=virtio"
	expect_no_grep 'tcbuild-init: loaded' "$T/root.console"
	expect_no_grep 'tcbuild-init: FAILED' "$T/root.console"
	measure root "$T/img/disk.img" "$T/img/microcore.gz"
}

test_colinux_conf_as_the_daemon_reads_it_and_its_root_disk_boots() {
	setup
	image "$T/co" IMAGE_KERNEL=colinux IMAGE_EXTENSIONS=nginx IMAGE_SERVICES=nginx IMAGE_INSTALL=root \
		IMAGE_CMDLINE=quiet
	# coLinux's own parser, from its 0.7.9 source.
	mkdir -p "$T/cosrc" "$T/inc"
	tar -xJf "$SOURCES/colinux-0.7.9.tar.xz" -C "$T/cosrc" --strip-components 1 colinux-0.7.9/src/colinux/user
	for h in colinux/common/common.h colinux/os/alloc.h colinux/os/user/misc.h colinux/common/libc.h \
		colinux/os/user/file.h; do mkdir -p "$T/inc/${h%/*}"; : > "$T/inc/$h"; done
	expect_ok gcc -std=gnu11 -w -I"$T/inc" -I"$T/cosrc/src" -o "$T/colinux-conf" "$TOP/tests/e2e/colinux-conf.c"
	expect_ok "$T/colinux-conf" "$T/co/tcl3.conf"
	cp "$T/out" "$T/settings"
	local kernel cobd
	kernel=$(sed -n 's/^kernel=//p' "$T/settings") cobd=$(sed -n 's/^cobd0=//p' "$T/settings")
	expect_file "$T/co/$kernel"
	expect_file "$T/co/$cobd"
	expect_eq "$(od -An -tx1 -N4 "$T/co/$kernel" | tr -d ' ')" 7f454c46 "the kernel is an ELF vmlinux"
	expect_grep '^boot=(.* )?root=/dev/cobd0( |$)' "$T/settings"
	expect_grep '^mem=128$' "$T/settings"
	expect_grep '^eth0=slirp$' "$T/settings"
	# coLinux cannot run here; the same root disk under TCL3's kernel can.
	boot cobd0 -kernel "$O/kernel/tcl3-kernel/bzImage" -append 'root=/dev/vda rw quiet console=ttyS0' \
		-drive "file=$T/co/$cobd,format=raw,if=virtio"
	expect_grep 'tcbuild-init: up: .*root /dev/root' "$T/cobd0.console"
	measure cobd0 "$T/co/$cobd" "$T/co/$kernel"
}

# The helper must fail, showing the guest's console, when the guest fails.
test_a_failure_in_the_guest_fails_with_its_console() {
	setup
	# nginx started by bootlocal.sh, but not in the image (and the tce
	# directory named by TCL3's tce= boot option rather than found).
	printf '/usr/local/sbin/nginx\n' > "$T/start-nginx"
	image "$T/none" IMAGE_BOOTLOCAL="$T/start-nginx" IMAGE_CMDLINE='quiet console=ttyS0,115200 tce=vda1/tce'
	if (boot missing -drive "file=$T/none/disk.img,format=raw,if=virtio") > "$T/missing.out" 2>&1; then
		fail "a guest without nginx passed"
	fi
	expect_grep "the guest's console" "$T/missing.out"
	expect_grep 'tcbuild-init: tce directory /mnt/vda1/tce' "$T/missing.out"
	expect_grep 'tcbuild-init: FAILED: /opt/bootlocal.sh exited 127' "$T/missing.out"
	# A bad extension: pcre2.tcz corrupted on the disk after make image.
	image "$T/bad" IMAGE_EXTENSIONS=nginx IMAGE_SERVICES=nginx
	head -c 20000 /dev/urandom > "$T/junk"
	debugfs -w -f - "$T/bad/disk.img?offset=1048576" > /dev/null 2>&1 <<EOF
rm /tce/optional/pcre2.tcz
write $T/junk /tce/optional/pcre2.tcz
EOF
	if (boot bad -drive "file=$T/bad/disk.img,format=raw,if=virtio") > "$T/bad.out" 2>&1; then
		fail "a guest with a corrupt pcre2.tcz passed"
	fi
	expect_grep 'tcbuild-init: FAILED: pcre2.tcz: cannot mount it' "$T/bad.out"
}

run_tests
