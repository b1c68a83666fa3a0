/* tcz cpio: a directory as a cpio "newc" archive, the format of a Linux
 * initramfs and of Tiny Core's core.gz/microcore.gz, written by libarchive.
 * Reproducible: entries sorted by path bytes, parents first, owners 0:0,
 * inode numbers given in order (not the host's), mtimes clamped to
 * SOURCE_DATE_EPOCH, no timestamp in the gzip header. Atomic output.
 *
 * --keep-owners takes each entry's owner from the file instead: run under
 * fakeroot, that is what fakeroot recorded, which is how `make image`
 * remasters a microcore.gz (tc's home, staff's /opt) without root. */
#include "commands.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cpio_writer {
	struct archive *a;
	const char *out;
	const char *src;
	long long epoch; /* -1: none */
	unsigned long ino;
	int keep_owners;
};

static int by_name(const struct dirent **x, const struct dirent **y)
{
	return strcmp((*x)->d_name, (*y)->d_name);
}

static int add_entry(struct cpio_writer *w, const char *rel, const char *full, const struct stat *st)
{
	struct archive_entry *e = archive_entry_new();
	if (!e) {
		tcz_error("%s: out of memory", w->out);
		return -1;
	}
	archive_entry_copy_pathname(e, rel);
	archive_entry_set_mode(e, st->st_mode);
	archive_entry_set_uid(e, w->keep_owners ? (la_int64_t)st->st_uid : 0);
	archive_entry_set_gid(e, w->keep_owners ? (la_int64_t)st->st_gid : 0);
	archive_entry_set_nlink(e, S_ISDIR(st->st_mode) ? 2 : 1);
	archive_entry_set_ino(e, (la_int64_t)++w->ino);
	archive_entry_set_dev(e, 0);
	time_t mt = st->st_mtime;
	if (w->epoch >= 0 && mt > w->epoch)
		mt = (time_t)w->epoch;
	archive_entry_set_mtime(e, mt, 0);
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		archive_entry_set_rdev(e, st->st_rdev);
	char target[PATH_MAX];
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlink(full, target, sizeof(target) - 1);
		if (n < 0) {
			tcz_error("%s: %s", full, strerror(errno));
			archive_entry_free(e);
			return -1;
		}
		target[n] = '\0';
		archive_entry_copy_symlink(e, target);
	}
	archive_entry_set_size(e, S_ISREG(st->st_mode) ? st->st_size : 0);
	int ret = 0;
	if (archive_write_header(w->a, e) != ARCHIVE_OK) {
		tcz_error("%s: %s: %s", w->out, rel, archive_error_string(w->a));
		ret = -1;
	}
	if (!ret && S_ISREG(st->st_mode) && st->st_size > 0) {
		int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			tcz_error("%s: %s", full, strerror(errno));
			ret = -1;
		}
		char buf[1 << 16];
		ssize_t n;
		off_t total = 0;
		while (!ret && (n = read(fd, buf, sizeof(buf))) > 0) {
			if (archive_write_data(w->a, buf, (size_t)n) != n) {
				tcz_error("%s: %s: %s", w->out, rel, archive_error_string(w->a));
				ret = -1;
			}
			total += n;
		}
		if (!ret && total != st->st_size) {
			tcz_error("%s: changed size while being archived", full);
			ret = -1;
		}
		if (fd >= 0)
			close(fd);
	}
	archive_entry_free(e);
	return ret;
}

static int add_dir(struct cpio_writer *w, const char *rel)
{
	char *full = *rel ? path_join(w->src, rel) : xstrdup(w->src);
	struct dirent **names;
	int n = scandir(full, &names, NULL, by_name);
	if (n < 0) {
		tcz_error("%s: %s", full, strerror(errno));
		free(full);
		return -1;
	}
	int ret = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (ret || !strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		char *crel = *rel ? path_join(rel, name) : xstrdup(name);
		char *cfull = path_join(w->src, crel);
		struct stat st;
		if (lstat(cfull, &st)) {
			tcz_error("%s: %s", cfull, strerror(errno));
			ret = -1;
		} else {
			ret = add_entry(w, crel, cfull, &st);
			if (!ret && S_ISDIR(st.st_mode))
				ret = add_dir(w, crel);
		}
		free(crel);
		free(cfull);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(full);
	return ret;
}

static void usage(FILE *out)
{
	fputs("Usage: tcz cpio DIR -o FILE [--gzip] [--keep-owners]\n"
	      "Write DIR's content as a cpio newc archive (an initramfs, or a Tiny Core\n"
	      "core.gz with --gzip): sorted, owned by 0:0, mtimes clamped to\n"
	      "SOURCE_DATE_EPOCH, reproducible; FILE appears whole or not at all.\n\n"
	      "  -o, --output FILE  the archive to write (required)\n"
	      "  -z, --gzip         compress with gzip (no timestamp in its header)\n"
	      "      --keep-owners  each entry's owner and group as the file has them,\n"
	      "                     not 0:0 (under fakeroot: as fakeroot recorded them)\n"
	      "  -h, --help         this help\n", out);
}

int cmd_cpio(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "gzip", no_argument, NULL, 'z' },
		{ "keep-owners", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL;
	int gzip = 0, keep_owners = 0, c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:zh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'z': gzip = 1; break;
		case 'K': keep_owners = 1; break;
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("cpio", "unknown option");
		}
	}
	if (!output)
		return tcz_usage_error("cpio", "-o FILE is required");
	if (optind != argc - 1)
		return tcz_usage_error("cpio", "want exactly one directory");
	struct cpio_writer w = { .out = output, .src = argv[optind], .epoch = -1, .keep_owners = keep_owners };
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		w.epoch = strtoll(sde, &end, 10);
		if (*end || w.epoch < 0)
			return tcz_usage_error("cpio", "SOURCE_DATE_EPOCH='%s': not a time in seconds", sde);
	}
	struct stat st;
	if (stat(w.src, &st) || !S_ISDIR(st.st_mode)) {
		tcz_error("%s: %s", w.src, errno ? strerror(errno) : "not a directory");
		return TCZ_EXIT_FAIL;
	}
	struct outfile of;
	if (outfile_open(&of, output, 0644))
		return TCZ_EXIT_FAIL;
	w.a = archive_write_new();
	int ok = w.a && archive_write_set_format_cpio_newc(w.a) == ARCHIVE_OK &&
		 (!gzip || (archive_write_add_filter_gzip(w.a) == ARCHIVE_OK &&
			    archive_write_set_filter_option(w.a, "gzip", "timestamp", NULL) == ARCHIVE_OK)) &&
		 archive_write_set_bytes_in_last_block(w.a, 1) == ARCHIVE_OK &&
		 archive_write_open_fd(w.a, of.fd) == ARCHIVE_OK;
	if (!ok)
		tcz_error("%s: %s", output, w.a ? archive_error_string(w.a) : "out of memory");
	if (ok && add_dir(&w, ""))
		ok = 0;
	if (ok && archive_write_close(w.a) != ARCHIVE_OK) {
		tcz_error("%s: %s", output, archive_error_string(w.a));
		ok = 0;
	}
	if (w.a)
		archive_write_free(w.a);
	if (!ok || outfile_commit(&of)) {
		outfile_abort(&of);
		return TCZ_EXIT_FAIL;
	}
	return TCZ_EXIT_OK;
}
