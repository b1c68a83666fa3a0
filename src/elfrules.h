/* The ELF rules a binary for Tiny Core 3.x must meet, on one file, read
 * with libelf and disassembled with capstone:
 *   32-bit i386; executables ask for /lib/ld-linux.so.2;
 *   no instruction newer than the i486 outside a short allow-list;
 *   no GLIBC_x.y symbol version newer than the target's glibc;
 *   no GLIBCXX_, CXXABI_ or GCC_ version newer than TCL3's C++ runtime
 *   (gcc 4.4.3's libstdc++.so.6.0.13 and libgcc_s.so.1);
 *   no ELF ABI note naming a kernel newer than the target's;
 *   no RPATH/RUNPATH into the build tree. */
#ifndef TCZ_ELFRULES_H
#define TCZ_ELFRULES_H

#include "companion.h"

#include <gelf.h>

struct elf_rules {
	const char *glibc;     /* "2.11"; NULL: not checked */
	const char *kernel;    /* "2.6.33"; NULL: not checked */
	const char *build_dir; /* NULL: not checked */
	int skip_i486;         /* a waiver */
};

/* A version as --glibc and --kernel take it: dotted decimal numbers
 * ("2.11", "2.6.33"), at most 8 parts of at most 9 digits each. */
int version_number_valid(const char *s);

/* An ELF file open for reading through libelf (any class, any machine). */
struct elf_file {
	int fd;
	Elf *e;
	GElf_Ehdr eh;
};
/* -1 with a message naming the file when it cannot be read as ELF. */
int elf_open(struct elf_file *f, const char *path);
void elf_close(struct elf_file *f);

/* Problems found (each printed as "tcz: LABEL: ..."), or -1 if the file
 * cannot be read as ELF at all. */
int elf_check(const char *path, const char *label, const struct elf_rules *rules);
/* DT_NEEDED entries, or the DT_SONAME (none: empty list). -1 on error. */
int elf_needed(const char *path, struct path_list *out);
int elf_soname(const char *path, struct path_list *out);
/* Whether the open file is a shared library for TCL3 (ELF32, i386, ET_DYN):
 * 1, with its DT_SONAME (NULL: none; caller frees), or 0 - quietly, as a
 * loader's cache looks at whatever a lib directory holds. -1 if libelf
 * itself fails. */
int elf_i386_library(int fd, char **soname);

#endif
