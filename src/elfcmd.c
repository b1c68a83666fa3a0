/* tcz elf: the ELF rules of elfrules.h on files given on the command line, and
 * the NEEDED/SONAME listings the recipes use to compute .dep files. */
#include "commands.h"
#include "elfrules.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void usage(FILE *out)
{
	fputs("Usage: tcz elf [OPTION]... FILE...\n"
	      "Check ELF files against Tiny Core 3.x's rules: 32-bit i386; executables use\n"
	      "/lib/ld-linux.so.2; no instruction newer than the i486 (outside a short list\n"
	      "of CPUID-guarded functions); no GLIBCXX_, CXXABI_ or GCC_ symbol version\n"
	      "newer than TCL3's C++ runtime has (gcc 4.4.3: GLIBCXX_3.4.13, CXXABI_1.3.3,\n"
	      "GCC_4.4.0); and, when asked, no GLIBC_x.y newer than --glibc, no ABI note\n"
	      "kernel newer than --kernel, no RPATH/RUNPATH into --build-dir.\n"
	      "Exit status 3 when a rule fails.\n\n"
	      "Options:\n"
	      "      --glibc X.Y       newest glibc symbol version allowed (TCL3: 2.11)\n"
	      "      --kernel X.Y.Z    newest kernel an ABI note may name (TCL3: 2.6.33)\n"
	      "      --build-dir DIR   RPATH/RUNPATH must not point under DIR\n"
	      "      --no-i486         skip the instruction check (a recipe's waiver)\n"
	      "      --needed          only print each file's NEEDED sonames\n"
	      "      --soname          only print each file's SONAME\n"
	      "  -h, --help            this help\n", out);
}

int cmd_elf(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "glibc", required_argument, NULL, 'g' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "build-dir", required_argument, NULL, 'b' },
		{ "no-i486", no_argument, NULL, 'n' },
		{ "needed", no_argument, NULL, 'N' },
		{ "soname", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct elf_rules r = { 0 };
	int list = 0, c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'g': r.glibc = optarg; break;
		case 'k': r.kernel = optarg; break;
		case 'b': r.build_dir = optarg; break;
		case 'n': r.skip_i486 = 1; break;
		case 'N': list = 'N'; break;
		case 'S': list = 'S'; break;
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("elf", "unknown option");
		}
	}
	if (r.glibc && !version_number_valid(r.glibc))
		return tcz_usage_error("elf", "--glibc '%s': want a version such as 2.11", r.glibc);
	if (r.kernel && !version_number_valid(r.kernel))
		return tcz_usage_error("elf", "--kernel '%s': want a version such as 2.6.33", r.kernel);
	if (optind >= argc)
		return tcz_usage_error("elf", "no file given");
	int status = TCZ_EXIT_OK;
	for (int i = optind; i < argc; i++) {
		if (list) {
			struct path_list l = { 0 };
			if ((list == 'N' ? elf_needed : elf_soname)(argv[i], &l)) {
				status = TCZ_EXIT_FAIL;
				continue;
			}
			for (size_t j = 0; j < l.n; j++)
				printf("%s\n", l.v[j]);
			path_list_free(&l);
			continue;
		}
		int n = elf_check(argv[i], argv[i], &r);
		if (n < 0)
			status = TCZ_EXIT_FAIL;
		else if (n > 0 && status == TCZ_EXIT_OK)
			status = TCZ_EXIT_CHECK;
		else if (n == 0)
			printf("%s: ok\n", argv[i]);
	}
	return status;
}
