/* /init of the boot test's initramfs, built by the tcbuild toolchain with
 * -static -nostdlib: freestanding, with its own i386 system calls
 * (int $0x80), those Linux 2.6.33 has. Why not libc: TCL3's glibc (and
 * busybox on it) is not built yet; this program needs none, nor any
 * header, and `tcz elf` checks that it has no instruction a 486 lacks.
 *
 * It does what TCL3 does with extensions:
 *   1. loop-mounts /marker.tcz read-only as squashfs and prints the
 *      marker file inside (the kernel's own squashfs reads our format);
 *   2. loop-mounts /modules.tcz, a module extension, and loads, in order,
 *      the modules /modprobe.plan names (paths inside the extension): the
 *      plan is what kmod's modprobe printed on the build host from the
 *      kernel's modules.dep.bin (`modprobe --show-depends NAME`). When TCL3's
 *      busybox exists, `modprobe NAME` in the guest replaces this step;
 *   3. prints /proc/modules, and reboots (qemu -no-reboot then exits).
 * Every failure prints "tcbuild-init: FAILED: what (errno N)". */
/* The ABI's numbers (linux/loop.h, linux/reboot.h): no header needed, so
 * any i386 gcc builds this, a C-library-less one too. */
#define LOOP_SET_FD 0x4C00
#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_RESTART 0x01234567
#define O_RDONLY 0
#define O_RDWR 2
#define MS_RDONLY 1
#define SEEK_SET 0
#define SEEK_END 2

static long sys(long n, long a, long b, long c, long d, long e)
{
	long r;
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "0"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "memory");
	return r;
}

enum { SYS_read = 3, SYS_write = 4, SYS_open = 5, SYS_close = 6, SYS_lseek = 19, SYS_mount = 21,
       SYS_sync = 36, SYS_mkdir = 39, SYS_ioctl = 54, SYS_reboot = 88, SYS_init_module = 128 };

/* Room for the largest module the test loads (a few hundred KB). */
static char module[4 << 20];
static char text[8192];

static unsigned long len(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

static void put(const char *s)
{
	sys(SYS_write, 1, (long)s, (long)len(s), 0, 0);
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
	if (r >= 0)
		return;
	char num[12], *p = num + sizeof(num) - 1;
	unsigned long e = (unsigned long)-r;
	*p = '\0';
	do
		*--p = (char)('0' + e % 10);
	while ((e /= 10) && p > num);
	put("tcbuild-init: FAILED: ");
	put(what);
	put(" (errno ");
	put(p);
	put(")\n");
	stop();
}

/* A whole small file into buf, NUL-terminated; its length. */
static long slurp(const char *path, char *buf, long size)
{
	long fd = sys(SYS_open, (long)path, O_RDONLY, 0, 0, 0), got = 0, n = 0;
	check(fd, path);
	while (got < size - 1 && (n = sys(SYS_read, fd, (long)(buf + got), size - 1 - got, 0, 0)) > 0)
		got += n;
	check(n < 0 ? n : got == size - 1 ? -27 /* EFBIG */ : 0, path);
	sys(SYS_close, fd, 0, 0, 0, 0);
	buf[got] = '\0';
	return got;
}

/* Loop-mount the squashfs image at /dev/loopN on dir, read-only. */
static void mount_tcz(const char *image, char *loopdev, const char *dir)
{
	long loop = sys(SYS_open, (long)loopdev, O_RDWR, 0, 0, 0);
	check(loop, loopdev);
	long img = sys(SYS_open, (long)image, O_RDONLY, 0, 0, 0);
	check(img, image);
	check(sys(SYS_ioctl, loop, LOOP_SET_FD, img, 0, 0), "LOOP_SET_FD");
	sys(SYS_mkdir, (long)dir, 0755, 0, 0, 0);
	check(sys(SYS_mount, (long)loopdev, (long)dir, (long)"squashfs", MS_RDONLY, 0), "mount squashfs");
	put("tcbuild-init: mounted ");
	put(image);
	put("\n");
}

static void load_module(const char *path)
{
	long fd = sys(SYS_open, (long)path, O_RDONLY, 0, 0, 0);
	check(fd, path);
	long size = sys(SYS_lseek, fd, 0, SEEK_END, 0, 0);
	check(size < 0 ? size : size > (long)sizeof(module) ? -27 : 0, path);
	check(sys(SYS_lseek, fd, 0, SEEK_SET, 0, 0), path);
	long got = 0, n = 0;
	while (got < size && (n = sys(SYS_read, fd, (long)(module + got), size - got, 0, 0)) > 0)
		got += n;
	check(n < 0 ? n : got != size ? -5 /* EIO */ : 0, path);
	sys(SYS_close, fd, 0, 0, 0, 0);
	check(sys(SYS_init_module, (long)module, size, (long)"", 0, 0), path);
	put("tcbuild-init: loaded ");
	put(path);
	put("\n");
}

void start(void);
void start(void)
{
	char loop0[] = "/dev/loop0", loop1[] = "/dev/loop1";
	sys(SYS_mkdir, (long)"/dev", 0755, 0, 0, 0);
	check(sys(SYS_mount, (long)"devtmpfs", (long)"/dev", (long)"devtmpfs", 0, 0), "mount devtmpfs");
	sys(SYS_mkdir, (long)"/proc", 0755, 0, 0, 0);
	check(sys(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0), "mount proc");

	mount_tcz("/marker.tcz", loop0, "/marker");
	slurp("/marker/usr/local/share/tcbuild/marker", text, sizeof(text));
	put("tcbuild-marker: ");
	put(text);

	mount_tcz("/modules.tcz", loop1, "/modules");
	slurp("/modprobe.plan", text, sizeof(text));
	for (char *line = text, *end; *line; line = end) {
		for (end = line; *end && *end != '\n'; end++)
			;
		if (*end)
			*end++ = '\0';
		if (*line)
			load_module(line);
	}
	static char mods[8192];
	slurp("/proc/modules", mods, sizeof(mods));
	put("tcbuild-init: /proc/modules:\n");
	put(mods);
	put("tcbuild-init: done\n");
	stop();
}
