/* ELF rules for Tiny Core 3.x binaries; see elfrules.h. libelf reads the
 * structure, capstone decodes the instructions: neither is ours to write.
 *
 * The i486 rule. TCL3 runs on i486-class CPUs (and coLinux guests on any
 * x86), so code must not use what came later: cmov/fcmov/fcomi (P6),
 * cmpxchg8b and rdtsc (Pentium), the multi-byte NOPs and hint space
 * 0f 18..1f (P6), sysenter, MMX/SSE/AVX and everything after. cpuid is
 * allowed: late i486s have it, and code probes for it through EFLAGS.ID
 * before use. ud2 is allowed: on an i486 it traps just the same.
 *
 * Code that runs only after CPUID said the feature exists is fine; those
 * functions are allowed by name, each for a reason:
 *   __truncdfhf2, __truncsfhf2, __extendhfsf2, __extendhfdf2 and friends:
 *     gcc 12+ libgcc's _Float16 conversions are compiled for SSE2; nothing
 *     calls them unless the program uses _Float16, which needs SSE2 anyway.
 *   __x86_rdrand, __x86_rdseed, __x86_rdseed_rdrand: libstdc++'s
 *     std::random_device (static functions in an anonymous namespace, so
 *     matched in their mangled form), entered only after CPUID reports
 *     rdrand/rdseed.
 * pause (f3 90) is "rep nop" to an i486: allowed.
 * Linux's .altinstr_replacement sections hold the kernel's runtime
 * alternatives, patched in only when the CPU has the feature: not checked.
 * The check looks at what a binary actually contains (linked, shipped),
 * function by function, attributing code through the symbol table.
 */
#include "elfrules.h"
#include "util.h"

#include <capstone/capstone.h>
#include <gelf.h>
#include <libelf.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const allowed_functions[] = {
	"__truncdfhf2", "__truncsfhf2", "__truncxfhf2", "__trunctfhf2",
	"__extendhfsf2", "__extendhfdf2", "__extendhfxf2", "__extendhftf2",
};

/* libstdc++'s src/c++11/random.cc, mangled: std::(anonymous)::NAME(void*). */
static const char *const allowed_anonymous[] = {
	"12__x86_rdrandEPv", "12__x86_rdseedEPv", "19__x86_rdseed_rdrandEPv",
};

int elf_open(struct elf_file *f, const char *path)
{
	if (elf_version(EV_CURRENT) == EV_NONE) {
		tcz_error("libelf: %s", elf_errmsg(-1));
		return -1;
	}
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		tcz_error("%s: %s", path, strerror(errno));
		return -1;
	}
	f->e = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!f->e || elf_kind(f->e) != ELF_K_ELF || !gelf_getehdr(f->e, &f->eh)) {
		tcz_error("%s: not an ELF file: %s", path, elf_errmsg(-1));
		if (f->e)
			elf_end(f->e);
		close(f->fd);
		return -1;
	}
	return 0;
}

void elf_close(struct elf_file *f)
{
	elf_end(f->e);
	close(f->fd);
}

int version_number_valid(const char *s)
{
	unsigned parts = 0;
	for (;;) {
		size_t digits = strspn(s, "0123456789");
		if (!digits || digits > 9 || ++parts > 8)
			return 0;
		s += digits;
		if (!*s)
			return 1;
		if (*s++ != '.')
			return 0;
	}
}

static int version_newer(const char *have, const char *limit)
{
	/* Compare dotted numbers: "2.12" > "2.11", "2.6.34" > "2.6.33". A
	 * part that is no number on either side (a hostile file's "2x0") ends
	 * the comparison: each turn must move at least one side on. */
	while (*have || *limit) {
		char *eh, *el;
		unsigned long a = strtoul(have, &eh, 10), b = strtoul(limit, &el, 10);
		if (a != b)
			return a > b;
		if (eh == have && el == limit)
			break;
		have = *eh == '.' ? eh + 1 : eh;
		limit = *el == '.' ? el + 1 : el;
	}
	return 0;
}

static void report(const char *label, unsigned *problems, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(const char *label, unsigned *problems, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "tcz: %s: ", label);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	(*problems)++;
}

/* Walk the dynamic section: callback per (tag, string). */
static void dynamic_strings(struct elf_file *f, void (*fn)(void *, GElf_Sxword, const char *), void *ctx)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(f->e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !sh.sh_entsize)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;
			if (!gelf_getdyn(d, (int)i, &dyn))
				break;
			if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_SONAME || dyn.d_tag == DT_RPATH ||
			    dyn.d_tag == DT_RUNPATH) {
				const char *s = elf_strptr(f->e, sh.sh_link, dyn.d_un.d_val);
				if (s)
					fn(ctx, dyn.d_tag, s);
			}
		}
	}
}

struct collect { struct path_list *out; GElf_Sxword tag; };
static void collect_tag(void *ctx, GElf_Sxword tag, const char *s)
{
	struct collect *c = ctx;
	if (tag == c->tag)
		path_list_add(c->out, s);
}

static int list_tag(const char *path, struct path_list *out, GElf_Sxword tag)
{
	struct elf_file f;
	if (elf_open(&f, path))
		return -1;
	struct collect c = { out, tag };
	dynamic_strings(&f, collect_tag, &c);
	elf_close(&f);
	return 0;
}

int elf_needed(const char *path, struct path_list *out) { return list_tag(path, out, DT_NEEDED); }
int elf_soname(const char *path, struct path_list *out) { return list_tag(path, out, DT_SONAME); }

int elf_i386_library(int fd, char **soname)
{
	*soname = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		tcz_error("libelf: %s", elf_errmsg(-1));
		return -1;
	}
	struct elf_file f;
	memset(&f, 0, sizeof(f));
	f.fd = fd;
	f.e = elf_begin(fd, ELF_C_READ, NULL);
	int yes = f.e && elf_kind(f.e) == ELF_K_ELF && gelf_getehdr(f.e, &f.eh) &&
		  f.eh.e_ident[EI_CLASS] == ELFCLASS32 && f.eh.e_machine == EM_386 && f.eh.e_type == ET_DYN;
	if (yes) {
		struct path_list names = { 0 };
		struct collect c = { &names, DT_SONAME };
		dynamic_strings(&f, collect_tag, &c);
		if (names.n)
			*soname = xstrdup(names.v[0]);
		path_list_free(&names);
	}
	if (f.e)
		elf_end(f.e);
	return yes;
}

struct rpath_ctx { const char *label, *build_dir; unsigned *problems; };
static void check_rpath(void *ctx, GElf_Sxword tag, const char *s)
{
	struct rpath_ctx *r = ctx;
	if ((tag == DT_RPATH || tag == DT_RUNPATH) && strstr(s, r->build_dir))
		report(r->label, r->problems, "%s '%s' points into the build tree %s",
		       tag == DT_RPATH ? "RPATH" : "RUNPATH", s, r->build_dir);
}

static void check_interp(struct elf_file *f, const char *label, unsigned *problems)
{
	size_t n;
	if (elf_getphdrnum(f->e, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(f->e, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		size_t len;
		char *img = elf_rawfile(f->e, &len);
		if (!img || ph.p_offset >= len || ph.p_filesz > len - ph.p_offset || !ph.p_filesz) {
			report(label, problems, "PT_INTERP lies outside the file");
			return;
		}
		const char *interp = img + ph.p_offset;
		if (strnlen(interp, ph.p_filesz) != ph.p_filesz - 1 || strcmp(interp, "/lib/ld-linux.so.2"))
			report(label, problems, "interpreter '%.*s', TCL3's is /lib/ld-linux.so.2",
			       (int)strnlen(interp, ph.p_filesz), interp);
	}
}

/* The runtime libraries whose symbol versions a TCL3 binary may need, and
 * the newest each has. glibc's comes from the rules (2.11 for TCL3); the
 * C++ runtime is gcc 4.4.3's, fixed by TCL3's gcc_libs.tcz: libstdc++'s own
 * ABI policy (libstdc++-v3/doc/xml/manual/abi.xml) gives "GCC 4.4.2:
 * GLIBCXX_3.4.13, CXXABI_1.3.3" and libgcc_s "GCC 4.4.0: GCC_4.4.0"; 4.4.3
 * added none. A version with letters after the prefix (CXXABI_TM_1,
 * CXXABI_FLOAT128, ...) came later than that runtime; GLIBC_PRIVATE is
 * glibc's internal interface and not a release. */
struct version_ceiling {
	const char *prefix;
	const char *newest; /* NULL: this rule is off */
	const char *owner;
	char worst[48];
	int later_name;
};

static void note_version(struct version_ceiling *c, const char *name)
{
	const char *v = name + strlen(c->prefix);
	if (*v >= '0' && *v <= '9') {
		if (version_newer(v, c->newest) &&
		    (!c->worst[0] || version_newer(v, c->worst + strlen(c->prefix))))
			snprintf(c->worst, sizeof(c->worst), "%s", name);
	} else if (strcmp(c->prefix, "GLIBC_")) {
		snprintf(c->worst, sizeof(c->worst), "%s", name);
		c->later_name = 1;
	}
}

static void check_versions(struct elf_file *f, const char *label, const char *glibc, unsigned *problems)
{
	struct version_ceiling ceilings[] = {
		{ "GLIBC_", glibc, "the target's glibc", "", 0 }, /* first: reported on its own */
		{ "GLIBCXX_", "3.4.13", "TCL3's libstdc++ (gcc 4.4.3, libstdc++.so.6.0.13)", "", 0 },
		{ "CXXABI_", "1.3.3", "TCL3's libstdc++ (gcc 4.4.3, libstdc++.so.6.0.13)", "", 0 },
		{ "GCC_", "4.4.0", "TCL3's libgcc_s (gcc 4.4.3)", "", 0 },
	};
	const size_t nc = sizeof(ceilings) / sizeof(*ceilings);
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(f->e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_GNU_verneed)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t off = 0;
		for (unsigned i = 0; d && i < sh.sh_info; i++) {
			GElf_Verneed vn;
			if (!gelf_getverneed(d, (int)off, &vn))
				break;
			size_t aoff = off + vn.vn_aux;
			for (unsigned j = 0; j < vn.vn_cnt; j++) {
				GElf_Vernaux va;
				if (!gelf_getvernaux(d, (int)aoff, &va))
					break;
				const char *name = elf_strptr(f->e, sh.sh_link, va.vna_name);
				for (size_t k = 0; name && k < nc; k++)
					if (ceilings[k].newest && !ceilings[k].later_name &&
					    !strncmp(name, ceilings[k].prefix, strlen(ceilings[k].prefix)))
						note_version(&ceilings[k], name);
				if (!va.vna_next)
					break;
				aoff += va.vna_next;
			}
			if (!vn.vn_next)
				break;
			off += vn.vn_next;
		}
	}
	if (ceilings[0].worst[0])
		report(label, problems, "needs %s, newer than the target's glibc %s", ceilings[0].worst, glibc);
	for (size_t k = 1; k < nc; k++) {
		const struct version_ceiling *c = &ceilings[k];
		if (c->worst[0])
			report(label, problems, "needs %s; %s has %s only up to %s%s", c->worst, c->owner,
			       c->later_name ? "numbered versions" : "versions", c->prefix, c->newest);
	}
}

static void check_abi_note(struct elf_file *f, const char *label, const char *kernel, unsigned *problems)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(f->e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;
		while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type != NT_GNU_ABI_TAG || nh.n_namesz != 4 || nh.n_descsz < 16 ||
			    memcmp((char *)d->d_buf + name_off, "GNU", 4))
				continue;
			unsigned v[4];
			memcpy(v, (char *)d->d_buf + desc_off, sizeof(v));
			char have[48];
			snprintf(have, sizeof(have), "%u.%u.%u", v[1], v[2], v[3]);
			if (v[0] == 0 && version_newer(have, kernel))
				report(label, problems, "ABI note says Linux %s or newer; the target runs %s "
				       "(its ld.so would refuse this file)", have, kernel);
		}
	}
}

struct func { GElf_Addr lo, hi; const char *name; size_t shndx; };

static int by_addr(const void *a, const void *b)
{
	const struct func *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* In a relocatable file (a kernel module) every section starts at 0, so a
 * symbol must also be in the section being read. */
static const char *func_at(const struct func *fs, size_t n, GElf_Addr a, size_t shndx, int rel)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (fs[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0;)
		if (a >= fs[i].lo && a < fs[i].hi && (!rel || fs[i].shndx == shndx))
			return fs[i].name;
	return NULL;
}

static struct func *load_functions(struct elf_file *f, size_t *count)
{
	Elf_Scn *scn = NULL;
	struct func *fs = NULL;
	size_t n = 0, cap = 0;
	while ((scn = elf_nextscn(f->e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    (!s.st_value && f->eh.e_type != ET_REL))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				fs = xrealloc(fs, cap * sizeof(*fs));
			}
			const char *name = elf_strptr(f->e, sh.sh_link, s.st_name);
			fs[n++] = (struct func){ s.st_value, s.st_value + (s.st_size ? s.st_size : 1),
						 name ? name : "?", s.st_shndx };
		}
	}
	if (n)
		qsort(fs, n, sizeof(*fs), by_addr);
	*count = n;
	return fs;
}

/* Why an instruction is newer than the i486, or NULL. */
static const char *post_i486(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	switch (in->id) {
	case X86_INS_PAUSE: return NULL;
	case X86_INS_CMPXCHG8B: return "cmpxchg8b (Pentium)";
	case X86_INS_RDTSC: case X86_INS_RDTSCP: case X86_INS_RDPMC: return "rdtsc/rdpmc (Pentium)";
	case X86_INS_FCOMI: case X86_INS_FCOMIP: case X86_INS_FUCOMI: case X86_INS_FUCOMIP:
		return "fcomi (P6)";
	case X86_INS_FCMOVB: case X86_INS_FCMOVBE: case X86_INS_FCMOVE: case X86_INS_FCMOVNB:
	case X86_INS_FCMOVNBE: case X86_INS_FCMOVNE: case X86_INS_FCMOVNU: case X86_INS_FCMOVU:
		return "fcmov (P6)";
	case X86_INS_SYSENTER: case X86_INS_SYSEXIT: return "sysenter (P6)";
	case X86_INS_RDRAND: case X86_INS_RDSEED: return "rdrand";
	case X86_INS_POPCNT: case X86_INS_LZCNT: case X86_INS_TZCNT: case X86_INS_MOVBE:
		return "a post-P6 integer instruction";
	default: break;
	}
	/* 0f 18..1f: prefetch hints and multi-byte NOPs (nopl), P6 and later. */
	if (x->opcode[0] == 0x0f && x->opcode[1] >= 0x18 && x->opcode[1] <= 0x1f)
		return "a 0f 18..1f hint or multi-byte NOP (P6)";
	for (uint8_t i = 0; i < in->detail->groups_count; i++) {
		uint8_t g = in->detail->groups[i];
		if (g == X86_GRP_CMOV)
			return "cmov (P6)";
		if (g == X86_GRP_MMX || g == X86_GRP_3DNOW)
			return "MMX/3DNow!";
		if (g >= X86_GRP_VM && g != X86_GRP_MODE32 && g != X86_GRP_MODE64 &&
		    g != X86_GRP_NOT64BITMODE && g != X86_GRP_16BITMODE && g != X86_GRP_FPU)
			return "SSE/AVX or a later extension";
	}
	return NULL;
}

static int allowed(const char *fn)
{
	static const char anon[] = "_ZNSt12_GLOBAL__N_1";
	if (!fn)
		return 0;
	for (size_t i = 0; i < sizeof(allowed_functions) / sizeof(*allowed_functions); i++)
		if (!strcmp(fn, allowed_functions[i]))
			return 1;
	if (strncmp(fn, anon, sizeof(anon) - 1))
		return 0;
	for (size_t i = 0; i < sizeof(allowed_anonymous) / sizeof(*allowed_anonymous); i++)
		if (!strcmp(fn + sizeof(anon) - 1, allowed_anonymous[i]))
			return 1;
	return 0;
}

static int check_i486(struct elf_file *f, const char *label, unsigned *problems)
{
	csh cs;
	if (cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK) {
		tcz_error("%s: capstone cannot start", label);
		return -1;
	}
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	cs_insn *in = cs_malloc(cs);
	size_t nf;
	struct func *fs = load_functions(f, &nf);
	unsigned shown = 0, found = 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(f->e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		size_t shstrndx;
		const char *secname = elf_getshdrstrndx(f->e, &shstrndx) ? NULL : elf_strptr(f->e, shstrndx, sh.sh_name);
		if (secname && !strcmp(secname, ".altinstr_replacement"))
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			continue;
		size_t shndx = elf_ndxscn(scn);
		const uint8_t *code = d->d_buf;
		size_t size = d->d_size;
		uint64_t addr = sh.sh_addr;
		while (size > 0) {
			if (!cs_disasm_iter(cs, &code, &size, &addr, in)) {
				code++, size--, addr++; /* data in code, or padding: skip a byte */
				continue;
			}
			const char *why = post_i486(in);
			if (!why)
				continue;
			const char *fn = func_at(fs, nf, in->address, shndx, f->eh.e_type == ET_REL);
			if (allowed(fn))
				continue;
			found++;
			if (shown < 10) {
				shown++;
				fprintf(stderr, "tcz: %s: %s %s at 0x%" PRIx64 " in %s: %s\n", label,
					in->mnemonic, in->op_str, in->address, fn ? fn : "(no symbol)", why);
			}
		}
	}
	if (found) {
		report(label, problems, "%u instruction%s newer than the i486%s", found,
		       found == 1 ? "" : "s", found > shown ? " (first 10 shown)" : "");
	}
	free(fs);
	cs_free(in, 1);
	cs_close(&cs);
	return 0;
}

int elf_check(const char *path, const char *label, const struct elf_rules *r)
{
	struct elf_file f;
	if (elf_open(&f, path))
		return -1;
	unsigned problems = 0;
	if (f.eh.e_ident[EI_CLASS] != ELFCLASS32 || f.eh.e_machine != EM_386) {
		report(label, &problems, "not a 32-bit i386 ELF file (class %u, machine %u)",
		       f.eh.e_ident[EI_CLASS], f.eh.e_machine);
		elf_close(&f);
		return (int)problems;
	}
	check_interp(&f, label, &problems);
	check_versions(&f, label, r->glibc, &problems);
	if (r->kernel)
		check_abi_note(&f, label, r->kernel, &problems);
	if (r->build_dir) {
		struct rpath_ctx rc = { label, r->build_dir, &problems };
		dynamic_strings(&f, check_rpath, &rc);
	}
	if (!r->skip_i486 && check_i486(&f, label, &problems)) {
		elf_close(&f);
		return -1;
	}
	elf_close(&f);
	return (int)problems;
}
