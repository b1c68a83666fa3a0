/* tcz unpack: install an extension onto a disk root the way the seed does
 * with `unsquashfs -f -d ROOT NAME.tcz`: the image's tree is laid over ROOT,
 * existing files are replaced, existing directories are kept.
 *
 * The image is untrusted, so nothing is ever resolved through a symlink:
 * every directory is opened relative to its parent with O_NOFOLLOW, every
 * file and link is created under a temporary name in its directory and
 * renamed over the target (rename replaces a symlink, never follows it).
 * A symlink in the image may point anywhere - /usr/lib/... is normal in an
 * extension - but the unpacker never walks through one, so no entry can
 * land outside ROOT. An existing symlink in ROOT where the image has a
 * directory is refused for the same reason.
 *
 * Sparse blocks become holes, as unsquashfs leaves them: a few hundred
 * bytes of image may describe gigabytes of zeros. The temporaries carry
 * the PID, and each directory visited loses those of dead processes.
 */
#include "beneath.h"
#include "commands.h"
#include "image.h"
#include "util.h"

#include <sqfs/inode.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct unpacker {
	struct image *img;
	const char *root; /* for messages */
	int as_root;
	/* Hard links: inode number -> path (relative to ROOT) of the first. */
	struct { sqfs_u32 ino; char *path; } *links;
	size_t nlinks, cap;
	int rootfd;
};

static const char *first_link(struct unpacker *u, sqfs_u32 ino)
{
	for (size_t i = 0; i < u->nlinks; i++)
		if (u->links[i].ino == ino)
			return u->links[i].path;
	return NULL;
}

static void remember_link(struct unpacker *u, sqfs_u32 ino, const char *path)
{
	if (u->nlinks == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 16;
		u->links = xrealloc(u->links, u->cap * sizeof(*u->links));
	}
	u->links[u->nlinks].ino = ino;
	u->links[u->nlinks++].path = xstrdup(path);
}

static char *tmp_name(const char *name)
{
	return xasprintf(".%.200s.tcz-unpack.%ld", name, (long)getpid());
}

struct file_out {
	int fd;
	int err; /* errno of a failed write */
};

/* A hole is skipped over; ftruncate at the end gives a trailing one its size. */
static int sink_fd(void *ctx, const void *data, size_t len)
{
	struct file_out *o = ctx;
	if (!data) {
		if (lseek(o->fd, (off_t)len, SEEK_CUR) < 0)
			o->err = errno;
		return o->err ? -1 : 0;
	}
	for (const char *p = data; len;) {
		ssize_t w = write(o->fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			o->err = errno;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int write_file(struct unpacker *u, int dirfd, const char *tmp, const char *path,
		      const sqfs_inode_generic_t *in)
{
	sqfs_u64 size = 0;
	sqfs_inode_get_file_size(in, &size);
	struct file_out o = { openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600), 0 };
	if (o.fd < 0) {
		tcz_error("%s/%s: %s", u->root, path, strerror(errno));
		return -1;
	}
	int ret = image_read_file(u->img, in, path, sink_fd, &o);
	if (ret && o.err)
		tcz_error("%s/%s: %s", u->root, path, strerror(o.err));
	if (!ret && ftruncate(o.fd, (off_t)size)) {
		tcz_error("%s/%s: %s", u->root, path, strerror(errno));
		ret = -1;
	}
	if (close(o.fd) && !ret) {
		tcz_error("%s/%s: %s", u->root, path, strerror(errno));
		ret = -1;
	}
	return ret;
}

/* A hard link to PREV (relative to ROOT), whose directory is found
 * beneath ROOT like everything else. */
static int link_to(struct unpacker *u, const char *prev, int dirfd, const char *tmp, const char *path)
{
	const char *base = path_base(prev);
	char *dir = xasprintf("%.*s", (int)(base > prev ? base - prev - 1 : 0), prev);
	int fd = *dir ? beneath_open(u->rootfd, dir, O_RDONLY | O_DIRECTORY, 0) : u->rootfd;
	int ret = fd < 0 ? -1 : linkat(fd, base, dirfd, tmp, 0);
	if (ret)
		tcz_error("%s/%s: hard link to %s: %s", u->root, path, prev, beneath_strerror(errno));
	if (fd >= 0 && fd != u->rootfd)
		close(fd);
	free(dir);
	return ret;
}

/* Owner, mode and time of a just-created entry (by its temporary name). */
static int set_attrs(struct unpacker *u, int dirfd, const char *name, const char *path,
		     const sqfs_tree_node_t *n)
{
	const sqfs_inode_generic_t *in = n->inode;
	int is_link = S_ISLNK(in->base.mode);
	if (u->as_root && fchownat(dirfd, name, n->uid, n->gid, AT_SYMLINK_NOFOLLOW)) {
		tcz_error("%s/%s: chown: %s", u->root, path, strerror(errno));
		return -1;
	}
	/* After chown, which clears setuid bits. */
	if (!is_link && fchmodat(dirfd, name, in->base.mode & 07777, 0)) {
		tcz_error("%s/%s: chmod: %s", u->root, path, strerror(errno));
		return -1;
	}
	struct timespec ts[2] = { { in->base.mod_time, 0 }, { in->base.mod_time, 0 } };
	if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW)) {
		tcz_error("%s/%s: setting the time: %s", u->root, path, strerror(errno));
		return -1;
	}
	return 0;
}

static int place_leaf(struct unpacker *u, int dirfd, const char *path, const sqfs_tree_node_t *n)
{
	const sqfs_inode_generic_t *in = n->inode;
	const char *name = (const char *)n->name;
	char *tmp = tmp_name(name);
	int ret = -1;
	const char *prev = first_link(u, in->base.inode_number);

	unlinkat(dirfd, tmp, 0);
	if (prev) {
		if (link_to(u, prev, dirfd, tmp, path))
			goto out;
	} else if (S_ISREG(in->base.mode)) {
		if (write_file(u, dirfd, tmp, path, in) || set_attrs(u, dirfd, tmp, path, n))
			goto fail;
	} else if (S_ISLNK(in->base.mode)) {
		char *target = xmalloc(in->data.slink.target_size + 1);
		memcpy(target, in->extra, in->data.slink.target_size);
		target[in->data.slink.target_size] = '\0';
		int r = symlinkat(target, dirfd, tmp);
		free(target);
		if (r) {
			tcz_error("%s/%s: symlink: %s", u->root, path, strerror(errno));
			goto out;
		}
		if (set_attrs(u, dirfd, tmp, path, n))
			goto fail;
	} else {
		dev_t dev = 0;
		if (S_ISCHR(in->base.mode) || S_ISBLK(in->base.mode)) {
			sqfs_u32 d = in->data.dev.devno;
			dev = makedev((d & 0xfff00) >> 8, (d & 0xff) | ((d >> 12) & 0xfff00));
		}
		if (mknodat(dirfd, tmp, in->base.mode & (S_IFMT | 0777), dev)) {
			if (errno == EPERM && !u->as_root) {
				tcz_warn("%s/%s: device or special file skipped (needs root)", u->root, path);
				ret = 0;
				goto out;
			}
			tcz_error("%s/%s: mknod: %s", u->root, path, strerror(errno));
			goto out;
		}
		if (set_attrs(u, dirfd, tmp, path, n))
			goto fail;
	}
	if (renameat(dirfd, tmp, dirfd, name)) {
		tcz_error("%s/%s: %s", u->root, path, strerror(errno));
		goto fail;
	}
	if (!prev && (S_ISREG(in->base.mode)) && in->base.type == SQFS_INODE_EXT_FILE &&
	    in->data.file_ext.nlink > 1)
		remember_link(u, in->base.inode_number, path);
	ret = 0;
	goto out;
fail:
	unlinkat(dirfd, tmp, 0);
out:
	free(tmp);
	return ret;
}

static int unpack_dir(struct unpacker *u, int dirfd, const char *dirpath, const sqfs_tree_node_t *dir)
{
	remove_stale_at(dirfd, ".", ".tcz-unpack.", 0, NULL);
	for (const sqfs_tree_node_t *c = dir->children; c; c = c->next) {
		const char *name = (const char *)c->name;
		char *path = *dirpath ? xasprintf("%s/%s", dirpath, name) : xstrdup(name);
		int ret = 0;
		if (S_ISDIR(c->inode->base.mode)) {
			int created = mkdirat(dirfd, name, 0700) == 0;
			if (!created && errno != EEXIST) {
				tcz_error("%s/%s: %s", u->root, path, strerror(errno));
				ret = -1;
			}
			int fd = ret ? -1 : openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (!ret && fd < 0) {
				tcz_error("%s/%s: %s", u->root, path,
					  errno == ELOOP || errno == ENOTDIR
						  ? "exists and is not a directory (a symlink is never followed)"
						  : strerror(errno));
				ret = -1;
			}
			if (!ret)
				ret = unpack_dir(u, fd, path, c);
			if (fd >= 0)
				close(fd);
			/* Modes last, so that a read-only directory can be filled. */
			if (!ret && created)
				ret = set_attrs(u, dirfd, name, path, c);
		} else {
			ret = place_leaf(u, dirfd, path, c);
		}
		free(path);
		if (ret)
			return -1;
	}
	return 0;
}

int image_unpack(struct image *img, const sqfs_tree_node_t *tree, int rootfd, const char *label)
{
	struct unpacker u = { .img = img, .root = label, .as_root = geteuid() == 0, .rootfd = rootfd };
	int ret = unpack_dir(&u, rootfd, "", tree);
	for (size_t i = 0; i < u.nlinks; i++)
		free(u.links[i].path);
	free(u.links);
	return ret;
}

int image_size_check(const char *what, unsigned long long bytes, long long max)
{
	if (bytes <= (unsigned long long)max)
		return 0;
	char have[16], limit[16];
	human_size(bytes, have);
	human_size((unsigned long long)max, limit);
	tcz_error("%s: its files come to %s (%llu bytes), more than the limit of %s "
		  "(--max-size or TCZ_MAX_SIZE): nothing was written", what, have, bytes, limit);
	return -1;
}

static void usage(FILE *out)
{
	fputs("Usage: tcz unpack NAME.tcz... -C ROOT [--max-size SIZE]\n"
	      "Lay each image's tree over the existing directory ROOT, as\n"
	      "`unsquashfs -f -d ROOT` does: files are replaced (each appears whole),\n"
	      "existing directories are kept with their modes, sparse blocks become\n"
	      "holes. Nothing is written outside ROOT: no symlink, in the image or in\n"
	      "ROOT, is ever followed. Owners are restored only when run as root;\n"
	      "devices are skipped (with a warning) when not. Every image's tree is\n"
	      "read and checked first (no name twice in a directory, no directory\n"
	      "reached twice); temporaries a killed unpack left are removed.\n\n"
	      "  -C, --root ROOT      the directory to unpack into (required)\n"
	      "      --max-size SIZE  refuse, before writing, images whose files come to\n"
	      "                       more than SIZE bytes in all (K, M, G; holes count;\n"
	      "                       0: no limit; default $TCZ_MAX_SIZE, else " TCZ_DEFAULT_MAX_SIZE ")\n"
	      "  -h, --help           this help\n", out);
}

/* Every image's tree, and their total size against the limit, before
 * anything is written. */
static int check_all(char **images, int n, long long max)
{
	unsigned long long total = 0;
	for (int i = 0; i < n; i++) {
		struct image img;
		sqfs_tree_node_t *tree;
		if (image_load(&img, images[i], &tree))
			return -1;
		total += image_tree_bytes(tree);
		sqfs_dir_tree_destroy(tree);
		image_close(&img);
		if (image_size_check(images[i], total, max))
			return -1;
	}
	return 0;
}

int cmd_unpack(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'C' },
		{ "max-size", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL, *max_arg = NULL;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "C:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': root = optarg; break;
		case 'M': max_arg = optarg; break;
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("unpack", "unknown option");
		}
	}
	long long max;
	int st = size_limit("unpack", max_arg, &max);
	if (st)
		return st;
	if (!root)
		return tcz_usage_error("unpack", "-C ROOT is required");
	if (optind >= argc)
		return tcz_usage_error("unpack", "no image given");
	if (check_all(argv + optind, argc - optind, max))
		return TCZ_EXIT_FAIL;
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		tcz_error("%s: %s", root, strerror(errno));
		return TCZ_EXIT_FAIL;
	}
	int ret = 0;
	for (int i = optind; !ret && i < argc; i++) {
		struct image img;
		sqfs_tree_node_t *tree;
		ret = image_load(&img, argv[i], &tree);
		if (ret)
			break;
		ret = image_unpack(&img, tree, rootfd, root);
		sqfs_dir_tree_destroy(tree);
		image_close(&img);
	}
	close(rootfd);
	return ret ? TCZ_EXIT_FAIL : TCZ_EXIT_OK;
}
