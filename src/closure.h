/* Extensions on a mirror and their .dep closure, as tce-load walks it:
 * NAME.tcz.dep lists extension names (whitespace-separated, with .tcz),
 * fetched recursively, dependencies before the extension; "KERNEL" in a
 * name stands for the running kernel (uname -r on TCL3).
 *
 * A mirror is a base URL or a directory: its extensions live in
 * BASE/3.x/tcz/. Files come through the download engine (download.h), so
 * they get the same sources, retries, resume and verification as
 * everywhere else. */
#ifndef TCZ_CLOSURE_H
#define TCZ_CLOSURE_H

#include "companion.h"
#include "download.h"

/* TCL3's kernel name, for -KERNEL.tcz when --kernel is not given. */
#define TCZ_DEFAULT_KERNEL "2.6.33.3-tinycore"

/* Linux's limit on a release name (__NEW_UTS_LEN). */
#define TCZ_KERNEL_RELEASE_MAX 64

/* A kernel release as `uname -r` prints it, which KERNEL in a dependency
 * name stands for and which therefore ends up in URLs and file names:
 * letters, digits and ._+-, not starting with '.' or '-', 1 to
 * TCZ_KERNEL_RELEASE_MAX bytes. */
int kernel_release_valid(const char *s);

struct mirror {
	char *tcz_base; /* ".../3.x/tcz", no trailing slash */
	const char *workdir; /* where .dep and .md5.txt files are fetched */
};

/* BASE is a URL (scheme://...) or a directory. */
void mirror_init(struct mirror *m, const char *base, const char *workdir);
void mirror_free(struct mirror *m);

/* Resolve names (NAME or NAME.tcz) and their dependencies into `order`
 * (NAME.tcz, each once, dependencies first) and, at the same index of
 * `md5s`, the md5 its NAME.tcz.md5.txt gives. A dependency missing from
 * the mirror or a cycle is an error naming the chain; so is a kernel that
 * is not kernel_release_valid. */
int closure_resolve(struct mirror *m, const char *kernel, char **names, size_t n,
		    struct path_list *order, struct path_list *md5s);

/* A download (dl_init'ed) of FILE from the mirror to DIR/FILE. */
void mirror_item(const struct mirror *m, struct dl_item *it, const char *dir, const char *file);

#endif
