/* tcz ldconfig: ROOT/etc/ld.so.cache for TCL3's glibc 2.11.1, as the
 * target's `ldconfig -r ROOT` would leave it, without running that (an
 * i386 program whose -r needs root to chroot). For roots tcbuild assembles
 * itself: stand-in systems, trees that programs run in under qemu-i386 -L
 * (where a root without its own cache makes the target's ld.so read the
 * host's), remastered images. `tcz install` writes the same after every
 * install. The format and the scan are ldcache.c's. */
#include "commands.h"
#include "ldcache.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fputs("Usage: tcz ldconfig -r ROOT\n"
	      "Write ROOT/etc/ld.so.cache in the format TCL3's glibc 2.11.1 reads, listing\n"
	      "the shared libraries in ROOT's /lib, /usr/lib and the directories that\n"
	      "ROOT/etc/ld.so.conf names, as the target's `ldconfig -r ROOT` would (no\n"
	      "links are made). The file appears whole or not at all; nothing is written\n"
	      "outside ROOT, whatever symlinks ROOT holds.\n\n"
	      "  -r, --root ROOT  the root directory (required)\n"
	      "  -h, --help       this help\n", out);
}

int cmd_ldconfig(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': root = optarg; break;
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("ldconfig", "unknown option");
		}
	}
	if (!root)
		return tcz_usage_error("ldconfig", "-r ROOT is required");
	if (optind < argc)
		return tcz_usage_error("ldconfig", "unexpected argument '%s'", argv[optind]);
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		tcz_error("%s: %s", root, strerror(errno));
		return TCZ_EXIT_FAIL;
	}
	int ret = ldcache_write(fd, root);
	close(fd);
	return ret ? TCZ_EXIT_FAIL : TCZ_EXIT_OK;
}
