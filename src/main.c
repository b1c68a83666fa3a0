/* tcz: the one binary of tcbuild. Dispatches to a subcommand. */
#include "commands.h"
#include "image.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define TCZ_VERSION "0.1"

const struct command tcz_commands[] = {
	{ "pack", cmd_pack, "pack a directory into NAME.tcz with its companion files" },
	{ "list", cmd_list, "list the paths in an image, as unsquashfs -l" },
	{ "unpack", cmd_unpack, "unpack an image over a root directory, never outside it" },
	{ "info", cmd_info, "describe an image: compressor, block size, counts, sizes" },
	{ "check", cmd_check, "check an extension and its companion files against TCL3's rules" },
	{ "install", cmd_install, "install extensions and their deps from a mirror onto a root" },
	{ "mirror", cmd_mirror, "build or sync a Tiny Core 3.x mirror tree" },
	{ "fetch", cmd_fetch, "download a file and verify its checksum before it appears" },
	{ "elf", cmd_elf, "check ELF files against TCL3's rules (i486, glibc, interpreter)" },
	{ "extract", cmd_extract, "extract a tar/zip/cpio archive into a new directory, safely" },
	{ "cpio", cmd_cpio, "write a directory as a reproducible cpio newc archive (initramfs)" },
	{ "ldconfig", cmd_ldconfig, "write ROOT/etc/ld.so.cache for TCL3's glibc 2.11" },
	{ "colinux", cmd_colinux, "check a vmlinux as colinux-daemon does (symbols, API, gcc ABI)" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fputs("Usage: tcz COMMAND [OPTION]... [ARG]...\n"
	      "Build, read and check Tiny Core Linux 3.x extensions (.tcz).\n\n"
	      "Commands:\n", out);
	for (const struct command *c = tcz_commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fputs("\n'tcz COMMAND --help' describes a command.\n\n"
	      "Exit status:\n"
	      "  0  success\n"
	      "  1  the operation failed (I/O error, bad or hostile input, network)\n"
	      "  2  wrong command line\n"
	      "  3  a check or verification found a problem\n"
	      "  4  (fetch) every source said the file does not exist\n", out);
	fprintf(out, "\nLimits on input from anywhere:\n"
		"  extract, unpack and install write at most --max-size bytes of files\n"
		"  (default $TCZ_MAX_SIZE, else %s; 0: no limit); an image is read only\n"
		"  with at most %u entries, %u MiB of names, block lists and link\n"
		"  targets, and %u directory levels.\n",
		TCZ_DEFAULT_MAX_SIZE, TCZ_TREE_MAX_ENTRIES, TCZ_TREE_MAX_BYTES >> 20, TCZ_TREE_MAX_DEPTH);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return TCZ_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		if (argc > 2 && strcmp(name, "help") == 0) {
			char *sub[] = { argv[2], "--help", NULL };
			for (const struct command *c = tcz_commands; c->name; c++)
				if (!strcmp(c->name, argv[2]))
					return c->run(2, sub);
		}
		usage(stdout);
		return TCZ_EXIT_OK;
	}
	if (!strcmp(name, "--version")) {
		printf("tcz %s\n", TCZ_VERSION);
		return TCZ_EXIT_OK;
	}
	for (const struct command *c = tcz_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "tcz: '%s' is not a command; see 'tcz --help'\n", name);
	return TCZ_EXIT_USAGE;
}
