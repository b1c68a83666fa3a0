/* tcz mirror: a Tiny Core 3.x mirror tree that tce-load can use.
 *
 *   DIR/3.x/tcz -> .tcz.GENERATION   (a symlink to the current generation)
 *   DIR/3.x/.tcz.GENERATION/         NAME.tcz and its companion files, plus
 *       info.lst.gz   one NAME.tcz per line (the 3.x app browser's list)
 *       sizelist.gz   "NAME.tcz BYTES" per line (tce-size)
 *       md5.db.gz     the .md5.txt lines of every extension (tce-update)
 *
 * An update builds a new generation beside the current one - unchanged
 * files are hard links, not copies, and their md5 comes from their
 * .md5.txt, so adding one extension rehashes only that one - and then
 * switches the symlink with one rename: a client sees the old mirror or
 * the new, never a mix. `sync` copies upstream extensions with their .dep
 * closure (verified by md5, sha256 kept in DIR/tcz-sha256.lock), then
 * builds a generation the same way.
 */
#include "closure.h"
#include "download.h"
#include "shalock.h"
#include "commands.h"
#include "hash.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const companion_suffixes[] = {
	".md5.txt", ".dep", ".list", ".info", ".zsync", ".tree",
};
#define NCOMPANIONS (sizeof(companion_suffixes) / sizeof(*companion_suffixes))

/* gzip without a timestamp, through libarchive's raw writer. */
static int write_gz(const char *path, const char *data, size_t len)
{
	struct outfile of;
	if (outfile_open(&of, path, 0644))
		return -1;
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	int ok = a && e && archive_write_set_format_raw(a) == ARCHIVE_OK &&
		 archive_write_add_filter_gzip(a) == ARCHIVE_OK &&
		 archive_write_set_filter_option(a, "gzip", "timestamp", NULL) == ARCHIVE_OK &&
		 archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK &&
		 archive_write_open_fd(a, of.fd) == ARCHIVE_OK;
	if (ok) {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, (la_int64_t)len);
		ok = archive_write_header(a, e) == ARCHIVE_OK &&
		     (len == 0 || archive_write_data(a, data, len) == (la_ssize_t)len) &&
		     archive_write_close(a) == ARCHIVE_OK;
	}
	if (!ok)
		tcz_error("%s: %s", path, a ? archive_error_string(a) : "out of memory");
	if (e)
		archive_entry_free(e);
	if (a)
		archive_write_free(a);
	if (!ok || outfile_commit(&of)) {
		outfile_abort(&of);
		return -1;
	}
	return 0;
}

struct text {
	char *s;
	size_t len, cap;
};

static void text_add(struct text *t, const char *s)
{
	size_t l = strlen(s);
	if (t->len + l + 1 > t->cap) {
		t->cap = (t->len + l + 1) * 2;
		t->s = xrealloc(t->s, t->cap);
	}
	memcpy(t->s + t->len, s, l + 1);
	t->len += l;
}

/* The NAME.tcz files of a generation, sorted. */
static int list_extensions(const char *gen, struct path_list *names)
{
	DIR *d = opendir(gen);
	if (!d) {
		tcz_error("%s: %s", gen, strerror(errno));
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 4 && !strcmp(e->d_name + l - 4, ".tcz"))
			path_list_add(names, e->d_name);
	}
	closedir(d);
	path_list_sort(names);
	return 0;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether the sorted list holds s. */
static int holds(const struct path_list *sorted, const char *s)
{
	return sorted->n && bsearch(&s, sorted->v, sorted->n, sizeof(*sorted->v), by_string);
}

/* A .dep entry that names KERNEL, split around it: "ipv6-" and ".tcz". */
struct kernel_dep {
	char *before, *after;
};

/* The kernel versions a mirror holds: each K for which some extension
 * named in a .dep as BEFORE-KERNEL-AFTER is there as BEFORE-K-AFTER, with K
 * a kernel release that starts with a digit (2.6.33.3-tinycore). Reading
 * them from the names that KERNEL dependencies point to keeps other
 * versioned names (openssl-0.9.8.tcz) out. */
static void kernels_present(const struct path_list *names, const struct kernel_dep *kd, size_t nkd,
			    struct path_list *kernels)
{
	for (size_t i = 0; i < nkd; i++) {
		size_t lb = strlen(kd[i].before), la = strlen(kd[i].after);
		for (size_t j = 0; j < names->n; j++) {
			const char *n = names->v[j];
			size_t ln = strlen(n);
			if (ln <= lb + la || memcmp(n, kd[i].before, lb) || strcmp(n + ln - la, kd[i].after))
				continue;
			char *k = xasprintf("%.*s", (int)(ln - lb - la), n + lb);
			if (k[0] >= '0' && k[0] <= '9' && kernel_release_valid(k) && !holds(kernels, k)) {
				path_list_add(kernels, k);
				path_list_sort(kernels);
			}
			free(k);
		}
	}
}

/* One extension's .dep entries, and the name its .dep has for the user. */
struct dep_file {
	char *label; /* the .dep as the user knows it, for messages */
	struct path_list deps;
};

/* Where NAME's files came from: the path given on the command line for an
 * added extension, else the published mirror's. */
static char *dep_label(const char *dir, const struct path_list *add, const char *name)
{
	for (size_t i = 0; i < add->n; i++)
		if (!strcmp(path_base(add->v[i]), name))
			return xasprintf("%s.dep", add->v[i]);
	return xasprintf("%s/3.x/tcz/%s.dep", dir, name);
}

/* Every .dep entry of every extension in the generation must name an
 * extension the generation holds; KERNEL stands for each kernel version
 * present. Each miss is reported as FILE:LINE; with allow_missing (a mirror
 * layered over upstream) they are counted, not fatal. 1 on a miss, -1 on a
 * .dep that does not parse. */
static int check_closure(const char *dir, const char *gen, const struct path_list *names,
			 const struct path_list *add, int allow_missing)
{
	struct dep_file *files = xcalloc(names->n ? names->n : 1, sizeof(*files));
	struct kernel_dep *kd = NULL;
	size_t nkd = 0;
	int ret = 0;
	for (size_t i = 0; i < names->n; i++) {
		char *path = xasprintf("%s/%s.dep", gen, names->v[i]), *data;
		size_t len;
		files[i].label = dep_label(dir, add, names->v[i]);
		if (access(path, F_OK) == 0) {
			if (read_file(path, COMPANION_MAX, &data, &len) == 0) {
				if (dep_parse(files[i].label, data, len, &files[i].deps))
					ret = -1;
				free(data);
			} else {
				ret = -1;
			}
		}
		free(path);
		for (size_t j = 0; j < files[i].deps.n; j++) {
			const char *d = files[i].deps.v[j], *k = strstr(d, "KERNEL");
			if (!k)
				continue;
			kd = xrealloc(kd, (nkd + 1) * sizeof(*kd));
			kd[nkd].before = xasprintf("%.*s", (int)(k - d), d);
			kd[nkd++].after = xstrdup(k + 6);
		}
	}
	struct path_list kernels = { 0 };
	kernels_present(names, kd, nkd, &kernels);
	unsigned missing = 0;
	for (size_t i = 0; !ret && i < names->n; i++) {
		/* dep_parse allows no blank line: entry j is on line j + 1. */
		for (size_t j = 0; j < files[i].deps.n; j++) {
			const char *d = files[i].deps.v[j], *k = strstr(d, "KERNEL");
			if (!k) {
				if (holds(names, d))
					continue;
				missing++;
				if (!allow_missing)
					tcz_error("%s:%zu: %s is not in the mirror", files[i].label, j + 1, d);
				continue;
			}
			if (!kernels.n) {
				missing++;
				if (!allow_missing)
					tcz_error("%s:%zu: %s: the mirror holds it for no kernel", files[i].label,
						  j + 1, d);
			}
			for (size_t v = 0; v < kernels.n; v++) {
				char *x = xasprintf("%.*s%s%s", (int)(k - d), d, kernels.v[v], k + 6);
				if (!holds(names, x)) {
					missing++;
					if (!allow_missing)
						tcz_error("%s:%zu: %s is not in the mirror (KERNEL = %s)",
							  files[i].label, j + 1, x, kernels.v[v]);
				}
				free(x);
			}
		}
	}
	if (missing && allow_missing)
		tcz_warn("%u dependenc%s not in this mirror (allowed: --allow-missing)", missing,
			 missing == 1 ? "y is" : "ies are");
	else if (missing) {
		tcz_error("%s: %u dependenc%s missing: nothing published (--allow-missing for a mirror "
			  "layered over upstream)", dir, missing, missing == 1 ? "y" : "ies");
		ret = 1;
	}
	for (size_t i = 0; i < names->n; i++) {
		free(files[i].label);
		path_list_free(&files[i].deps);
	}
	for (size_t i = 0; i < nkd; i++) {
		free(kd[i].before);
		free(kd[i].after);
	}
	free(kd);
	free(files);
	path_list_free(&kernels);
	return ret;
}

/* The repository-wide files, from what a generation holds (names sorted). */
static int write_indexes(const char *gen, const struct path_list *names_in)
{
	const struct path_list names = *names_in;
	struct text info = { 0 }, sizes = { 0 }, md5s = { 0 };
	text_add(&info, "");
	text_add(&sizes, "");
	text_add(&md5s, "");
	int ret = 0;
	for (size_t i = 0; !ret && i < names.n; i++) {
		char *path = path_join(gen, names.v[i]);
		char *md5path = xasprintf("%s.md5.txt", path), *data = NULL, hex[33];
		struct stat st;
		size_t len;
		if (stat(path, &st) || read_file(md5path, COMPANION_MAX, &data, &len) ||
		    md5txt_parse(md5path, data, len, names.v[i], hex)) {
			tcz_error("%s: unusable (%s)", names.v[i], errno ? strerror(errno) : "see above");
			ret = -1;
		} else {
			char *line = xasprintf("%s\n", names.v[i]);
			text_add(&info, line);
			free(line);
			line = xasprintf("%s %lld\n", names.v[i], (long long)st.st_size);
			text_add(&sizes, line);
			free(line);
			line = xasprintf("%s  %s\n", hex, names.v[i]);
			text_add(&md5s, line);
			free(line);
		}
		free(data);
		free(md5path);
		free(path);
	}
	const char *files[] = { "info.lst.gz", "sizelist.gz", "md5.db.gz" };
	struct text *texts[] = { &info, &sizes, &md5s };
	for (size_t i = 0; !ret && i < 3; i++) {
		char *p = path_join(gen, files[i]);
		ret = write_gz(p, texts[i]->s, texts[i]->len);
		free(p);
	}
	free(info.s);
	free(sizes.s);
	free(md5s.s);
	return ret;
}

static int is_index(const char *name)
{
	return !strcmp(name, "info.lst.gz") || !strcmp(name, "sizelist.gz") || !strcmp(name, "md5.db.gz");
}

/* The extension a file in a generation belongs to ("x.tcz.dep" -> "x.tcz"). */
static char *owner_of(const char *file)
{
	const char *t = strstr(file, ".tcz");
	while (t && t[4] && t[4] != '.')
		t = strstr(t + 1, ".tcz");
	return t ? xasprintf("%.*s", (int)(t - file + 4), file) : NULL;
}

/* The current generation's name ("" when there is none yet) from the link;
 * anything but a symlink there is not ours to replace. */
static int current_generation(const char *genlink, char *old, size_t size)
{
	struct stat st;
	if (lstat(genlink, &st) == 0 && !S_ISLNK(st.st_mode)) {
		tcz_error("%s: exists and is not the generation link tcz mirror manages", genlink);
		return -1;
	}
	ssize_t n = readlink(genlink, old, size - 1);
	old[n > 0 ? n : 0] = '\0';
	return 0;
}

/* What a killed build left: its generation, its link temporary. The
 * current generation stays, whoever made it. */
static void remove_killed_builds(const char *base, const char *old)
{
	int basefd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (basefd < 0)
		return;
	remove_stale_at(basefd, ".tcz.", ".", 1, old);
	remove_stale_at(basefd, "tcz.tmp.", NULL, 1, NULL);
	close(basefd);
}

/* Whether FILE of the current generation belongs to an extension being
 * replaced (one of ADD's names) or removed (DROP). */
static int is_replaced(const char *file, const struct path_list *add, const struct path_list *drop)
{
	char *owner = owner_of(file);
	int hit = 0;
	for (size_t i = 0; owner && !hit && i < add->n; i++)
		hit = !strcmp(owner, path_base(add->v[i]));
	for (size_t i = 0; owner && !hit && i < drop->n; i++)
		hit = !strcmp(owner, drop->v[i]);
	free(owner);
	return hit;
}

/* Every file of the current generation OLDDIR that stays, into GEN: hard
 * links, so an unchanged extension costs neither a copy nor a hash. The
 * indexes are written anew. A link to a generation that is gone (removed
 * by hand) leaves nothing to keep, not a mirror that cannot be rebuilt. */
static int link_unchanged(const char *olddir, const char *gen, const struct path_list *add,
			  const struct path_list *drop)
{
	DIR *d = opendir(olddir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		tcz_error("%s: %s", olddir, strerror(errno));
		return -1;
	}
	int ret = 0;
	struct dirent *e;
	errno = 0;
	while (!ret && (e = readdir(d))) {
		if (e->d_name[0] == '.' || is_index(e->d_name) || is_replaced(e->d_name, add, drop)) {
			errno = 0;
			continue;
		}
		char *from = path_join(olddir, e->d_name), *to = path_join(gen, e->d_name);
		if (link(from, to) && copy_file(from, to, 0644))
			ret = -1;
		free(from);
		free(to);
		errno = 0;
	}
	if (!ret && errno) {
		tcz_error("%s: reading directory: %s", olddir, strerror(errno));
		ret = -1;
	}
	closedir(d);
	return ret;
}

/* An added extension's md5 (ACTUAL, computed) must be what its .md5.txt
 * says: a mirror publishes both, and tce-load refuses a mismatch. */
static int check_md5txt(const char *src, const char *actual)
{
	char *md5path = xasprintf("%s.md5.txt", src), *data = NULL, hex[33];
	size_t len;
	int ret = -1;
	if (read_file(md5path, COMPANION_MAX, &data, &len) ||
	    md5txt_parse(md5path, data, len, path_base(src), hex))
		goto out;
	if (strcmp(hex, actual)) {
		tcz_error("%s: md5 %s does not match its .md5.txt (%s): not added", src, actual, hex);
		goto out;
	}
	ret = 0;
out:
	free(data);
	free(md5path);
	return ret;
}

/* SRC (NAME.tcz) and the companions beside it into GEN. Hard links where
 * the file system allows: tcbuild replaces files by rename, never in
 * place, so a link is as safe as a copy. */
static int add_extension(const char *gen, const char *src)
{
	const char *name = path_base(src);
	char *to = path_join(gen, name);
	int ret = link(src, to) ? copy_file(src, to, 0644) : 0;
	free(to);
	/* A companion that is not there (or a symlink to nothing) is not
	 * linked: ENOENT, one call where access() and link() were two. */
	for (size_t c = 0; !ret && c < NCOMPANIONS; c++) {
		char *from = xasprintf("%s%s", src, companion_suffixes[c]);
		char *cto = xasprintf("%s/%s%s", gen, name, companion_suffixes[c]);
		if (linkat(AT_FDCWD, from, AT_FDCWD, cto, AT_SYMLINK_FOLLOW) && errno != ENOENT)
			ret = copy_file(from, cto, 0644);
		free(from);
		free(cto);
	}
	return ret;
}

/* The extensions being added, each checked against its .md5.txt first. The
 * one hash an update computes: these files, on every core. */
static int add_extensions(const char *gen, const struct path_list *add)
{
	char (*actual)[HASH_HEX_MAX] = xcalloc(add->n ? add->n : 1, sizeof(*actual));
	int ret = hash_files_hex(add->v, add->n, HASH_MD5, actual) ? -1 : 0;
	for (size_t i = 0; !ret && i < add->n; i++)
		ret = check_md5txt(add->v[i], actual[i]) ? -1 : add_extension(gen, add->v[i]);
	free(actual);
	return ret;
}

/* The dependency check and the indexes, over what GEN now holds. 1 when
 * the check failed. */
static int check_and_index(const char *dir, const char *gen, const struct path_list *add,
			   int allow_missing)
{
	struct path_list names = { 0 };
	int ret = list_extensions(gen, &names);
	if (!ret)
		ret = check_closure(dir, gen, &names, add, allow_missing);
	if (!ret)
		ret = write_indexes(gen, &names);
	path_list_free(&names);
	return ret;
}

/* Point GENLINK at GENNAME with one rename: a client sees the old
 * generation or the new one, never neither. */
static int switch_generation(const char *genlink, const char *genname)
{
	char *tmp = xasprintf("%s.tmp.%ld", genlink, (long)getpid());
	int ret = 0;
	unlink(tmp);
	if (symlink(genname, tmp) || rename(tmp, genlink)) {
		tcz_error("%s: switching to the new generation: %s", genlink, strerror(errno));
		unlink(tmp);
		ret = -1;
	}
	free(tmp);
	return ret;
}

/* Build a new generation of DIR from the current one, minus `drop`, plus
 * the extension files `add` (paths to NAME.tcz, companions beside them),
 * check its dependency closure, and switch to it. 0, -1 on failure, 1 when
 * the closure check failed (nothing switched either way). */
static int mirror_update(const char *dir, const struct path_list *add, const struct path_list *drop,
			 int allow_missing)
{
	char *base = xasprintf("%s/3.x", dir);
	char *genlink = path_join(base, "tcz");
	char *genname = NULL, *gen = NULL, *olddir = NULL;
	char old[256];
	int ret = -1;
	/* DIR and DIR/3.x, made if missing. */
	if (make_dir(dir, 0755) || make_dir(base, 0755) || current_generation(genlink, old, sizeof(old)))
		goto out_paths;
	remove_killed_builds(base, old);
	genname = xasprintf(".tcz.%ld.%ld", (long)time(NULL), (long)getpid());
	gen = path_join(base, genname);
	if (mkdir(gen, 0755)) {
		tcz_error("%s: %s", gen, strerror(errno));
		goto out_gen;
	}
	olddir = path_join(base, old);
	ret = *old ? link_unchanged(olddir, gen, add, drop) : 0;
	if (!ret)
		ret = add_extensions(gen, add);
	if (!ret)
		ret = check_and_index(dir, gen, add, allow_missing);
	if (!ret)
		ret = switch_generation(genlink, genname);
	/* Whichever generation is not current now goes. */
	if (ret)
		remove_tree(gen);
	else if (*old)
		remove_tree(olddir);
	free(olddir);
out_gen:
	free(gen);
	free(genname);
out_paths:
	free(genlink);
	free(base);
	return ret;
}

struct build_args {
	const char *dir;
	struct path_list add, drop;
	int allow_missing;
};

/* -1 to go on, else the exit status (of --help or a wrong command line);
 * the lists are the caller's to free either way. */
static int parse_build_args(int argc, char **argv, struct build_args *a)
{
	static const struct option longopts[] = {
		{ "remove", required_argument, NULL, 'r' },
		{ "allow-missing", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': {
			size_t l = strlen(optarg);
			char *n = l > 4 && !strcmp(optarg + l - 4, ".tcz") ? xstrdup(optarg) : xasprintf("%s.tcz", optarg);
			int valid = ext_name_valid(n);
			if (valid)
				path_list_add(&a->drop, n);
			free(n);
			if (!valid)
				return tcz_usage_error("mirror", "--remove %s: not an extension name", optarg);
			break;
		}
		case 'A': a->allow_missing = 1; break;
		case 'h':
			fputs("Usage: tcz mirror build DIR [--remove NAME]... [--allow-missing] [EXT.tcz]...\n"
			      "Add extensions (with the companion files beside them) to the mirror\n"
			      "DIR/3.x/tcz/, or remove them, and rewrite info.lst.gz, sizelist.gz and\n"
			      "md5.db.gz. The new state is built beside and switched in at once, once\n"
			      "every .dep entry of every extension it holds names an extension it holds.\n"
			      "KERNEL in an entry stands for each kernel version the mirror has such\n"
			      "extensions for (ipv6-2.6.33.3-tinycore.tcz for ipv6-KERNEL.tcz).\n\n"
			      "      --remove NAME     drop NAME.tcz and its companion files\n"
			      "      --allow-missing   a mirror layered over upstream: dependencies it\n"
			      "                        does not hold are counted, not an error\n"
			      "  -h, --help            this help\n\n"
			      "Exit status: 0 switched, 1 failed, 2 wrong command line, 3 a .dep names an\n"
			      "extension the mirror does not hold (each printed as FILE:LINE); on 1 and\n"
			      "3 the mirror is left as it was.\n", stdout);
			return TCZ_EXIT_OK;
		default: return tcz_usage_error("mirror", "unknown option");
		}
	}
	if (optind >= argc)
		return tcz_usage_error("mirror", "build: no mirror directory given");
	a->dir = argv[optind++];
	for (int i = optind; i < argc; i++) {
		if (!ext_name_valid(path_base(argv[i])))
			return tcz_usage_error("mirror", "%s: not a NAME.tcz file", argv[i]);
		path_list_add(&a->add, argv[i]);
	}
	return -1;
}

static int cmd_mirror_build(int argc, char **argv)
{
	struct build_args a = { 0 };
	int ret = parse_build_args(argc, argv, &a);
	if (ret >= 0)
		goto out;
	ret = mirror_update(a.dir, &a.add, &a.drop, a.allow_missing);
	if (!ret)
		printf("%s/3.x/tcz: %zu added, %zu removed\n", a.dir, a.add.n, a.drop.n);
	ret = ret > 0 ? TCZ_EXIT_CHECK : ret ? TCZ_EXIT_FAIL : TCZ_EXIT_OK;
out:
	path_list_free(&a.add);
	path_list_free(&a.drop);
	return ret;
}

/* Upstream sizes from its sizelist.gz, for --dry-run; -1 if unknown. */
static long long upstream_size(const char *sizelist, size_t len, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = sizelist; p && p < sizelist + len;) {
		const char *e = memchr(p, '\n', (size_t)(sizelist + len - p));
		if ((size_t)(e ? e - p : sizelist + len - p) > nl && !memcmp(p, name, nl) && p[nl] == ' ')
			return atoll(p + nl + 1);
		p = e ? e + 1 : NULL;
	}
	return -1;
}

static char *read_gz(const char *path, size_t *len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t cap = 1 << 16;
	char *buf = NULL;
	la_ssize_t n = 0;
	*len = 0;
	if (!a) {
		tcz_warn("%s: out of memory; sizes unknown", path);
		return NULL;
	}
	archive_read_support_filter_gzip(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK)
		goto out_error;
	buf = xmalloc(cap);
	while ((n = archive_read_data(a, buf + *len, cap - *len)) > 0) {
		*len += (size_t)n;
		if (*len < cap)
			continue;
		if (cap >= (size_t)COMPANION_MAX) {
			tcz_warn("%s: more than %u bytes inflated; sizes unknown", path, COMPANION_MAX);
			goto out_partial;
		}
		buf = xrealloc(buf, cap *= 2);
	}
	if (n < 0)
		goto out_error;
	archive_read_free(a);
	return buf;

	/* A sizelist read in part would give wrong sizes, not fewer. */
out_error:
	tcz_warn("%s: %s; sizes unknown", path, archive_error_string(a) ? archive_error_string(a) : "unreadable");
out_partial:
	free(buf);
	*len = 0;
	archive_read_free(a);
	return NULL;
}

/* Every extension of the closure into STAGE, -j at a time: each checked
 * against upstream's md5 and against LOCK's sha256 once it has one (the
 * first sync records it), with its .list and .info when upstream has them
 * (.md5.txt and .dep were fetched while resolving). */
static int sync_fetch(const struct mirror *m, const char *stage, const char *lock,
		      const struct path_list *order, const struct path_list *md5s, int jobs)
{
	static const char *const optional[] = { ".list", ".info" };
	size_t per = 1 + sizeof(optional) / sizeof(*optional), n = order->n * per;
	struct dl_item *items = xcalloc(n ? n : 1, sizeof(*items));
	int *locked = xcalloc(order->n ? order->n : 1, sizeof(*locked)), ret = 0;
	for (size_t i = 0; !ret && i < order->n; i++) {
		const char *name = order->v[i];
		struct dl_item *ext = &items[i * per];
		char sha[HASH_HEX_MAX];
		if (shalock_lookup(lock, name, sha, &locked[i])) {
			ret = -1;
			break;
		}
		for (size_t s = 0; s < per; s++) {
			char *file = xasprintf("%s%s", name, s ? optional[s - 1] : "");
			mirror_item(m, &ext[s], stage, file);
			/* .list and .info: optional, and nothing verifies them. */
			ext[s].missing_ok = s > 0;
			ext[s].max_size = s > 0 ? COMPANION_MAX : 0;
			free(file);
		}
		dl_want(ext, HASH_MD5, md5s->v[i]);
		if (locked[i])
			dl_want(ext, HASH_SHA256, sha);
	}
	if (!ret)
		dl_run(items, n, jobs, 1);
	for (size_t i = 0; !ret && i < n; i++) {
		enum dl_result r = items[i].result;
		/* The engine has said why. */
		if (r != DL_OK && !(items[i].missing_ok && r == DL_NOT_FOUND))
			ret = -1;
	}
	for (size_t i = 0; !ret && i < order->n; i++)
		if (!locked[i] && shalock_record(lock, order->v[i], items[i * per].sha256))
			ret = -1;
	for (size_t i = 0; i < n; i++)
		if (items[i].dest)
			dl_free(&items[i]);
	free(items);
	free(locked);
	return ret;
}

struct sync_args {
	const char *from, *to, *kernel;
	char **names;
	size_t nnames;
	int dry, jobs, allow_missing;
};

/* -1 to go on, else the exit status (of --help or a wrong command line). */
static int parse_sync_args(int argc, char **argv, struct sync_args *a)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "allow-missing", no_argument, NULL, 'A' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	*a = (struct sync_args){ .kernel = TCZ_DEFAULT_KERNEL, .jobs = 4 };
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': a->from = optarg; break;
		case 't': a->to = optarg; break;
		case 'k': a->kernel = optarg; break;
		case 'n': a->dry = 1; break;
		case 'A': a->allow_missing = 1; break;
		case 'j':
			a->jobs = atoi(optarg);
			if (a->jobs < 1 || a->jobs > 32)
				return tcz_usage_error("mirror", "-j 1 to 32");
			break;
		case 'h':
			fputs("Usage: tcz mirror sync --from URL --to DIR [OPTION]... NAME...\n"
			      "Copy upstream extensions and their whole .dep closure (KERNEL replaced)\n"
			      "into the mirror DIR, each verified against its .md5.txt, its sha256\n"
			      "recorded in DIR/tcz-sha256.lock and enforced on later syncs. Interrupted\n"
			      "downloads resume. Then DIR's indexes are rebuilt as by `mirror build`,\n"
			      "which checks every extension's dependencies.\n\n"
			      "      --from URL    upstream mirror base (extensions in URL/3.x/tcz/)\n"
			      "      --to DIR      the local mirror\n"
			      "      --kernel VER  for -KERNEL.tcz dependencies: a kernel release, letters,\n"
			      "                    digits and ._+- (default " TCZ_DEFAULT_KERNEL ")\n"
			      "      --dry-run     list what would be fetched, with sizes from upstream's\n"
			      "                    sizelist.gz, and the total; fetch no extension\n"
			      "      --allow-missing  as for mirror build\n"
			      "  -j, --jobs N      parallel downloads (default 4)\n\n"
			      "Exit status as for mirror build.\n", stdout);
			return TCZ_EXIT_OK;
		default: return tcz_usage_error("mirror", "unknown option");
		}
	}
	if (!a->from || !a->to)
		return tcz_usage_error("mirror", "sync: --from and --to are required");
	if (!kernel_release_valid(a->kernel))
		return tcz_usage_error("mirror", "--kernel '%.*s': not a kernel release (letters, digits, "
				       "._+-, not starting with . or -, at most %d bytes)",
				       TCZ_KERNEL_RELEASE_MAX, a->kernel, TCZ_KERNEL_RELEASE_MAX);
	if (optind >= argc)
		return tcz_usage_error("mirror", "sync: no extension named");
	a->names = argv + optind;
	a->nnames = (size_t)(argc - optind);
	return -1;
}

/* --dry-run: each extension of the closure with its size by upstream's
 * sizelist.gz ("?" where it says nothing), and the total. */
static void print_sync_plan(const struct mirror *m, const char *stage, const struct path_list *order)
{
	char *url = xasprintf("%s/sizelist.gz", m->tcz_base), *dest = path_join(stage, "sizelist.gz");
	size_t len = 0;
	char *sizes = dl_fetch(dest, url, NULL, 1, COMPANION_MAX) == DL_OK ? read_gz(dest, &len) : NULL;
	long long total = 0;
	int unknown = 0;
	for (size_t i = 0; i < order->n; i++) {
		long long s = sizes ? upstream_size(sizes, len, order->v[i]) : -1;
		if (s < 0)
			unknown = 1, printf("%s ?\n", order->v[i]);
		else
			total += s, printf("%s %lld\n", order->v[i], s);
	}
	printf("total %lld bytes%s\n", total, unknown ? " (plus extensions sizelist.gz does not list)" : "");
	free(sizes);
	free(url);
	free(dest);
}

/* Fetch the closure into STAGE and publish it as a new generation of TO;
 * STAGE goes once it is published. As mirror_update: 0, -1, or 1. */
static int sync_closure(const struct sync_args *a, const struct mirror *m, const char *stage,
			const struct path_list *order, const struct path_list *md5s)
{
	char *lock = path_join(a->to, "tcz-sha256.lock");
	struct path_list add = { 0 }, none = { 0 };
	int ret = sync_fetch(m, stage, lock, order, md5s, a->jobs);
	if (ret)
		goto out;
	for (size_t i = 0; i < order->n; i++) {
		char *p = path_join(stage, order->v[i]);
		path_list_add(&add, p);
		free(p);
	}
	ret = mirror_update(a->to, &add, &none, a->allow_missing);
	if (ret)
		goto out;
	printf("%s: %zu extensions synced\n", a->to, order->n);
	remove_tree(stage);
out:
	path_list_free(&add);
	free(lock);
	return ret;
}

static int cmd_mirror_sync(int argc, char **argv)
{
	struct sync_args a;
	int ret = parse_sync_args(argc, argv, &a);
	if (ret >= 0)
		return ret;
	char *stage = path_join(a.to, ".sync");
	struct mirror m;
	struct path_list order = { 0 }, md5s = { 0 };
	/* DIR, and DIR/.sync where downloads in progress live, so that an
	 * interrupted sync resumes. */
	ret = make_dir(a.to, 0755) || make_dir(stage, 0755) ? -1 : 0;
	if (ret)
		goto out_stage;
	mirror_init(&m, a.from, stage);
	ret = closure_resolve(&m, a.kernel, a.names, a.nnames, &order, &md5s);
	if (ret)
		goto out_closure;
	if (a.dry)
		print_sync_plan(&m, stage, &order);
	else
		ret = sync_closure(&a, &m, stage, &order, &md5s);
out_closure:
	path_list_free(&order);
	path_list_free(&md5s);
	mirror_free(&m);
out_stage:
	free(stage);
	return ret > 0 ? TCZ_EXIT_CHECK : ret ? TCZ_EXIT_FAIL : TCZ_EXIT_OK;
}

int cmd_mirror(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "build"))
		return cmd_mirror_build(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "sync"))
		return cmd_mirror_sync(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs("Usage: tcz mirror build|sync ...\n"
		      "A Tiny Core 3.x mirror tree that tce-load can use (/opt/tcemirror):\n"
		      "  tcz mirror build DIR [--remove NAME]... [--allow-missing] [EXT.tcz]...\n"
		      "  tcz mirror sync --from URL --to DIR [--kernel VER] [--dry-run] [--allow-missing]\n"
		      "                  [-j N] NAME...\n"
		      "'tcz mirror build --help' and 'tcz mirror sync --help' tell more.\n", stdout);
		return TCZ_EXIT_OK;
	}
	return tcz_usage_error("mirror", "want 'build' or 'sync'");
}
