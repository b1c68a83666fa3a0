/* tcz extract: unpack a source archive or a Tiny Core release cpio with
 * libarchive, safely. Formats: whatever libarchive reads (tar with gzip,
 * bzip2, xz, zstd, lzip; zip; cpio newc/odc, gzipped as Tiny Core's
 * core.gz).
 *
 * Archives are untrusted: absolute paths, ".." components and writes
 * through symlinks are refused (libarchive's SECURE_* flags), hard link
 * targets are checked the same way here, since they are paths too. The
 * archive lands in DIR.tmp.PID beside DIR and is renamed to DIR only when
 * every entry is in, so DIR is whole or absent.
 */
#include "commands.h"
#include "util.h"

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

static int extract_all(const char *archive_path, struct archive *in, struct archive *out, long strip)
{
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
		if (archive_entry_size(e) > 0) {
			const void *buf;
			size_t size;
			la_int64_t off;
			while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK)
				if (archive_write_data_block(out, buf, size, off) < ARCHIVE_OK) {
					tcz_error("%s: %s: %s", archive_path, name, archive_error_string(out));
					free(path);
					return -1;
				}
			if (r != ARCHIVE_EOF) {
				tcz_error("%s: %s: %s", archive_path, name, archive_error_string(in));
				free(path);
				return -1;
			}
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
	      "It is built as DIR.tmp.PID beside DIR and renamed when complete. Absolute\n"
	      "paths, '..' components, hard links leading outside and writes through\n"
	      "symlinks are refused.\n\n"
	      "Options:\n"
	      "  -C, --directory DIR       where to extract (required)\n"
	      "      --strip-components N  drop the first N path components\n"
	      "      --same-owner          restore owners (default: the caller owns all)\n"
	      "  -h, --help                this help\n", out);
}

int cmd_extract(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "strip-components", required_argument, NULL, 'S' },
		{ "same-owner", no_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	long strip = 0;
	int same_owner = 0, c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "C:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'O': same_owner = 1; break;
		case 'S': {
			char *end;
			strip = strtol(optarg, &end, 10);
			if (*end || strip < 0 || strip > 64)
				return tcz_usage_error("extract", "--strip-components '%s': want 0 to 64", optarg);
			break;
		}
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("extract", "unknown option");
		}
	}
	if (!dir)
		return tcz_usage_error("extract", "-C DIR is required");
	if (optind != argc - 1)
		return tcz_usage_error("extract", "want exactly one archive");
	const char *archive_path = argv[optind];
	struct stat st;
	if (lstat(dir, &st) == 0) {
		tcz_error("%s: already exists; extract into a new directory", dir);
		return TCZ_EXIT_FAIL;
	}

	char *tmp = xasprintf("%s.tmp.%ld", dir, (long)getpid());
	int status = TCZ_EXIT_FAIL, cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct archive *in = archive_read_new(), *out = archive_write_disk_new();
	if (cwd < 0 || !in || !out) {
		tcz_error("%s: cannot start: %s", archive_path, strerror(errno));
		goto out;
	}
	archive_read_support_filter_all(in);
	archive_read_support_format_all(in);
	int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
		    ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
	if (same_owner)
		flags |= ARCHIVE_EXTRACT_OWNER;
	archive_write_disk_set_options(out, flags);
	archive_write_disk_set_standard_lookup(out);
	if (archive_read_open_filename(in, archive_path, 1 << 16) != ARCHIVE_OK) {
		tcz_error("%s: %s", archive_path, archive_error_string(in));
		goto out;
	}
	if (mkdir(tmp, 0755)) {
		tcz_error("%s: %s", tmp, strerror(errno));
		goto out;
	}
	/* Entry paths stay relative (NOABSOLUTEPATHS), so work from inside. */
	if (chdir(tmp)) {
		tcz_error("%s: %s", tmp, strerror(errno));
		goto out;
	}
	int ret = extract_all(archive_path, in, out, strip);
	if (archive_write_close(out) != ARCHIVE_OK && !ret) {
		tcz_error("%s: finishing: %s", archive_path, archive_error_string(out));
		ret = -1;
	}
	if (fchdir(cwd)) {
		tcz_perror("returning to the working directory");
		ret = -1;
	}
	if (!ret && rename(tmp, dir)) {
		tcz_error("%s: %s", dir, strerror(errno));
		ret = -1;
	}
	if (!ret)
		status = TCZ_EXIT_OK;
out:
	if (status != TCZ_EXIT_OK)
		remove_tree(tmp);
	if (in)
		archive_read_free(in);
	if (out)
		archive_write_free(out);
	if (cwd >= 0)
		close(cwd);
	free(tmp);
	return status;
}
