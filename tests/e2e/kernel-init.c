/* /init of the boot test's initramfs, built by the tcbuild toolchain with
 * -static -nostdlib: freestanding, with its own i386 system calls
 * (int $0x80). Why not libc: the stand-in sysroot's static glibc is
 * Debian's i686 build, full of cmov, and qemu -cpu 486 (like a real 486)
 * faults on those; this program has none, which `tcz elf` checks.
 *
 * It does what TCL3 does with an extension - loop-mount the .tcz read-only
 * as squashfs - prints a marker file from it, loads a module built with the
 * kernel, and reboots (qemu -no-reboot then exits). */
#include <linux/loop.h>
#include <linux/reboot.h>

#define O_RDONLY 0
#define O_RDWR 2
#define MS_RDONLY 1

static long sys(long n, long a, long b, long c, long d, long e)
{
	long r;
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "0"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "memory");
	return r;
}

enum { SYS_read = 3, SYS_write = 4, SYS_open = 5, SYS_sync = 36, SYS_mkdir = 39,
       SYS_mount = 21, SYS_ioctl = 54, SYS_reboot = 88, SYS_finit_module = 350 };

static unsigned long len(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

static void say(const char *a, const char *b)
{
	sys(SYS_write, 1, (long)a, (long)len(a), 0, 0);
	sys(SYS_write, 1, (long)b, (long)len(b), 0, 0);
}

static void stop(void)
{
	sys(SYS_sync, 0, 0, 0, 0, 0);
	sys(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_RESTART, 0, 0);
	for (;;)
		;
}

static void check(long r, const char *what)
{
	if (r < 0) {
		say("tcbuild-init: FAILED: ", what);
		say("\n", "");
		stop();
	}
}

void start(void);
void start(void)
{
	char dev[] = "/dev/loop0", buf[256];
	sys(SYS_mkdir, (long)"/dev", 0755, 0, 0, 0);
	check(sys(SYS_mount, (long)"devtmpfs", (long)"/dev", (long)"devtmpfs", 0, 0), "mount devtmpfs");
	long ctl = sys(SYS_open, (long)"/dev/loop-control", O_RDWR, 0, 0, 0);
	check(ctl, "open loop-control");
	long n = sys(SYS_ioctl, ctl, LOOP_CTL_GET_FREE, 0, 0, 0);
	check(n < 0 || n > 9 ? -1 : n, "LOOP_CTL_GET_FREE");
	dev[9] = (char)('0' + n);
	long loop = sys(SYS_open, (long)dev, O_RDWR, 0, 0, 0);
	long img = sys(SYS_open, (long)"/marker.tcz", O_RDONLY, 0, 0, 0);
	check(loop < 0 || img < 0 ? -1 : 0, "open loop device or image");
	check(sys(SYS_ioctl, loop, LOOP_SET_FD, img, 0, 0), "LOOP_SET_FD");
	sys(SYS_mkdir, (long)"/mnt", 0755, 0, 0, 0);
	check(sys(SYS_mount, (long)dev, (long)"/mnt", (long)"squashfs", MS_RDONLY, 0), "mount squashfs");
	say("tcbuild-init: mounted /marker.tcz", "\n");
	long fd = sys(SYS_open, (long)"/mnt/usr/local/share/tcbuild/marker", O_RDONLY, 0, 0, 0);
	check(fd, "open marker");
	long got = sys(SYS_read, fd, (long)buf, sizeof(buf) - 1, 0, 0);
	check(got <= 0 ? -1 : 0, "read marker");
	buf[got] = '\0';
	say("tcbuild-marker: ", buf);
	fd = sys(SYS_open, (long)"/ext2.ko", O_RDONLY, 0, 0, 0);
	check(fd, "open ext2.ko");
	check(sys(SYS_finit_module, fd, (long)"", 0, 0, 0), "load ext2.ko");
	say("tcbuild-init: module ext2 loaded", "\n");
	stop();
}
