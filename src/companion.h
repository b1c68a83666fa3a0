/* Tiny Core's companion files of an extension NAME.tcz, in 3.x's formats
 * (see ../shared/TINYCORE.md for the sources):
 *   NAME.tcz.dep      one extension name per line, each ending in .tcz,
 *                     no blank lines; "-KERNEL.tcz" stands for the kernel
 *   NAME.tcz.md5.txt  md5sum's line: 32 hex digits, two spaces, NAME.tcz
 *   NAME.tcz.list     every non-directory path in the image, relative, sorted
 *   NAME.tcz.info     11 fields in order, Title first: no Tags in 3.x
 * Everyone who reads or writes these goes through here. Parsers treat their
 * input as hostile: bounded sizes, errors as FILE:LINE: cause. */
#ifndef TCZ_COMPANION_H
#define TCZ_COMPANION_H

#include <stddef.h>

enum companion_kind { COMPANION_DEP, COMPANION_INFO, COMPANION_MD5, COMPANION_LIST };

/* Largest companion file accepted: far above any real one. */
#define COMPANION_MAX (16u << 20)

struct companion_text {
	char *data;
	size_t len;
};

/* A growable list of strings (paths, extension names). */
struct path_list {
	char **v;
	size_t n, cap;
};
void path_list_add(struct path_list *l, const char *s);
void path_list_sort(struct path_list *l);
void path_list_free(struct path_list *l);

/* NAME.tcz with NAME of letters, digits and ._+- (not starting with . or -). */
int ext_name_valid(const char *name);

/* Validate text labelled `label` (a file name, for messages). -1 with a
 * message on the first problem. */
int dep_validate(const char *label, const char *data, size_t len);
/* Validate a .dep and, if names is not NULL, add its names (with .tcz). */
int dep_parse(const char *label, const char *data, size_t len, struct path_list *names);
/* title: the NAME.tcz the Title field must name, or NULL to skip that rule. */
int info_validate(const char *label, const char *data, size_t len, const char *title);
/* The md5 hex of a .md5.txt line for file `name`, into hex[33]. */
int md5txt_parse(const char *label, const char *data, size_t len, const char *name, char hex[33]);

/* ".dep", ".info", ".md5.txt", ".list" */
const char *companion_suffix(enum companion_kind kind);
/* Read FILE and validate it as `kind` (Title not yet checked). */
int companion_load(const char *path, enum companion_kind kind, struct companion_text *out);
/* IMAGE.md5.txt's text for the bytes of DATA (IMAGE, or the temporary it
 * is being written to); NULL with a message. Caller frees. */
char *companion_md5_text(const char *image, const char *data);
/* IMAGE.list's text for the paths (sorted here, byte order, as `sort` in
 * C). Caller frees. */
char *companion_list_text(struct path_list *paths, size_t *len);

#endif
