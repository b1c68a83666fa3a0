/* tcz colinux: read a vmlinux the way colinux-daemon does before it runs
 * one, and apply the daemon's checks (coLinux 0.7.9,
 * src/colinux/user/daemon.c, co_daemon_monitor_create, and elf_load.c):
 *   - the sections named .symtab and .strtab exist (found by name);
 *   - each symbol the daemon loads is present (the first of that name);
 *   - co_info (and co_arch_info) can be read from the file at the
 *     symbol's address in its section;
 *   - co_info.api_version == CO_LINUX_API_VERSION (14 in 0.7.x);
 *   - co_info.compiler_abi == the daemon's own __GXX_ABI_VERSION (1002 for
 *     the released daemon, built with gcc 4.1.2).
 * The daemon reads the file with plain pointer arithmetic; here every
 * offset is bounds-checked through libelf first.
 */
#include "commands.h"
#include "elfrules.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CO_LINUX_API_VERSION 14
#define CO_DAEMON_GXX_ABI 1002

/* co_daemon_monitor_create() loads these, in this order. */
static const char *const daemon_symbols[] = {
	"_kernel_start", "_end", "init_thread_union", "co_start", "swapper_pg_dir",
	"idt_table", "per_cpu__gdt_page", "co_info", "co_arch_info",
};
#define NSYMS (sizeof(daemon_symbols) / sizeof(daemon_symbols[0]))

/* co_info_t and co_arch_info_t (include/linux/cooperative.h and
 * asm/cooperative.h of the coLinux patch): packed unsigned longs, 32 bits. */
enum { CO_INFO_WORDS = 4, CO_ARCH_INFO_WORDS = 2 };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: tcz colinux [OPTION]... VMLINUX\n"
		"Check a coLinux guest kernel as colinux-daemon does before it loads it: the\n"
		"symbols it needs, and co_info's api_version and compiler_abi. Prints what it\n"
		"read; exit status 3 when the daemon would refuse the kernel.\n\n"
		"Options:\n"
		"      --api N   the daemon's CO_LINUX_API_VERSION (default %d, coLinux 0.7.x)\n"
		"      --abi N   the daemon's __GXX_ABI_VERSION (default %d: the released\n"
		"                0.7.9 daemon, built with gcc 4.1.2; gcc 5 and later give\n"
		"                more, gcc 12 gives 1017)\n"
		"  -h, --help    this help\n",
		CO_LINUX_API_VERSION, CO_DAEMON_GXX_ABI);
}

struct vmlinux {
	const char *path;
	struct elf_file f;
	Elf_Data *syms;    /* .symtab's data */
	size_t nsyms;
	size_t strtab;     /* index of .strtab */
};

/* The daemon looks sections up by name, from index 1. */
static Elf_Scn *section_named(struct vmlinux *v, const char *name, size_t *index)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(v->f.e, &shstrndx))
		return NULL;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(v->f.e, scn))) {
		GElf_Shdr sh;
		const char *n;
		if (gelf_getshdr(scn, &sh) && (n = elf_strptr(v->f.e, shstrndx, sh.sh_name)) && !strcmp(n, name)) {
			if (index)
				*index = elf_ndxscn(scn);
			return scn;
		}
	}
	return NULL;
}

/* 0; 1 when the daemon would refuse the file (no symbol table); -1 when
 * it is not a 32-bit i386 ELF file at all. */
static int vmlinux_open(struct vmlinux *v, const char *path)
{
	v->path = path;
	if (elf_open(&v->f, path))
		return -1;
	if (v->f.eh.e_ident[EI_CLASS] != ELFCLASS32 || v->f.eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    v->f.eh.e_machine != EM_386) {
		tcz_error("%s: not a 32-bit i386 ELF file: colinux-daemon reads nothing else", path);
		goto fail;
	}
	Elf_Scn *symtab = section_named(v, ".symtab", NULL);
	if (!symtab || !section_named(v, ".strtab", &v->strtab)) {
		tcz_error("%s: no .symtab or .strtab section (a stripped vmlinux?): "
			  "colinux-daemon finds its symbols there", path);
		elf_close(&v->f);
		return 1;
	}
	v->syms = elf_getdata(symtab, NULL);
	size_t entsize = gelf_fsize(v->f.e, ELF_T_SYM, 1, EV_CURRENT);
	if (!v->syms || !entsize) {
		tcz_error("%s: cannot read .symtab: %s", path, elf_errmsg(-1));
		goto fail;
	}
	v->nsyms = v->syms->d_size / entsize;
	return 0;
fail:
	elf_close(&v->f);
	return -1;
}

/* The first symbol of that name, as co_get_symbol_by_name() takes it. */
static int symbol_named(struct vmlinux *v, const char *name, GElf_Sym *out)
{
	for (size_t i = 0; i < v->nsyms && i <= INT_MAX; i++) {
		const char *n;
		if (gelf_getsym(v->syms, (int)i, out) && (n = elf_strptr(v->f.e, v->strtab, out->st_name)) &&
		    !strcmp(n, name))
			return 0;
	}
	return -1;
}

/* co_elf_get_symbol_data(): the bytes at the symbol's address inside its
 * section, as little-endian 32-bit words. 0, or -1 with a message. */
static int symbol_words(struct vmlinux *v, const char *name, const GElf_Sym *sym, uint32_t *words, size_t n)
{
	Elf_Scn *scn = sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE ? NULL
		       : elf_getscn(v->f.e, sym->st_shndx);
	GElf_Shdr sh;
	if (!scn || !gelf_getshdr(scn, &sh)) {
		tcz_error("%s: symbol %s is not defined in a section", v->path, name);
		return -1;
	}
	if (sh.sh_type == SHT_NOBITS) {
		tcz_error("%s: symbol %s is in a section without file data (.bss): colinux-daemon reads it from the file",
			  v->path, name);
		return -1;
	}
	Elf_Data *d = elf_rawdata(scn, NULL);
	size_t need = n * 4;
	if (!d || !d->d_buf || sym->st_value < sh.sh_addr || sym->st_value - sh.sh_addr > d->d_size ||
	    d->d_size - (sym->st_value - sh.sh_addr) < need) {
		tcz_error("%s: symbol %s: %zu bytes at 0x%llx are not inside its section's data", v->path, name,
			  need, (unsigned long long)sym->st_value);
		return -1;
	}
	const unsigned char *p = (const unsigned char *)d->d_buf + (sym->st_value - sh.sh_addr);
	for (size_t i = 0; i < n; i++, p += 4)
		words[i] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return 0;
}

static int parse_number(const char *opt, const char *s, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 0)
		return tcz_usage_error("colinux", "%s '%s': want a number", opt, s);
	*out = n;
	return 0;
}

/* co_info's api_version and compiler_abi against the daemon's. */
static int check_co_info(const char *path, const uint32_t *info, long api, long abi)
{
	int problems = 0;
	printf("  co_info: api_version %lu, compiler %lu.%lu, compiler_abi %lu\n", (unsigned long)info[0],
	       (unsigned long)info[1], (unsigned long)info[2], (unsigned long)info[3]);
	if (info[0] != (uint32_t)api) {
		tcz_error("%s: co_info.api_version is %lu, the daemon expects %ld (its CO_LINUX_API_VERSION): "
			  "it stops with \"expected kernel API version %ld, got %lu\"",
			  path, (unsigned long)info[0], api, api, (unsigned long)info[0]);
		problems++;
	}
	if (info[3] != (uint32_t)abi) {
		tcz_error("%s: co_info.compiler_abi is %lu (gcc %lu.%lu), the daemon expects %ld (the "
			  "__GXX_ABI_VERSION of the gcc that built the daemon): it stops with \"expected gcc abi "
			  "version %ld, got %lu\"",
			  path, (unsigned long)info[3], (unsigned long)info[1], (unsigned long)info[2], abi, abi,
			  (unsigned long)info[3]);
		problems++;
	}
	return problems;
}

enum { SYM_KERNEL_START = 0, SYM_END = 1, SYM_CO_INFO = 7, SYM_CO_ARCH_INFO = 8 };

/* Print what the daemon would read; the count of reasons it would refuse
 * the kernel, or -1 when the file cannot be read. */
static int check_vmlinux(const char *path, long api, long abi)
{
	struct vmlinux v;
	int problems = vmlinux_open(&v, path), found[NSYMS];
	if (problems)
		return problems;
	GElf_Sym sym[NSYMS];
	printf("%s: the symbols colinux-daemon loads:\n", path);
	for (size_t i = 0; i < NSYMS; i++) {
		found[i] = symbol_named(&v, daemon_symbols[i], &sym[i]) == 0;
		if (found[i]) {
			printf("  %-18s 0x%08llx\n", daemon_symbols[i], (unsigned long long)sym[i].st_value);
			continue;
		}
		tcz_error("%s: no symbol %s: colinux-daemon stops with \"symbol %s not found\"", path,
			  daemon_symbols[i], daemon_symbols[i]);
		problems++;
	}
	uint32_t info[CO_INFO_WORDS], arch[CO_ARCH_INFO_WORDS];
	if (found[SYM_CO_INFO]) {
		if (symbol_words(&v, "co_info", &sym[SYM_CO_INFO], info, CO_INFO_WORDS))
			problems++;
		else
			problems += check_co_info(path, info, api, abi);
	}
	if (found[SYM_CO_ARCH_INFO]) {
		if (symbol_words(&v, "co_arch_info", &sym[SYM_CO_ARCH_INFO], arch, CO_ARCH_INFO_WORDS))
			problems++;
		else
			printf("  co_arch_info: kernel_cs 0x%lx, kernel_ds 0x%lx\n", (unsigned long)arch[0],
			       (unsigned long)arch[1]);
	}
	if (found[SYM_KERNEL_START] && found[SYM_END] && sym[SYM_END].st_value <= sym[SYM_KERNEL_START].st_value) {
		tcz_error("%s: _end (0x%llx) is not above _kernel_start (0x%llx): the daemon sizes the kernel from them",
			  path, (unsigned long long)sym[SYM_END].st_value,
			  (unsigned long long)sym[SYM_KERNEL_START].st_value);
		problems++;
	}
	elf_close(&v.f);
	if (!problems)
		printf("%s: colinux-daemon (API %ld, gcc ABI %ld) accepts it\n", path, api, abi);
	return problems;
}

int cmd_colinux(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "api", required_argument, NULL, 'a' },
		{ "abi", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long api = CO_LINUX_API_VERSION, abi = CO_DAEMON_GXX_ABI;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (parse_number("--api", optarg, &api))
				return TCZ_EXIT_USAGE;
			break;
		case 'b':
			if (parse_number("--abi", optarg, &abi))
				return TCZ_EXIT_USAGE;
			break;
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("colinux", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return tcz_usage_error("colinux", "give one VMLINUX");
	int n = check_vmlinux(argv[optind], api, abi);
	return n < 0 ? TCZ_EXIT_FAIL : n ? TCZ_EXIT_CHECK : TCZ_EXIT_OK;
}
