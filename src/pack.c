/* tcz pack: a directory tree into a squashfs 4.0 image that Tiny Core 3.x's
 * kernel (2.6.33) mounts, plus the companion files of the extension.
 *
 * libsquashfs compresses the data (its block processor, in worker threads)
 * and encodes inodes, directories and tables; it has no public "write this
 * tree" call, so this file walks the tree and drives it in a fixed order:
 *
 *   super block placeholder, file data in sorted path order (blocks and
 *   fragments), inode table (children before their directory, root last),
 *   directory table, fragment table, id table, the real super block, and
 *   padding to 4 KiB as mksquashfs does.
 *
 * Everything that could vary between runs is fixed: entries sorted by name
 * bytes, owners 0:0 (but usr/local/tce.installed: root:staff 0775, see
 * tcl3.h), mtimes clamped to SOURCE_DATE_EPOCH, the super block's
 * time the newest (clamped) mtime in the tree, inode numbers given in walk
 * order. The block processor hands blocks to the writer in submission order
 * whatever the number of workers, so -j does not change the bytes.
 */
#include "companion.h"
#include "commands.h"
#include "deflate.h"
#include "image.h"
#include "tcl3.h"
#include "util.h"

#include <sqfs/block.h>
#include <sqfs/block_processor.h>
#include <sqfs/block_writer.h>
#include <sqfs/compressor.h>
#include <sqfs/dir_writer.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_writer.h>
#include <sqfs/super.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Tiny Core's block size for extensions (see image.h). */
#define PACK_DEFAULT_BLOCK_SIZE TCZ_BLOCK_SIZE

struct node {
	char *name;
	char *path; /* relative to the packed directory, for messages and .list */
	struct node *parent;
	struct node **children;
	size_t nchildren;
	struct node *link_target; /* a hard link: the first node of its inode */
	struct stat st;
	char *symlink;
	sqfs_u32 inode_num;
	sqfs_u64 inode_ref;
	sqfs_inode_generic_t *inode; /* regular files: filled by the block processor */
	unsigned nlink; /* links inside the tree (directories: 2 + subdirs) */
};

struct hardlink_key {
	dev_t dev;
	ino_t ino;
	struct node *first;
};

struct packer {
	const char *src;
	const char *image;
	int have_epoch;
	sqfs_u32 epoch;
	sqfs_u32 newest;
	struct hardlink_key *links;
	size_t nlinks, links_cap;
	sqfs_u32 next_inode;
	size_t file_count;
};

static int by_name(const void *a, const void *b)
{
	const struct node *x = *(struct node *const *)a, *y = *(struct node *const *)b;
	return strcmp(x->name, y->name);
}

static sqfs_u32 clamp_time(struct packer *p, time_t t)
{
	sqfs_u32 v = t < 0 ? 0 : t > (time_t)UINT32_MAX ? UINT32_MAX : (sqfs_u32)t;
	if (p->have_epoch && v > p->epoch)
		v = p->epoch;
	if (v > p->newest)
		p->newest = v;
	return v;
}

static struct node *find_hardlink(struct packer *p, struct node *n)
{
	for (size_t i = 0; i < p->nlinks; i++)
		if (p->links[i].dev == n->st.st_dev && p->links[i].ino == n->st.st_ino)
			return p->links[i].first;
	if (p->nlinks == p->links_cap) {
		p->links_cap = p->links_cap ? 2 * p->links_cap : 16;
		p->links = xrealloc(p->links, p->links_cap * sizeof(*p->links));
	}
	p->links[p->nlinks++] = (struct hardlink_key){ n->st.st_dev, n->st.st_ino, n };
	return NULL;
}

/* Every non-directory path, for NAME.tcz.list. */
static void collect_paths(const struct node *n, struct path_list *l)
{
	for (size_t i = 0; i < n->nchildren; i++) {
		const struct node *c = n->children[i];
		if (S_ISDIR(c->st.st_mode))
			collect_paths(c, l);
		else
			path_list_add(l, c->path);
	}
}

static void free_tree(struct node *n)
{
	for (size_t i = 0; i < n->nchildren; i++)
		free_tree(n->children[i]);
	free(n->children);
	free(n->name);
	free(n->path);
	free(n->symlink);
	free(n->inode);
	free(n);
}

/* Read directory n (open as dirfd) into sorted children, recursively. */
static int scan_dir(struct packer *p, struct node *n, int dirfd)
{
	DIR *d = fdopendir(dirfd);
	if (!d) {
		tcz_error("%s/%s: %s", p->src, n->path, strerror(errno));
		close(dirfd);
		return -1;
	}
	size_t cap = 0;
	struct dirent *e;
	int ret = 0;
	errno = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (strlen(e->d_name) > 255) {
			tcz_error("%s/%s/%s: name longer than squashfs allows (255 bytes)",
				  p->src, n->path, e->d_name);
			ret = -1;
			break;
		}
		struct node *c = xcalloc(1, sizeof(*c));
		c->name = xstrdup(e->d_name);
		c->path = n->parent ? path_join(n->path, e->d_name) : xstrdup(e->d_name);
		c->parent = n;
		if (n->nchildren == cap) {
			cap = cap ? 2 * cap : 8;
			n->children = xrealloc(n->children, cap * sizeof(*n->children));
		}
		n->children[n->nchildren++] = c;
		if (fstatat(dirfd, c->name, &c->st, AT_SYMLINK_NOFOLLOW)) {
			tcz_error("%s/%s: %s", p->src, c->path, strerror(errno));
			ret = -1;
			break;
		}
		if (!strcmp(c->path, TCL3_TCE_INSTALLED) && !S_ISDIR(c->st.st_mode)) {
			tcz_error("%s/%s: not a directory: tce-load records extensions in it", p->src,
				  c->path);
			ret = -1;
			break;
		}
		errno = 0;
	}
	if (!ret && errno) {
		tcz_error("%s/%s: reading directory: %s", p->src, n->path, strerror(errno));
		ret = -1;
	}
	if (ret) {
		closedir(d);
		return -1;
	}
	if (n->nchildren)
		qsort(n->children, n->nchildren, sizeof(*n->children), by_name);
	n->nlink = 2;
	for (size_t i = 0; i < n->nchildren && !ret; i++) {
		struct node *c = n->children[i];
		mode_t t = c->st.st_mode & S_IFMT;
		if (t == S_IFDIR) {
			n->nlink++;
			int fd = openat(dirfd, c->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				tcz_error("%s/%s: %s", p->src, c->path, strerror(errno));
				ret = -1;
			} else {
				ret = scan_dir(p, c, fd);
			}
		} else if (t == S_IFLNK) {
			size_t len = c->st.st_size > 0 ? (size_t)c->st.st_size : PATH_MAX;
			c->symlink = xmalloc(len + 1);
			ssize_t got = readlinkat(dirfd, c->name, c->symlink, len + 1);
			if (got < 0 || (size_t)got > len) {
				tcz_error("%s/%s: reading symlink: %s", p->src, c->path,
					  got < 0 ? strerror(errno) : "changed while packing");
				ret = -1;
			} else {
				c->symlink[got] = '\0';
			}
		} else if (t != S_IFREG && t != S_IFCHR && t != S_IFBLK && t != S_IFIFO &&
			   t != S_IFSOCK) {
			tcz_error("%s/%s: unsupported file type", p->src, c->path);
			ret = -1;
		}
		if (!ret && t != S_IFDIR && c->st.st_nlink > 1)
			c->link_target = find_hardlink(p, c);
	}
	closedir(d);
	return ret;
}

static int tce_installed_dir(const struct node *n)
{
	return S_ISDIR(n->st.st_mode) && !strcmp(n->path, TCL3_TCE_INSTALLED);
}

/* Inode numbers: children before their directory, in sorted order, the root
 * last; a hard link shares the number of its first occurrence. Link counts
 * are those inside the tree, not the host's. */
static void number_inodes(struct packer *p, struct node *n)
{
	for (size_t i = 0; i < n->nchildren; i++) {
		struct node *c = n->children[i];
		if (S_ISDIR(c->st.st_mode)) {
			number_inodes(p, c);
		} else if (c->link_target) {
			c->link_target->nlink++;
		} else {
			c->inode_num = p->next_inode++;
			c->nlink = 1;
		}
	}
	n->inode_num = p->next_inode++;
}

/* Feed every regular file's data to the block processor, in path order. */
static int pack_data(struct packer *p, sqfs_block_processor_t *proc, struct node *n, int dirfd)
{
	static unsigned char buf[1 << 16];
	for (size_t i = 0; i < n->nchildren; i++) {
		struct node *c = n->children[i];
		if (S_ISDIR(c->st.st_mode)) {
			int fd = openat(dirfd, c->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				tcz_error("%s/%s: %s", p->src, c->path, strerror(errno));
				return -1;
			}
			int ret = pack_data(p, proc, c, fd);
			close(fd);
			if (ret)
				return -1;
			continue;
		}
		if (!S_ISREG(c->st.st_mode) || c->link_target)
			continue;
		int fd = openat(dirfd, c->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			tcz_error("%s/%s: %s", p->src, c->path, strerror(errno));
			return -1;
		}
		int err = sqfs_block_processor_begin_file(proc, &c->inode, NULL, 0);
		off_t total = 0;
		ssize_t got;
		while (!err && (got = read(fd, buf, sizeof(buf))) > 0) {
			total += got;
			err = sqfs_block_processor_append(proc, buf, (size_t)got);
		}
		int read_errno = errno;
		if (!err && got < 0) {
			tcz_error("%s/%s: %s", p->src, c->path, strerror(read_errno));
			close(fd);
			return -1;
		}
		close(fd);
		if (!err)
			err = sqfs_block_processor_end_file(proc);
		if (err) {
			tcz_error("%s: compressing %s: %s", p->image, c->path, image_strerror(err));
			return -1;
		}
		if (total != c->st.st_size) {
			tcz_error("%s/%s: file changed size while being packed", p->src, c->path);
			return -1;
		}
		p->file_count++;
	}
	return 0;
}

static sqfs_inode_generic_t *special_inode(const struct node *n)
{
	size_t extra = n->symlink ? strlen(n->symlink) : 0;
	sqfs_inode_generic_t *in = xcalloc(1, sizeof(*in) + extra);
	switch (n->st.st_mode & S_IFMT) {
	case S_IFLNK:
		in->base.type = SQFS_INODE_SLINK;
		in->data.slink.nlink = n->nlink;
		in->data.slink.target_size = extra;
		memcpy(in->extra, n->symlink, extra);
		break;
	case S_IFCHR:
	case S_IFBLK:
		in->base.type = S_ISCHR(n->st.st_mode) ? SQFS_INODE_CDEV : SQFS_INODE_BDEV;
		in->data.dev.nlink = n->nlink;
		/* squashfs stores the old 32-bit encoding: major << 8 | minor
		 * with the high minor bits above, as the kernel's new_encode_dev. */
		in->data.dev.devno = (minor(n->st.st_rdev) & 0xff) | (major(n->st.st_rdev) << 8) |
				     ((minor(n->st.st_rdev) & ~0xffu) << 12);
		break;
	case S_IFIFO:
	case S_IFSOCK:
		in->base.type = S_ISFIFO(n->st.st_mode) ? SQFS_INODE_FIFO : SQFS_INODE_SOCKET;
		in->data.ipc.nlink = n->nlink;
		break;
	}
	return in;
}

struct tables {
	sqfs_meta_writer_t *im; /* inode table, written to the file as it fills */
	sqfs_meta_writer_t *dm; /* directory table, kept in memory until the end */
	sqfs_dir_writer_t *dirw;
	sqfs_id_table_t *ids;
};

static int write_inode(struct packer *p, struct tables *t, struct node *n, sqfs_inode_generic_t *in)
{
	int tce = tce_installed_dir(n);
	in->base.mode = n->st.st_mode & 07777;
	in->base.mode |= n->st.st_mode & S_IFMT;
	if (tce)
		in->base.mode = S_IFDIR | TCL3_TCE_INSTALLED_MODE;
	in->base.mod_time = clamp_time(p, n->st.st_mtime);
	in->base.inode_number = n->inode_num;
	/* The staff gid enters the id table only for an image that has the
	 * directory: every other image keeps its bytes. */
	sqfs_u16 root_idx, gid_idx;
	int err = sqfs_id_table_id_to_index(t->ids, 0, &root_idx);
	gid_idx = root_idx;
	if (!err && tce)
		err = sqfs_id_table_id_to_index(t->ids, TCL3_STAFF_GID, &gid_idx);
	if (!err) {
		in->base.uid_idx = root_idx;
		in->base.gid_idx = gid_idx;
		sqfs_u64 block;
		sqfs_u32 offset;
		sqfs_meta_writer_get_position(t->im, &block, &offset);
		n->inode_ref = (block << 16) | offset;
		err = sqfs_meta_writer_write_inode(t->im, in);
	}
	if (err)
		tcz_error("%s: writing the inode of %s: %s", p->image,
			  n->parent ? n->path : "/", image_strerror(err));
	return err ? -1 : 0;
}

/* First every non-directory inode, so that any directory entry can name
 * its target, hard links across directories included. */
static int write_leaves(struct packer *p, struct tables *t, struct node *n)
{
	for (size_t i = 0; i < n->nchildren; i++) {
		struct node *c = n->children[i];
		if (S_ISDIR(c->st.st_mode)) {
			if (write_leaves(p, t, c))
				return -1;
			continue;
		}
		if (c->link_target)
			continue;
		sqfs_inode_generic_t *in;
		if (S_ISREG(c->st.st_mode)) {
			in = c->inode;
			c->inode = NULL;
			if (c->nlink > 1 && sqfs_inode_make_extended(in) == 0)
				in->data.file_ext.nlink = c->nlink;
			else
				sqfs_inode_make_basic(in);
		} else {
			in = special_inode(c);
		}
		int ret = write_inode(p, t, c, in);
		free(in);
		if (ret)
			return -1;
	}
	return 0;
}

/* Then directories, each after its subdirectories; the root last. */
static int write_dirs(struct packer *p, struct tables *t, struct node *n)
{
	for (size_t i = 0; i < n->nchildren; i++)
		if (S_ISDIR(n->children[i]->st.st_mode) && write_dirs(p, t, n->children[i]))
			return -1;
	int err = sqfs_dir_writer_begin(t->dirw, 0);
	for (size_t i = 0; !err && i < n->nchildren; i++) {
		struct node *c = n->children[i];
		const struct node *target = c->link_target ? c->link_target : c;
		err = sqfs_dir_writer_add_entry(t->dirw, c->name, target->inode_num,
						target->inode_ref, target->st.st_mode);
	}
	if (!err)
		err = sqfs_dir_writer_end(t->dirw);
	if (err) {
		tcz_error("%s: writing directory %s: %s", p->image, n->parent ? n->path : "/",
			  image_strerror(err));
		return -1;
	}
	sqfs_inode_generic_t *in = sqfs_dir_writer_create_inode(
		t->dirw, 0, 0xFFFFFFFF, n->parent ? n->parent->inode_num : 0);
	if (!in) {
		tcz_error("%s: out of memory", p->image);
		return -1;
	}
	if (in->base.type == SQFS_INODE_DIR)
		in->data.dir.nlink = n->nlink;
	else
		in->data.dir_ext.nlink = n->nlink;
	int ret = write_inode(p, t, n, in);
	free(in);
	return ret;
}

static int pad_to_4k(sqfs_file_t *file)
{
	static const sqfs_u8 zeros[4096];
	sqfs_u64 size = file->get_size(file);
	if (size % 4096 == 0)
		return 0;
	return file->write_at(file, size, zeros, 4096 - size % 4096);
}

struct pack_options {
	size_t block_size;
	unsigned threads;
	int level;
};

static int write_image(struct packer *p, struct node *root, const char *tmp_path,
		       const struct pack_options *o)
{
	int ret = -1, err = 0;
	const char *stage = "creating the image";
	sqfs_file_t *file = NULL;
	sqfs_compressor_t *cmp = NULL;
	sqfs_block_writer_t *bw = NULL;
	sqfs_frag_table_t *frags = NULL;
	sqfs_block_processor_t *proc = NULL;
	struct tables t = { 0 };
	sqfs_super_t super;
	sqfs_compressor_config_t cfg;

	file = sqfs_open_file(tmp_path, SQFS_FILE_OPEN_OVERWRITE);
	if (!file) {
		tcz_error("%s: cannot create: %s", p->image, strerror(errno));
		return -1;
	}
	err = sqfs_compressor_config_init(&cfg, SQFS_COMP_GZIP, o->block_size, 0);
	cfg.level = (sqfs_u32)o->level;
	if (!err)
		err = tcz_compressor_create(&cfg, &cmp);
	if (!err)
		err = sqfs_super_init(&super, o->block_size, 0, SQFS_COMP_GZIP);
	if (err)
		goto fail;
	super.flags |= SQFS_FLAG_NO_XATTRS;
	stage = "writing the super block";
	err = sqfs_super_write(&super, file);
	if (err)
		goto fail;
	/* Default gzip settings write no compressor options: 2.6.33 reads none. */
	if (cmp->write_options(cmp, file) != 0) {
		err = SQFS_ERROR_UNSUPPORTED;
		goto fail;
	}

	stage = "setting up the writers";
	bw = sqfs_block_writer_create(file, 4096, 0);
	frags = sqfs_frag_table_create(0);
	t.ids = sqfs_id_table_create(0);
	if (!bw || !frags || !t.ids) {
		err = SQFS_ERROR_ALLOC;
		goto fail;
	}
	sqfs_block_processor_desc_t desc = {
		.size = sizeof(desc),
		.max_block_size = o->block_size,
		.num_workers = o->threads,
		.max_backlog = 10 * o->threads + 10,
		.cmp = cmp,
		.wr = bw,
		.tbl = frags,
	};
	err = sqfs_block_processor_create_ex(&desc, &proc);
	if (err)
		goto fail;

	int rootfd = open(p->src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		tcz_error("%s: %s", p->src, strerror(errno));
		goto out;
	}
	int data_ret = pack_data(p, proc, root, rootfd);
	close(rootfd);
	if (data_ret)
		goto out;
	stage = "compressing data";
	err = sqfs_block_processor_finish(proc);
	if (err)
		goto fail;

	stage = "writing the inode and directory tables";
	t.im = sqfs_meta_writer_create(file, cmp, 0);
	t.dm = sqfs_meta_writer_create(file, cmp, SQFS_META_WRITER_KEEP_IN_MEMORY);
	t.dirw = t.dm ? sqfs_dir_writer_create(t.dm, 0) : NULL;
	if (!t.im || !t.dm || !t.dirw) {
		err = SQFS_ERROR_ALLOC;
		goto fail;
	}
	super.inode_table_start = file->get_size(file);
	if (write_leaves(p, &t, root) || write_dirs(p, &t, root))
		goto out;
	err = sqfs_meta_writer_flush(t.im);
	if (!err)
		err = sqfs_meta_writer_flush(t.dm);
	if (err)
		goto fail;
	super.root_inode_ref = root->inode_ref;
	super.inode_count = p->next_inode - 1;
	super.directory_table_start = file->get_size(file);
	err = sqfs_meta_write_write_to_file(t.dm);
	if (err)
		goto fail;

	stage = "writing the fragment and id tables";
	err = sqfs_frag_table_write(frags, file, &super, cmp);
	if (!err)
		err = sqfs_id_table_write(t.ids, file, &super, cmp);
	if (err)
		goto fail;
	super.modification_time = p->newest;
	super.bytes_used = file->get_size(file);
	stage = "writing the super block";
	err = sqfs_super_write(&super, file);
	if (!err)
		err = pad_to_4k(file);
	if (err)
		goto fail;
	ret = 0;
	goto out;
fail:
	tcz_error("%s: %s: %s", p->image, stage, image_strerror(err));
out:
	if (proc)
		sqfs_destroy(proc);
	if (t.dirw)
		sqfs_destroy(t.dirw);
	if (t.dm)
		sqfs_destroy(t.dm);
	if (t.im)
		sqfs_destroy(t.im);
	if (t.ids)
		sqfs_destroy(t.ids);
	if (frags)
		sqfs_destroy(frags);
	if (bw)
		sqfs_destroy(bw);
	if (cmp)
		sqfs_destroy(cmp);
	sqfs_destroy(file);
	return ret;
}

/* The files one pack writes, each to its temporary before any is renamed. */
struct pack_files {
	struct outfile image;
	struct outfile comp[4]; /* by enum companion_kind; tmp NULL: none */
};

static int stage_companion(struct pack_files *f, const char *image, enum companion_kind kind,
			   const char *data, size_t len)
{
	char *path = xasprintf("%s%s", image, companion_suffix(kind));
	int ret = outfile_open(&f->comp[kind], path, 0644);
	if (!ret)
		ret = outfile_write(&f->comp[kind], data, len);
	free(path);
	return ret;
}

/* Rename the set into place so that nobody sees the new image with an old
 * companion. NAME.tcz.md5.txt is what tce-load and tcz install verify the
 * image against: the old one goes first and the new one comes last, so
 * every mix in between has none, which every client refuses and tcz check
 * names; .list, .info and .dep go before the image. */
static int publish(struct pack_files *f, const char *image)
{
	static const enum companion_kind before_image[] = { COMPANION_LIST, COMPANION_INFO, COMPANION_DEP };
	char *md5 = xasprintf("%s%s", image, companion_suffix(COMPANION_MD5));
	int ret = 0;
	if (unlink(md5) && errno != ENOENT) {
		tcz_error("%s: cannot remove: %s", md5, strerror(errno));
		ret = -1;
	}
	free(md5);
	for (size_t i = 0; !ret && i < sizeof(before_image) / sizeof(*before_image); i++)
		if (f->comp[before_image[i]].tmp)
			ret = outfile_commit(&f->comp[before_image[i]]);
	if (!ret)
		ret = outfile_commit(&f->image);
	if (!ret)
		ret = outfile_commit(&f->comp[COMPANION_MD5]);
	return ret;
}

/* Remove whatever temporaries are left (a committed file has none). */
static void abort_all(struct pack_files *f)
{
	if (f->image.tmp)
		outfile_abort(&f->image);
	for (size_t k = 0; k < sizeof(f->comp) / sizeof(*f->comp); k++)
		if (f->comp[k].tmp)
			outfile_abort(&f->comp[k]);
}

static void usage(FILE *out)
{
	fputs("Usage: tcz pack DIR -o NAME.tcz [OPTION]...\n"
	      "Pack DIR into a Tiny Core 3.x extension: squashfs 4.0, gzip, no xattrs,\n"
	      "every file owned by root (0:0), modes, symlinks, hard links, devices and\n"
	      "empty directories kept, entries sorted. usr/local/tce.installed, if DIR\n"
	      "has it, becomes root:staff (0:50) mode 0775, as TCL3's tce-load needs\n"
	      "(it records each extension there as user tc). Beside the image it writes\n"
	      "NAME.tcz.md5.txt and NAME.tcz.list. Each file appears whole or not at all,\n"
	      "and the old NAME.tcz.md5.txt goes before any file is replaced, the new one\n"
	      "comes last: an interrupted pack leaves the old set, the new set, or a set\n"
	      "without .md5.txt that nothing installs and tcz check reports.\n\n"
	      "Options:\n"
	      "  -o, --output FILE   the image to write (required; must end in .tcz)\n"
	      "  -b, --block-size N  data block size, 4K to 1M, a power of two (default 4K,\n"
	      "                      Tiny Core's: its mksquashfs default and submitqc's rule)\n"
	      "  -j, --threads N     compression threads (default: online CPUs); the output\n"
	      "                      is the same bytes for any N\n"
	      "  -l, --level N       gzip (deflate) effort, 1 to 12 (default 7: libdeflate's\n"
	      "                      levels, where 7 packs smaller than zlib's 9)\n"
	      "      --info FILE     validate FILE as a 3.x .tcz.info and write NAME.tcz.info\n"
	      "      --dep FILE      validate FILE as a .tcz.dep and write NAME.tcz.dep\n"
	      "  -q, --quiet         no summary line\n"
	      "  -h, --help          this help\n\n"
	      "Environment: SOURCE_DATE_EPOCH clamps every mtime (and the image's time)\n"
	      "to that time, for reproducible images.\n", out);
}

int cmd_pack(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "block-size", required_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 'j' },
		{ "level", required_argument, NULL, 'l' },
		{ "info", required_argument, NULL, 'I' },
		{ "dep", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pack_options o = { PACK_DEFAULT_BLOCK_SIZE, 0, TCZ_DEFLATE_LEVEL };
	const char *output = NULL, *info = NULL, *dep = NULL;
	int quiet = 0, c;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	o.threads = n > 0 ? (unsigned)n : 1;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:b:j:l:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'I': info = optarg; break;
		case 'D': dep = optarg; break;
		case 'q': quiet = 1; break;
		case 'b': {
			long long bs = parse_size(optarg);
			if (bs < 4096 || bs > 1048576 || (bs & (bs - 1)))
				return tcz_usage_error("pack", "block size '%s': want a power of two from 4K to 1M", optarg);
			o.block_size = (size_t)bs;
			break;
		}
		case 'j': {
			char *end;
			long j = strtol(optarg, &end, 10);
			if (*end || j < 1 || j > 256)
				return tcz_usage_error("pack", "threads '%s': want a number from 1 to 256", optarg);
			o.threads = (unsigned)j;
			break;
		}
		case 'l': {
			char *end;
			long l = strtol(optarg, &end, 10);
			if (*end || l < TCZ_DEFLATE_LEVEL_MIN || l > TCZ_DEFLATE_LEVEL_MAX)
				return tcz_usage_error("pack", "level '%s': want a number from %d to %d", optarg,
						       TCZ_DEFLATE_LEVEL_MIN, TCZ_DEFLATE_LEVEL_MAX);
			o.level = (int)l;
			break;
		}
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("pack", "unknown option");
		}
	}
	if (optind != argc - 1)
		return tcz_usage_error("pack", "want exactly one directory to pack");
	if (!output)
		return tcz_usage_error("pack", "-o NAME.tcz is required");
	size_t olen = strlen(output);
	if (olen < 5 || strcmp(output + olen - 4, ".tcz") || path_base(output)[0] == '.')
		return tcz_usage_error("pack", "%s: the output must be named NAME.tcz", output);

	struct packer p = { .src = argv[optind], .image = output, .next_inode = 1 };
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(sde, &end, 10);
		if (*end || errno || v > UINT32_MAX)
			return tcz_usage_error("pack", "SOURCE_DATE_EPOCH='%s': not a time in seconds", sde);
		p.have_epoch = 1;
		p.epoch = (sqfs_u32)v;
	}

	/* Validate companions before spending time on the image. */
	struct companion_text info_text = { 0 }, dep_text = { 0 };
	if (info && companion_load(info, COMPANION_INFO, &info_text))
		return TCZ_EXIT_FAIL;
	if (info && info_validate(info, info_text.data, info_text.len, path_base(output))) {
		free(info_text.data);
		return TCZ_EXIT_FAIL;
	}
	if (dep && companion_load(dep, COMPANION_DEP, &dep_text)) {
		free(info_text.data);
		return TCZ_EXIT_FAIL;
	}

	int status = TCZ_EXIT_FAIL;
	struct node *root = xcalloc(1, sizeof(*root));
	root->name = xstrdup("");
	root->path = xstrdup("");
	int fd = open(p.src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &root->st)) {
		tcz_error("%s: %s", p.src, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (scan_dir(&p, root, fd))
		goto out;
	number_inodes(&p, root);

	struct pack_files f;
	memset(&f, 0, sizeof(f));
	int ret = outfile_open(&f.image, output, 0644);
	if (!ret)
		ret = write_image(&p, root, f.image.tmp, &o);
	if (!ret) {
		struct path_list list = { 0 };
		size_t len;
		collect_paths(root, &list);
		char *text = companion_list_text(&list, &len);
		path_list_free(&list);
		ret = stage_companion(&f, output, COMPANION_LIST, text, len);
		free(text);
	}
	if (!ret && info)
		ret = stage_companion(&f, output, COMPANION_INFO, info_text.data, info_text.len);
	if (!ret && dep)
		ret = stage_companion(&f, output, COMPANION_DEP, dep_text.data, dep_text.len);
	if (!ret) {
		char *md5 = companion_md5_text(output, f.image.tmp);
		ret = md5 ? stage_companion(&f, output, COMPANION_MD5, md5, strlen(md5)) : -1;
		free(md5);
	}
	if (!ret)
		ret = publish(&f, output);
	if (ret) {
		abort_all(&f);
		goto out;
	}
	if (!quiet) {
		struct stat st;
		char hs[16] = "?";
		if (stat(output, &st) == 0)
			human_size((unsigned long long)st.st_size, hs);
		printf("%s: %u inodes, %zu files, %s, block size %zu\n", output,
		       p.next_inode - 1, p.file_count, hs, o.block_size);
	}
	status = TCZ_EXIT_OK;
out:
	free(info_text.data);
	free(dep_text.data);
	free(p.links);
	free_tree(root);
	return status;
}
