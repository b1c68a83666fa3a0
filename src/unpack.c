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
 */
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
	const char *root;
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

static int write_file(struct unpacker *u, int dirfd, const char *tmp, const char *path,
		      const sqfs_inode_generic_t *in)
{
	static unsigned char buf[1 << 16];
	sqfs_u64 size = 0;
	sqfs_inode_get_file_size(in, &size);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		tcz_error("%s/%s: %s", u->root, path, strerror(errno));
		return -1;
	}
	for (sqfs_u64 off = 0; off < size;) {
		sqfs_u32 want = size - off > sizeof(buf) ? sizeof(buf) : (sqfs_u32)(size - off);
		sqfs_s32 got = sqfs_data_reader_read(u->img->data, in, off, buf, want);
		if (got <= 0) {
			tcz_error("%s: reading %s: %s", u->img->path, path,
				  got < 0 ? image_strerror(got) : "data ends early");
			close(fd);
			return -1;
		}
		for (sqfs_s32 done = 0; done < got;) {
			ssize_t w = write(fd, buf + done, (size_t)(got - done));
			if (w < 0) {
				tcz_error("%s/%s: %s", u->root, path, strerror(errno));
				close(fd);
				return -1;
			}
			done += (sqfs_s32)w;
		}
		off += (sqfs_u64)got;
	}
	if (close(fd)) {
		tcz_error("%s/%s: %s", u->root, path, strerror(errno));
		return -1;
	}
	return 0;
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
		if (linkat(u->rootfd, prev, dirfd, tmp, 0)) {
			tcz_error("%s/%s: hard link to %s: %s", u->root, path, prev, strerror(errno));
			goto out;
		}
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

int image_unpack(struct image *img, const char *root)
{
	sqfs_tree_node_t *tree;
	if (image_tree(img, &tree))
		return -1;
	struct unpacker u = { .img = img, .root = root, .as_root = geteuid() == 0 };
	u.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = -1;
	if (u.rootfd < 0)
		tcz_error("%s: %s", root, strerror(errno));
	else
		ret = unpack_dir(&u, u.rootfd, "", tree);
	if (u.rootfd >= 0)
		close(u.rootfd);
	for (size_t i = 0; i < u.nlinks; i++)
		free(u.links[i].path);
	free(u.links);
	sqfs_dir_tree_destroy(tree);
	return ret;
}

static void usage(FILE *out)
{
	fputs("Usage: tcz unpack NAME.tcz... -C ROOT\n"
	      "Lay each image's tree over the existing directory ROOT, as\n"
	      "`unsquashfs -f -d ROOT` does: files are replaced (each appears whole),\n"
	      "existing directories are kept with their modes. Nothing is written outside\n"
	      "ROOT: no symlink, in the image or in ROOT, is ever followed. Owners are\n"
	      "restored only when run as root; devices are skipped (with a warning) when not.\n\n"
	      "  -C, --root ROOT  the directory to unpack into (required)\n"
	      "  -h, --help       this help\n", out);
}

int cmd_unpack(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "C:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': root = optarg; break;
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("unpack", "unknown option");
		}
	}
	if (!root)
		return tcz_usage_error("unpack", "-C ROOT is required");
	if (optind >= argc)
		return tcz_usage_error("unpack", "no image given");
	for (int i = optind; i < argc; i++) {
		struct image img;
		if (image_open(&img, argv[i]))
			return TCZ_EXIT_FAIL;
		int ret = image_unpack(&img, root);
		image_close(&img);
		if (ret)
			return TCZ_EXIT_FAIL;
	}
	return TCZ_EXIT_OK;
}
