/* tcz extract: unpack a source archive or a Tiny Core release cpio with
 * libarchive, safely. Formats: whatever libarchive reads (tar with gzip,
 * bzip2, xz, zstd, lzip; zip; cpio newc/odc, gzipped as Tiny Core's
 * core.gz).
 *
 * Archives are untrusted: absolute paths, ".." components and writes
 * through symlinks are refused (libarchive's SECURE_* flags), hard link
 * targets are checked the same way here, since they are paths too. The
 * archive lands in DIR.tmp.PID beside DIR and is renamed to DIR only when
 * every entry is in, so DIR is whole or absent; what a killed extract of
 * the same DIR left is removed first.
 *
 * Output is bounded (--max-size): a few KB of gzip can inflate to any
 * size. Sources never need device nodes or setuid/setgid bits, and an
 * untrusted tarball extracted as root would create them: both are dropped
 * unless --keep-special is given, and a warning says how many.
 */
#include "commands.h"
#include "decode.h"
#include "util.h"

#include <limits.h>
#include <archive.h>
#include <archive_entry.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Drop n leading components; NULL when nothing is left. "./" counts not. */
static const char *strip_components(const char *path, long n)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	for (; n > 0; n--) {
		const char *slash = strchr(path, '/');
		if (!slash)
			return NULL;
		path = slash + 1;
		while (*path == '/')
			path++;
	}
	return *path ? path : NULL;
}

/* A path that stays inside: relative, no ".." component. */
static int safe_relative(const char *p)
{
	if (p[0] == '/')
		return 0;
	for (const char *c = p; *c;) {
		size_t l = strcspn(c, "/");
		if (l == 2 && c[0] == '.' && c[1] == '.')
			return 0;
		c += l;
		while (*c == '/')
			c++;
	}
	return 1;
}

struct extraction {
	const char *archive;
	long strip;
	long long max;          /* bytes of files, holes included */
	long long written;      /* by the entries done */
	int keep_special;
	unsigned long devices, setids; /* dropped */
};

static int too_big(const struct extraction *x, const char *name, long long more)
{
	if (more <= x->max - x->written)
		return 0;
	char limit[16];
	human_size((unsigned long long)x->max, limit);
	tcz_error("%s: %s: the files would come to more than %s (--max-size or TCZ_MAX_SIZE): "
		  "stopped, nothing kept", x->archive, name, limit);
	return 1;
}

/* Device nodes are not extracted, setuid/setgid bits are cleared; 1 if
 * the entry is to be skipped. */
static int drop_special(struct extraction *x, struct archive_entry *e)
{
	if (x->keep_special)
		return 0;
	unsigned type = archive_entry_filetype(e);
	if (type == AE_IFCHR || type == AE_IFBLK) {
		x->devices++;
		return 1;
	}
	mode_t perm = archive_entry_perm(e);
	if (perm & (S_ISUID | S_ISGID)) {
		archive_entry_set_perm(e, perm & ~(mode_t)(S_ISUID | S_ISGID));
		x->setids++;
	}
	return 0;
}

/* The entry's data; its apparent size (holes count) within the limit. */
static int copy_data(struct extraction *x, struct archive *in, struct archive *out, const char *name)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	long long end = 0;
	int r;
	while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK) {
		if (off < 0 || (unsigned long long)off + size > LLONG_MAX || too_big(x, name, off + (long long)size))
			return -1;
		if (archive_write_data_block(out, buf, size, off) < ARCHIVE_OK) {
			tcz_error("%s: %s: %s", x->archive, name, archive_error_string(out));
			return -1;
		}
		if (off + (long long)size > end)
			end = off + (long long)size;
	}
	if (r != ARCHIVE_EOF) {
		tcz_error("%s: %s: %s", x->archive, name, archive_error_string(in));
		return -1;
	}
	x->written += end;
	return 0;
}

static int extract_all(struct extraction *x, struct archive *in, struct archive *out)
{
	const char *archive_path = x->archive;
	long strip = x->strip;
	struct archive_entry *e;
	int r;
	unsigned long count = 0;
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		if (!name) {
			tcz_error("%s: entry %lu has no name", archive_path, count + 1);
			return -1;
		}
		if (!safe_relative(name)) {
			tcz_error("%s: %s: absolute path or '..' component, refused", archive_path, name);
			return -1;
		}
		const char *stripped = strip_components(name, strip);
		if (!stripped)
			continue;
		char *path = xstrdup(stripped);
		archive_entry_copy_pathname(e, path);
		const char *hl = archive_entry_hardlink(e);
		if (hl) {
			const char *hs = safe_relative(hl) ? strip_components(hl, strip) : NULL;
			if (!hs) {
				tcz_error("%s: %s: hard link to '%s' leads outside, refused", archive_path, name, hl);
				free(path);
				return -1;
			}
			char *h = xstrdup(hs);
			archive_entry_copy_hardlink(e, h);
			free(h);
		}
		if (drop_special(x, e)) {
			free(path);
			continue;
		}
		/* What the header declares is refused before a byte is read. */
		if (too_big(x, name, archive_entry_size(e))) {
			free(path);
			return -1;
		}
		r = archive_write_header(out, e);
		/* A warning (say, a hard link to itself, which GNU tar also
		 * skips) is reported; refusals and failures stop everything. */
		if (r == ARCHIVE_WARN)
			tcz_warn("%s: %s: %s", archive_path, name, archive_error_string(out));
		else if (r < ARCHIVE_OK) {
			tcz_error("%s: %s: %s", archive_path, name, archive_error_string(out));
			free(path);
			return -1;
		}
		/* A zip written as a stream gives sizes only after the data. */
		if ((!archive_entry_size_is_set(e) || archive_entry_size(e) > 0) && copy_data(x, in, out, name)) {
			free(path);
			return -1;
		}
		if (archive_write_finish_entry(out) < ARCHIVE_WARN) {
			tcz_error("%s: %s: %s", archive_path, name, archive_error_string(out));
			free(path);
			return -1;
		}
		free(path);
		count++;
	}
	if (r != ARCHIVE_EOF) {
		tcz_error("%s: %s", archive_path, archive_error_string(in));
		return -1;
	}
	if (count == 0) {
		tcz_error("%s: no entries%s", archive_path, strip ? " left after --strip-components" : "");
		return -1;
	}
	return 0;
}

static void usage(FILE *out)
{
	fputs("Usage: tcz extract ARCHIVE -C DIR [OPTION]...\n"
	      "Extract ARCHIVE (tar with gzip/bzip2/xz/zstd/lzip, zip, cpio newc/odc,\n"
	      "gzipped cpio such as Tiny Core's core.gz) into DIR, which must not exist.\n"
	      "It is built as DIR.tmp.PID beside DIR and renamed when complete; what a\n"
	      "killed extract into DIR left is removed first. Absolute paths, '..'\n"
	      "components, hard links leading outside and writes through symlinks are\n"
	      "refused. Device nodes are dropped and setuid/setgid bits cleared (sources\n"
	      "need neither), with a warning that counts them.\n\n"
	      "Options:\n"
	      "  -C, --directory DIR       where to extract (required)\n"
	      "      --strip-components N  drop the first N path components\n"
	      "      --same-owner          restore owners (default: the caller owns all)\n"
	      "      --keep-special        keep device nodes and setuid/setgid bits\n"
	      "      --max-size SIZE       stop, keeping nothing, when the files would come to\n"
	      "                            more than SIZE bytes (K, M, G; holes count; 0: no\n"
	      "                            limit; default $TCZ_MAX_SIZE, else " TCZ_DEFAULT_MAX_SIZE ")\n"
	      "  -h, --help                this help\n", out);
}

/* DIR without trailing slashes; "" for a DIR that is only slashes. */
static char *trim_slashes(const char *dir)
{
	size_t l = strlen(dir);
	while (l > 0 && dir[l - 1] == '/')
		l--;
	return xasprintf("%.*s", (int)l, dir);
}

/* DIR.tmp.PID of extracts into DIR that were killed. */
static void remove_stale_extractions(const char *dir)
{
	const char *base = path_base(dir);
	char *parent = base > dir ? xasprintf("%.*s", (int)(base - dir), dir) : xstrdup(".");
	char *prefix = xasprintf("%s.tmp.", base);
	int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		remove_stale_at(fd, prefix, NULL, 1, NULL);
		close(fd);
	}
	free(prefix);
	free(parent);
}

struct extract_args {
	const char *dir;
	int same_owner;
};

/* -1 to go on, else the exit status (of --help or a wrong command line). */
static int parse_extract_args(int argc, char **argv, struct extract_args *a, struct extraction *x)
{
	static const struct option longopts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "strip-components", required_argument, NULL, 'S' },
		{ "same-owner", no_argument, NULL, 'O' },
		{ "keep-special", no_argument, NULL, 'K' },
		{ "max-size", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *max_arg = NULL;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "C:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': a->dir = optarg; break;
		case 'O': a->same_owner = 1; break;
		case 'K': x->keep_special = 1; break;
		case 'M': max_arg = optarg; break;
		case 'S': {
			char *end;
			x->strip = strtol(optarg, &end, 10);
			if (*end || x->strip < 0 || x->strip > 64)
				return tcz_usage_error("extract", "--strip-components '%s': want 0 to 64", optarg);
			break;
		}
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("extract", "unknown option");
		}
	}
	int st = size_limit("extract", max_arg, &x->max);
	if (st)
		return st;
	if (!a->dir)
		return tcz_usage_error("extract", "-C DIR is required");
	if (optind != argc - 1)
		return tcz_usage_error("extract", "want exactly one archive");
	x->archive = argv[optind];
	return -1;
}

/* DIR without trailing slashes, which must not exist; what killed
 * extracts into it left is removed. NULL with a message. */
static char *claim_destination(const char *dir_arg)
{
	char *dir = trim_slashes(dir_arg);
	struct stat sb;
	if (!*dir || lstat(dir, &sb) == 0) {
		tcz_error("%s: already exists; extract into a new directory", dir_arg);
		free(dir);
		return NULL;
	}
	remove_stale_extractions(dir);
	return dir;
}

/* The disk writer refuses what an untrusted archive must not do. */
static void set_disk_options(struct archive *out, int same_owner)
{
	int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
		    ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
	if (same_owner)
		flags |= ARCHIVE_EXTRACT_OWNER;
	archive_write_disk_set_options(out, flags);
	archive_write_disk_set_standard_lookup(out);
}

/* IN open on the archive: through DEC when it is decoded on a thread of its
 * own (compressed), else read as it is. */
static int open_archive(const struct extraction *x, struct archive *in, struct decoder *dec)
{
	archive_read_support_filter_all(in);
	archive_read_support_format_all(in);
	if ((dec ? decoder_open(dec, in) : archive_read_open_filename(in, x->archive, 1 << 16)) != ARCHIVE_OK) {
		tcz_error("%s: %s", x->archive, archive_error_string(in));
		return -1;
	}
	return 0;
}

/* Every entry into TMP, from inside it: entry paths stay relative
 * (NOABSOLUTEPATHS). Back to CWD after, whatever happened. */
static int extract_in(struct extraction *x, struct archive *in, struct archive *out, const char *tmp,
		      int cwd)
{
	if (chdir(tmp)) {
		tcz_error("%s: %s", tmp, strerror(errno));
		return -1;
	}
	int ret = extract_all(x, in, out);
	if (archive_write_close(out) != ARCHIVE_OK && !ret) {
		tcz_error("%s: finishing: %s", x->archive, archive_error_string(out));
		ret = -1;
	}
	if (fchdir(cwd)) {
		tcz_perror("returning to the working directory");
		ret = -1;
	}
	return ret;
}

static void warn_dropped(const struct extraction *x)
{
	if (x->devices || x->setids)
		tcz_warn("%s: dropped %lu device node%s and cleared setuid/setgid bits on %lu entr%s "
			 "(sources need neither; --keep-special keeps them)",
			 x->archive, x->devices, x->devices == 1 ? "" : "s", x->setids, x->setids == 1 ? "y" : "ies");
}

int cmd_extract(int argc, char **argv)
{
	struct extract_args a = { 0 };
	struct extraction x = { 0 };
	int status = parse_extract_args(argc, argv, &a, &x);
	if (status >= 0)
		return status;
	status = TCZ_EXIT_FAIL;
	char *dir = claim_destination(a.dir);
	if (!dir)
		return status;
	char *tmp = xasprintf("%s.tmp.%ld", dir, (long)getpid());
	struct archive *in = NULL, *out = NULL;
	struct decoder *dec = NULL;
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0) {
		tcz_error("%s: cannot start: %s", x.archive, strerror(errno));
		goto out_tmp;
	}
	/* A compressed archive is decoded on a thread of its own while this
	 * one writes the files; the reader on it goes first. */
	if (decoder_start(x.archive, &dec) < 0)
		goto out_cwd;
	in = archive_read_new();
	if (!in) {
		tcz_error("%s: cannot start: %s", x.archive, strerror(errno));
		goto out_dec;
	}
	out = archive_write_disk_new();
	if (!out) {
		tcz_error("%s: cannot start: %s", x.archive, strerror(errno));
		goto out_in;
	}
	set_disk_options(out, a.same_owner);
	if (open_archive(&x, in, dec))
		goto out_out;
	if (mkdir(tmp, 0755)) {
		tcz_error("%s: %s", tmp, strerror(errno));
		goto out_out;
	}
	if (extract_in(&x, in, out, tmp, cwd))
		goto out_tmpdir;
	if (rename(tmp, dir)) {
		tcz_error("%s: %s", dir, strerror(errno));
		goto out_tmpdir;
	}
	warn_dropped(&x);
	status = TCZ_EXIT_OK;
out_tmpdir:
	if (status != TCZ_EXIT_OK)
		remove_tree(tmp);
out_out:
	archive_write_free(out);
out_in:
	archive_read_free(in);
out_dec:
	decoder_free(dec);
out_cwd:
	close(cwd);
out_tmp:
	free(tmp);
	free(dir);
	return status;
}
