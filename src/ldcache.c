/* ROOT/etc/ld.so.cache in the format TCL3's glibc 2.11.1 reads.
 *
 * The reader is glibc 2.11.1's elf/dl-cache.c (_dl_load_cache_lookup) with
 * sysdeps/generic/dl-cache.h. It takes three layouts; this writes the one
 * that is simplest and that it reads as is, "only the new format" (what
 * `ldconfig -c new` writes, elf/cache.c save_cache with opt_format 2):
 *
 *   header, 48 bytes:  "glibc-ld.so.cache" "1.1", u32 nlibs, u32 len_strings,
 *                      u32 unused[5] (zero)
 *   nlibs entries, 24 bytes each: s32 flags, u32 key, u32 value,
 *                      u32 osversion, u64 hwcap
 *   strings:           key NUL value NUL, for each entry in order
 *
 * key and value are offsets from the start of the file (the header): the
 * reader takes cache_data = cache_new. key is the soname, value the path
 * the loader opens (DIR/soname). flags 3 = FLAG_ELF_LIBC6, the i386
 * default id (_DL_CACHE_DEFAULT_ID) that _dl_cache_check_flags accepts and
 * prefers; osversion 0 and hwcap 0 pass every check the reader makes.
 * The reader needs the file to be larger than the header, which it is as
 * soon as it lists one library.
 *
 * Order: the reader's binary search goes to higher indices when the name
 * sought compares below the entry (_dl_cache_libcmp < 0), so entries are
 * in descending _dl_cache_libcmp order; among equal names it takes the
 * first, so they keep the order of their directories (ld.so.conf's, then
 * /lib, /usr/lib), as ldconfig's insertion sort keeps them.
 *
 * Which libraries: what 2.11.1's ldconfig (elf/ldconfig.c search_dir)
 * lists, less what only its link making would add. In each directory,
 * every name starting with "lib" or "ld-" and containing ".so" that is (or
 * links, inside ROOT, to) an ELF32 i386 shared object, listed under its
 * own name when that is its soname (or it has none), or when it is a
 * symlink ending in ".so" that begins its target's soname (a development
 * link, "libz.so" to libz.so.1: ldconfig keeps those under their own
 * name too). ldconfig would also create a missing soname link and list
 * it; tcz makes no links, so a library whose soname has no file or link
 * is not listed (the loader could not open it either). hwcap
 * subdirectories are not searched (TCL3 has none).
 */
#include "beneath.h"
#include "companion.h"
#include "elfrules.h"
#include "ldcache.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAGIC "glibc-ld.so.cache1.1"
#define HEADER_SIZE 48
#define ENTRY_SIZE 24
#define FLAG_ELF_LIBC6 3
#define CACHE_PATH "etc/ld.so.cache"
#define CONF_PATH "etc/ld.so.conf"

struct lib {
	char *key, *value;
	size_t order; /* of discovery: directories in search order */
};

struct libs {
	struct lib *v;
	size_t n, cap;
	/* Directories already searched (ldconfig skips one seen before under
	 * another name, by device and inode). */
	struct { dev_t dev; ino_t ino; } *seen;
	size_t nseen;
};

/* glibc 2.11.1's _dl_cache_libcmp, elf/dl-cache.c: digit runs compare as
 * numbers. Callers keep digit runs to 9 digits, so no int overflows. */
static int libcmp(const char *p1, const char *p2)
{
	while (*p1 != '\0') {
		if (*p1 >= '0' && *p1 <= '9') {
			if (*p2 >= '0' && *p2 <= '9') {
				int val1 = *p1++ - '0', val2 = *p2++ - '0';
				while (*p1 >= '0' && *p1 <= '9')
					val1 = val1 * 10 + *p1++ - '0';
				while (*p2 >= '0' && *p2 <= '9')
					val2 = val2 * 10 + *p2++ - '0';
				if (val1 != val2)
					return val1 - val2;
			} else {
				return 1;
			}
		} else if (*p2 >= '0' && *p2 <= '9') {
			return -1;
		} else if (*p1 != *p2) {
			return *p1 - *p2;
		} else {
			++p1;
			++p2;
		}
	}
	return *p1 - *p2;
}

static int long_digit_run(const char *s)
{
	for (size_t run = 0; *s; s++) {
		run = isdigit((unsigned char)*s) ? run + 1 : 0;
		if (run > 9)
			return 1;
	}
	return 0;
}

/* Descending, as the reader's search expects; ties in search order. */
static int by_cache_order(const void *a, const void *b)
{
	const struct lib *x = a, *y = b;
	int c = libcmp(y->key, x->key);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* A name ldconfig looks at: "lib*" or "ld-*" with ".so" in it, not one of
 * prelink's temporaries. */
static int library_name(const char *name)
{
	size_t len = strlen(name);
	if ((strncmp(name, "lib", 3) && strncmp(name, "ld-", 3)) || !strstr(name, ".so"))
		return 0;
	if (len >= 10 && !strcmp(name + len - 10, ".#prelink#"))
		return 0;
	return !(len >= 17 && !memcmp(name + len - 17, ".#prelink#.", 11));
}

/* Listed under NAME: its soname, no soname, or a development link. */
static int listed_as_itself(const char *name, const char *soname, int is_link)
{
	if (!soname || !strcmp(soname, name))
		return 1;
	size_t len = strlen(name);
	return is_link && len >= 3 && !strcmp(name + len - 3, ".so") && !strncmp(soname, name, len);
}

/* NAME in DIR (a path as the target sees it; dirfd is it, opened). */
static int consider(struct libs *libs, int rootfd, int dirfd, const char *dir, const char *name)
{
	struct stat lst, st;
	if (fstatat(dirfd, name, &lst, AT_SYMLINK_NOFOLLOW))
		return 0;
	char *rel = xasprintf("%s/%s", dir + 1, name);
	int fd = beneath_open_in_root(rootfd, rel, O_RDONLY);
	free(rel);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		/* A dangling link, a directory: ldconfig passes over them too. */
		if (fd >= 0)
			close(fd);
		return 0;
	}
	char *soname;
	int yes = elf_i386_library(fd, &soname);
	close(fd);
	if (yes < 0)
		return -1;
	if (yes && listed_as_itself(name, soname, S_ISLNK(lst.st_mode)) && !long_digit_run(name)) {
		if (libs->n == libs->cap)
			libs->v = xrealloc(libs->v, (libs->cap = libs->cap ? 2 * libs->cap : 64) * sizeof(*libs->v));
		libs->v[libs->n].key = xstrdup(name);
		libs->v[libs->n].value = xasprintf("%s/%s", dir, name);
		libs->v[libs->n].order = libs->n;
		libs->n++;
	}
	free(soname);
	return 0;
}

static int search_dir(struct libs *libs, int rootfd, const char *dir)
{
	int fd = beneath_open_in_root(rootfd, dir + 1, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 0; /* as ldconfig: a directory that is not there is skipped */
	struct stat st;
	int listfd = fstat(fd, &st) ? -1 : openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = listfd < 0 ? NULL : fdopendir(listfd);
	int seen = 0;
	for (size_t i = 0; d && i < libs->nseen; i++)
		seen |= libs->seen[i].dev == st.st_dev && libs->seen[i].ino == st.st_ino;
	if (!d || seen) {
		if (d)
			closedir(d);
		else if (listfd >= 0)
			close(listfd);
		close(fd);
		return 0;
	}
	libs->seen = xrealloc(libs->seen, (libs->nseen + 1) * sizeof(*libs->seen));
	libs->seen[libs->nseen].dev = st.st_dev;
	libs->seen[libs->nseen++].ino = st.st_ino;
	struct path_list names = { 0 };
	struct dirent *de;
	while ((de = readdir(d)))
		if (library_name(de->d_name))
			path_list_add(&names, de->d_name);
	closedir(d);
	/* Directory order is the file system's; sorted, the cache is the same
	 * bytes for the same files. */
	path_list_sort(&names);
	int ret = 0;
	for (size_t i = 0; !ret && i < names.n; i++)
		ret = consider(libs, rootfd, fd, dir, names.v[i]);
	path_list_free(&names);
	close(fd);
	return ret;
}

/* The directories of ROOT/etc/ld.so.conf, one per line as 2.11.1's
 * parse_conf and add_dir read them: '#' starts a comment, blanks around
 * are dropped, so are trailing slashes and a "=TYPE" suffix. */
static void conf_dirs(int rootfd, const char *label, struct path_list *dirs)
{
	int fd = beneath_open_in_root(rootfd, CONF_PATH, O_RDONLY);
	char *data = NULL, *conf = xasprintf("%s/" CONF_PATH, label);
	if (fd >= 0 && read_fd(fd, conf, COMPANION_MAX, &data, NULL) == 0) {
		unsigned lineno = 0;
		for (char *line = data, *next; line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			lineno++;
			line[strcspn(line, "#")] = '\0';
			line[strcspn(line, "=")] = '\0';
			while (isspace((unsigned char)*line))
				line++;
			size_t l = strlen(line);
			while (l > 1 && (isspace((unsigned char)line[l - 1]) || line[l - 1] == '/'))
				line[--l] = '\0';
			if (!l)
				continue;
			if (!strncmp(line, "include", 7) && isblank((unsigned char)line[7]))
				tcz_warn("%s:%u: include is not followed by tcz; its directories are not in the cache",
					 conf, lineno);
			else if (!strncasecmp(line, "hwcap", 5) && isblank((unsigned char)line[5]))
				continue;
			else if (line[0] != '/')
				tcz_warn("%s:%u: '%s' is not an absolute directory; left out", conf, lineno, line);
			else
				path_list_add(dirs, line);
		}
	}
	if (fd >= 0)
		close(fd);
	free(data);
	free(conf);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* The file's bytes, libs already in cache order. */
static unsigned char *serialize(const struct libs *libs, size_t *len)
{
	size_t strings = 0;
	for (size_t i = 0; i < libs->n; i++)
		strings += strlen(libs->v[i].key) + strlen(libs->v[i].value) + 2;
	size_t head = HEADER_SIZE + libs->n * ENTRY_SIZE;
	*len = head + strings;
	unsigned char *buf = xcalloc(1, *len);
	memcpy(buf, CACHE_MAGIC, strlen(CACHE_MAGIC));
	put32(buf + 20, (uint32_t)libs->n);
	put32(buf + 24, (uint32_t)strings);
	size_t off = head;
	for (size_t i = 0; i < libs->n; i++) {
		unsigned char *e = buf + HEADER_SIZE + i * ENTRY_SIZE;
		put32(e, FLAG_ELF_LIBC6);
		for (size_t s = 0; s < 2; s++) {
			const char *str = s ? libs->v[i].value : libs->v[i].key;
			put32(e + 4 + 4 * s, (uint32_t)off);
			memcpy(buf + off, str, strlen(str) + 1);
			off += strlen(str) + 1;
		}
		/* osversion (e + 12) and hwcap (e + 16) stay zero. */
	}
	return buf;
}

int ldcache_write(int rootfd, const char *label)
{
	struct path_list dirs = { 0 };
	struct libs libs = { 0 };
	conf_dirs(rootfd, label, &dirs);
	path_list_add(&dirs, "/lib");
	path_list_add(&dirs, "/usr/lib");
	int ret = 0;
	for (size_t i = 0; !ret && i < dirs.n; i++)
		ret = search_dir(&libs, rootfd, dirs.v[i]);
	if (!ret) {
		if (libs.n)
			qsort(libs.v, libs.n, sizeof(*libs.v), by_cache_order);
		size_t len;
		unsigned char *buf = serialize(&libs, &len);
		int etc = beneath_mkdirs(rootfd, label, "etc", 0755);
		ret = etc < 0 ? -1 : beneath_write_atomic(rootfd, label, CACHE_PATH, buf, len, 0644);
		if (etc >= 0)
			close(etc);
		free(buf);
	}
	for (size_t i = 0; i < libs.n; i++) {
		free(libs.v[i].key);
		free(libs.v[i].value);
	}
	free(libs.v);
	free(libs.seen);
	path_list_free(&dirs);
	return ret;
}
