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

/* What write_image holds while it writes one image. */
struct image_writer {
	struct packer *p;
	sqfs_file_t *file;
	sqfs_compressor_t *cmp;
	sqfs_block_writer_t *bw;
	sqfs_frag_table_t *frags;
	sqfs_block_processor_t *proc;
	struct tables t;
	sqfs_super_t super;
};

static int image_fail(const struct image_writer *w, const char *stage, int err)
{
	tcz_error("%s: %s: %s", w->p->image, stage, image_strerror(err));
	return -1;
}

/* gzip at the level asked, through libdeflate (deflate.h). */
static int create_compressor(struct image_writer *w, const struct pack_options *o)
{
	sqfs_compressor_config_t cfg;
	int err = sqfs_compressor_config_init(&cfg, SQFS_COMP_GZIP, o->block_size, 0);
	cfg.level = (sqfs_u32)o->level;
	if (!err)
		err = tcz_compressor_create(&cfg, &w->cmp);
	return err ? image_fail(w, "creating the image", err) : 0;
}

/* A placeholder super block, and the compressor's options after it: the
 * real super block is written last, once the tables' places are known. */
static int start_image(struct image_writer *w, const struct pack_options *o)
{
	int err = sqfs_super_init(&w->super, o->block_size, 0, SQFS_COMP_GZIP);
	if (err)
		return image_fail(w, "creating the image", err);
	w->super.flags |= SQFS_FLAG_NO_XATTRS;
	err = sqfs_super_write(&w->super, w->file);
	/* Default gzip settings write no compressor options: 2.6.33 reads none. */
	if (!err && w->cmp->write_options(w->cmp, w->file) != 0)
		err = SQFS_ERROR_UNSUPPORTED;
	return err ? image_fail(w, "writing the super block", err) : 0;
}

/* Data blocks compressed on o->threads workers, written in submission
 * order, so that the bytes do not depend on the number of workers. */
static int create_block_processor(struct image_writer *w, const struct pack_options *o)
{
	sqfs_block_processor_desc_t desc = {
		.size = sizeof(desc),
		.max_block_size = o->block_size,
		.num_workers = o->threads,
		.max_backlog = 10 * o->threads + 10,
		.cmp = w->cmp,
		.wr = w->bw,
		.tbl = w->frags,
	};
	int err = sqfs_block_processor_create_ex(&desc, &w->proc);
	return err ? image_fail(w, "setting up the writers", err) : 0;
}

/* Every regular file's data through the block processor (blocks and
 * fragments, compressed on o->threads workers, written in order). */
static int write_data(struct image_writer *w, struct node *root)
{
	int rootfd = open(w->p->src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		tcz_error("%s: %s", w->p->src, strerror(errno));
		return -1;
	}
	int ret = pack_data(w->p, w->proc, root, rootfd);
	close(rootfd);
	if (ret)
		return -1;
	int err = sqfs_block_processor_finish(w->proc);
	return err ? image_fail(w, "compressing data", err) : 0;
}

/* The inode table (leaves, then directories, the root last) and the
 * directory table after it. */
static int write_inode_tables(struct image_writer *w, struct node *root)
{
	w->super.inode_table_start = w->file->get_size(w->file);
	if (write_leaves(w->p, &w->t, root) || write_dirs(w->p, &w->t, root))
		return -1;
	int err = sqfs_meta_writer_flush(w->t.im);
	if (!err)
		err = sqfs_meta_writer_flush(w->t.dm);
	if (!err) {
		w->super.root_inode_ref = root->inode_ref;
		w->super.inode_count = w->p->next_inode - 1;
		w->super.directory_table_start = w->file->get_size(w->file);
		err = sqfs_meta_write_write_to_file(w->t.dm);
	}
	return err ? image_fail(w, "writing the inode and directory tables", err) : 0;
}

/* The fragment and id tables, the real super block, padding to 4 KiB. */
static int finish_image(struct image_writer *w)
{
	int err = sqfs_frag_table_write(w->frags, w->file, &w->super, w->cmp);
	if (!err)
		err = sqfs_id_table_write(w->t.ids, w->file, &w->super, w->cmp);
	if (err)
		return image_fail(w, "writing the fragment and id tables", err);
	w->super.modification_time = w->p->newest;
	w->super.bytes_used = w->file->get_size(w->file);
	err = sqfs_super_write(&w->super, w->file);
	if (!err)
		err = pad_to_4k(w->file);
	return err ? image_fail(w, "writing the super block", err) : 0;
}

static int write_image(struct packer *p, struct node *root, const char *tmp_path,
		       const struct pack_options *o)
{
	static const char *const setup = "setting up the writers";
	static const char *const tables = "writing the inode and directory tables";
	struct image_writer w = { .p = p };
	int ret = -1;

	w.file = sqfs_open_file(tmp_path, SQFS_FILE_OPEN_OVERWRITE);
	if (!w.file) {
		tcz_error("%s: cannot create: %s", p->image, strerror(errno));
		return -1;
	}
	if (create_compressor(&w, o))
		goto out_file;
	if (start_image(&w, o))
		goto out_cmp;
	w.bw = sqfs_block_writer_create(w.file, 4096, 0);
	if (!w.bw) {
		image_fail(&w, setup, SQFS_ERROR_ALLOC);
		goto out_cmp;
	}
	w.frags = sqfs_frag_table_create(0);
	if (!w.frags) {
		image_fail(&w, setup, SQFS_ERROR_ALLOC);
		goto out_bw;
	}
	w.t.ids = sqfs_id_table_create(0);
	if (!w.t.ids) {
		image_fail(&w, setup, SQFS_ERROR_ALLOC);
		goto out_frags;
	}
	if (create_block_processor(&w, o))
		goto out_ids;
	if (write_data(&w, root))
		goto out_proc;
	/* The inode table goes to the file as it fills; the directory table
	 * stays in memory until the inode table is complete. */
	w.t.im = sqfs_meta_writer_create(w.file, w.cmp, 0);
	if (!w.t.im) {
		image_fail(&w, tables, SQFS_ERROR_ALLOC);
		goto out_proc;
	}
	w.t.dm = sqfs_meta_writer_create(w.file, w.cmp, SQFS_META_WRITER_KEEP_IN_MEMORY);
	if (!w.t.dm) {
		image_fail(&w, tables, SQFS_ERROR_ALLOC);
		goto out_im;
	}
	w.t.dirw = sqfs_dir_writer_create(w.t.dm, 0);
	if (!w.t.dirw) {
		image_fail(&w, tables, SQFS_ERROR_ALLOC);
		goto out_dm;
	}
	if (write_inode_tables(&w, root) || finish_image(&w))
		goto out_dirw;
	ret = 0;
out_dirw:
	sqfs_destroy(w.t.dirw);
out_dm:
	sqfs_destroy(w.t.dm);
out_im:
	sqfs_destroy(w.t.im);
out_proc:
	sqfs_destroy(w.proc);
out_ids:
	sqfs_destroy(w.t.ids);
out_frags:
	sqfs_destroy(w.frags);
out_bw:
	sqfs_destroy(w.bw);
out_cmp:
	sqfs_destroy(w.cmp);
out_file:
	sqfs_destroy(w.file);
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

struct pack_args {
	const char *src, *output, *info, *dep;
	int quiet;
	struct pack_options o;
};

/* -1 to go on, else the exit status (of --help or a wrong command line). */
static int parse_pack_args(int argc, char **argv, struct pack_args *a)
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
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	*a = (struct pack_args){ .o = { PACK_DEFAULT_BLOCK_SIZE, n > 0 ? (unsigned)n : 1, TCZ_DEFLATE_LEVEL } };
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:b:j:l:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': a->output = optarg; break;
		case 'I': a->info = optarg; break;
		case 'D': a->dep = optarg; break;
		case 'q': a->quiet = 1; break;
		case 'b': {
			long long bs = parse_size(optarg);
			if (bs < 4096 || bs > 1048576 || (bs & (bs - 1)))
				return tcz_usage_error("pack", "block size '%s': want a power of two from 4K to 1M", optarg);
			a->o.block_size = (size_t)bs;
			break;
		}
		case 'j': {
			char *end;
			long j = strtol(optarg, &end, 10);
			if (*end || j < 1 || j > 256)
				return tcz_usage_error("pack", "threads '%s': want a number from 1 to 256", optarg);
			a->o.threads = (unsigned)j;
			break;
		}
		case 'l': {
			char *end;
			long l = strtol(optarg, &end, 10);
			if (*end || l < TCZ_DEFLATE_LEVEL_MIN || l > TCZ_DEFLATE_LEVEL_MAX)
				return tcz_usage_error("pack", "level '%s': want a number from %d to %d", optarg,
						       TCZ_DEFLATE_LEVEL_MIN, TCZ_DEFLATE_LEVEL_MAX);
			a->o.level = (int)l;
			break;
		}
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("pack", "unknown option");
		}
	}
	if (optind != argc - 1)
		return tcz_usage_error("pack", "want exactly one directory to pack");
	a->src = argv[optind];
	if (!a->output)
		return tcz_usage_error("pack", "-o NAME.tcz is required");
	size_t olen = strlen(a->output);
	if (olen < 5 || strcmp(a->output + olen - 4, ".tcz") || path_base(a->output)[0] == '.')
		return tcz_usage_error("pack", "%s: the output must be named NAME.tcz", a->output);
	return -1;
}

/* SOURCE_DATE_EPOCH, when set, clamps every mtime: -1 to go on, else the
 * exit status of a value that is not a time. */
static int read_source_date_epoch(struct packer *p)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (!sde || !*sde)
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(sde, &end, 10);
	if (*end || errno || v > UINT32_MAX)
		return tcz_usage_error("pack", "SOURCE_DATE_EPOCH='%s': not a time in seconds", sde);
	p->have_epoch = 1;
	p->epoch = (sqfs_u32)v;
	return -1;
}

/* --info and --dep, validated before any time goes into the image. Nothing
 * is left to free on failure. */
static int load_companions(const struct pack_args *a, struct companion_text *info,
			   struct companion_text *dep)
{
	if (a->info && companion_load(a->info, COMPANION_INFO, info))
		return -1;
	if (a->info && info_validate(a->info, info->data, info->len, path_base(a->output)))
		goto out_info;
	if (a->dep && companion_load(a->dep, COMPANION_DEP, dep))
		goto out_info;
	return 0;
out_info:
	free(info->data);
	info->data = NULL;
	return -1;
}

/* The tree under p->src into ROOT, its inodes numbered. */
static int scan_tree(struct packer *p, struct node *root)
{
	int fd = open(p->src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &root->st)) {
		tcz_error("%s: %s", p->src, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* scan_dir owns fd from here. */
	if (scan_dir(p, root, fd))
		return -1;
	number_inodes(p, root);
	return 0;
}

/* The image and every companion, each to its temporary: NAME.tcz.list from
 * the tree, .info and .dep as given, .md5.txt of the image written. */
static int stage_files(struct pack_files *f, struct packer *p, struct node *root,
		       const struct pack_args *a, const struct companion_text *info,
		       const struct companion_text *dep)
{
	if (outfile_open(&f->image, a->output, 0644) || write_image(p, root, f->image.tmp, &a->o))
		return -1;
	struct path_list list = { 0 };
	size_t len;
	collect_paths(root, &list);
	char *text = companion_list_text(&list, &len);
	path_list_free(&list);
	int ret = stage_companion(f, a->output, COMPANION_LIST, text, len);
	free(text);
	if (!ret && a->info)
		ret = stage_companion(f, a->output, COMPANION_INFO, info->data, info->len);
	if (!ret && a->dep)
		ret = stage_companion(f, a->output, COMPANION_DEP, dep->data, dep->len);
	if (ret)
		return -1;
	char *md5 = companion_md5_text(a->output, f->image.tmp);
	ret = md5 ? stage_companion(f, a->output, COMPANION_MD5, md5, strlen(md5)) : -1;
	free(md5);
	return ret;
}

static void print_summary(const struct packer *p, const struct pack_args *a)
{
	struct stat st;
	char hs[16] = "?";
	if (stat(a->output, &st) == 0)
		human_size((unsigned long long)st.st_size, hs);
	printf("%s: %u inodes, %zu files, %s, block size %zu\n", a->output, p->next_inode - 1,
	       p->file_count, hs, a->o.block_size);
}

int cmd_pack(int argc, char **argv)
{
	struct pack_args a;
	int status = parse_pack_args(argc, argv, &a);
	if (status >= 0)
		return status;
	struct packer p = { .src = a.src, .image = a.output, .next_inode = 1 };
	status = read_source_date_epoch(&p);
	if (status >= 0)
		return status;

	status = TCZ_EXIT_FAIL;
	struct companion_text info = { 0 }, dep = { 0 };
	struct pack_files f = { 0 };
	if (load_companions(&a, &info, &dep))
		return status;
	struct node *root = xcalloc(1, sizeof(*root));
	root->name = xstrdup("");
	root->path = xstrdup("");
	if (scan_tree(&p, root))
		goto out_tree;
	if (stage_files(&f, &p, root, &a, &info, &dep) || publish(&f, a.output)) {
		abort_all(&f);
		goto out_tree;
	}
	if (!a.quiet)
		print_summary(&p, &a);
	status = TCZ_EXIT_OK;
out_tree:
	free(p.links);
	free_tree(root);
	free(info.data);
	free(dep.data);
	return status;
}
