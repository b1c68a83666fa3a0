/* Opening a squashfs image safely; see image.h. */
#include "deflate.h"
#include "image.h"
#include "util.h"

#include <sqfs/block.h>
#include <sqfs/dir.h>
#include <sqfs/error.h>
#include <sqfs/inode.h>
#include <sqfs/meta_reader.h>

#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *image_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case SQFS_ERROR_ALLOC: return "out of memory";
	case SQFS_ERROR_IO: return "input/output error";
	case SQFS_ERROR_COMPRESSOR: return "compressed data is corrupt";
	case SQFS_ERROR_INTERNAL: return "internal error in libsquashfs";
	case SQFS_ERROR_CORRUPTED: return "the image is corrupted";
	case SQFS_ERROR_UNSUPPORTED: return "unsupported feature";
	case SQFS_ERROR_OVERFLOW: return "a size or count overflows";
	case SQFS_ERROR_OUT_OF_BOUNDS: return "a reference points outside the image";
	case SFQS_ERROR_SUPER_MAGIC: return "not a squashfs image";
	case SFQS_ERROR_SUPER_VERSION: return "not squashfs version 4.0";
	case SQFS_ERROR_SUPER_BLOCK_SIZE: return "invalid block size";
	case SQFS_ERROR_NOT_DIR: return "not a directory";
	case SQFS_ERROR_NO_ENTRY: return "no such entry";
	case SQFS_ERROR_LINK_LOOP: return "a directory loop";
	case SQFS_ERROR_NOT_FILE: return "not a regular file";
	case SQFS_ERROR_ARG_INVALID: return "invalid argument";
	case SQFS_ERROR_SEQUENCE: return "calls out of sequence";
	default: return "unknown libsquashfs error";
	}
}

static int fail(struct image *img, const char *what, int err)
{
	tcz_error("%s: %s%s%s", img->path, what, err ? ": " : "", err ? image_strerror(err) : "");
	image_close(img);
	return -1;
}

int image_open(struct image *img, const char *path)
{
	memset(img, 0, sizeof(*img));
	img->path = path;
	struct stat st;
	if (stat(path, &st)) {
		tcz_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		tcz_error("%s: not a regular file", path);
		return -1;
	}
	img->file_size = (unsigned long long)st.st_size;
	img->file = sqfs_open_file(path, SQFS_FILE_OPEN_READ_ONLY);
	if (!img->file) {
		tcz_error("%s: %s", path, strerror(errno ? errno : EIO));
		return -1;
	}
	if (img->file_size < sizeof(sqfs_super_t))
		return fail(img, "not a squashfs image (shorter than a super block)", 0);
	int err = sqfs_super_read(&img->super, img->file);
	if (err)
		return fail(img, "reading the super block", err);
	if (img->super.bytes_used > img->file_size)
		return fail(img, "truncated (the super block claims more bytes than the file has)", 0);
	/* Every table must start inside the used bytes. */
	const sqfs_u64 starts[] = { img->super.inode_table_start, img->super.directory_table_start,
				    img->super.id_table_start };
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (starts[i] >= img->super.bytes_used || starts[i] < sizeof(sqfs_super_t))
			return fail(img, "corrupted (a table lies outside the image)", 0);
	/* libsquashfs allocates tables by the counts the super block claims:
	 * a forged count must not become a multi-gigabyte allocation. No
	 * table can hold more entries than the image has bytes for. */
	if ((unsigned long long)img->super.fragment_entry_count * 16 > img->super.bytes_used ||
	    (unsigned long long)img->super.id_count * 4 > img->super.bytes_used ||
	    img->super.inode_count > img->super.bytes_used)
		return fail(img, "corrupted (table sizes larger than the image)", 0);
	err = sqfs_compressor_config_init(&img->cfg, img->super.compression_id,
					  img->super.block_size, SQFS_COMP_FLAG_UNCOMPRESS);
	if (!err)
		err = tcz_compressor_create(&img->cfg, &img->cmp);
	if (err)
		return fail(img, "compressor", err);
	img->ids = sqfs_id_table_create(0);
	if (!img->ids)
		return fail(img, "id table", SQFS_ERROR_ALLOC);
	err = sqfs_id_table_read(img->ids, img->file, &img->super, img->cmp);
	if (err)
		return fail(img, "reading the id table", err);
	img->data = sqfs_data_reader_create(img->file, img->super.block_size, img->cmp, 0);
	if (!img->data)
		return fail(img, "setting up readers", SQFS_ERROR_ALLOC);
	err = sqfs_data_reader_load_fragment_table(img->data, &img->super);
	if (err)
		return fail(img, "reading the fragment table", err);
	return 0;
}

void image_close(struct image *img)
{
	if (img->data)
		sqfs_destroy(img->data);
	if (img->ids)
		sqfs_destroy(img->ids);
	if (img->cmp)
		sqfs_destroy(img->cmp);
	if (img->file)
		sqfs_destroy(img->file);
	img->data = NULL;
	img->ids = NULL;
	img->cmp = NULL;
	img->file = NULL;
}

/* Building the tree is where a small image can ask for unbounded memory:
 * directory entries that share a subdirectory (a DAG, not a loop, which
 * libsquashfs's own walk does not catch) expand to 2^depth paths; an inode
 * may claim a block list of gigabytes, which 8 KiB metadata blocks of
 * zeros compress a thousandfold. So the tree is built here on
 * libsquashfs's metadata readers, one directory listing at a time: each
 * listing may be reached once, each inode's claims are read before
 * libsquashfs allocates for them, and the tree's entries, bytes (names,
 * block lists, link targets, directory indexes) and depth are bounded. */
struct walk {
	struct image *img;
	sqfs_meta_reader_t *inodes, *dirs;
	/* Directory listings reached so far: an open-addressing set of
	 * (table block << 16 | offset) + 1, 0 marking a free slot. */
	sqfs_u64 *seen;
	size_t nseen, cap;
	unsigned long entries;
	unsigned long long bytes;
};

/* "IMAGE: WHAT in DIR"; takes WHAT (allocated). */
static int walk_error(struct walk *w, const sqfs_tree_node_t *dir, char *what)
{
	char *where = dir->parent ? image_node_path(dir) : xstrdup("/");
	tcz_error("%s: %s in %s", w->img->path, what, where);
	free(what);
	free(where);
	return -1;
}

/* Put KEY (not 0) in the set V of CAP slots; 1 if it was there. */
static int set_insert(sqfs_u64 *v, size_t cap, sqfs_u64 key)
{
	for (size_t j = (size_t)(key * 0x9E3779B97F4A7C15ull) % cap;; j = (j + 1) % cap) {
		if (v[j] == key)
			return 1;
		if (!v[j]) {
			v[j] = key;
			return 0;
		}
	}
}

/* 1 if the listing was reached before; empty listings are never read, so
 * they may share a place (mksquashfs gives them the next one's). */
static int reached_before(struct walk *w, const sqfs_inode_generic_t *in)
{
	sqfs_u64 block, size;
	sqfs_u16 offset;
	if (in->base.type == SQFS_INODE_EXT_DIR) {
		block = in->data.dir_ext.start_block;
		offset = in->data.dir_ext.offset;
		size = in->data.dir_ext.size;
	} else {
		block = in->data.dir.start_block;
		offset = in->data.dir.offset;
		size = in->data.dir.size;
	}
	if (size <= sizeof(sqfs_dir_header_t))
		return 0;
	if (2 * (w->nseen + 1) > w->cap) {
		size_t old = w->cap;
		sqfs_u64 *prev = w->seen;
		w->cap = old ? 2 * old : 64;
		w->seen = xcalloc(w->cap, sizeof(*w->seen));
		for (size_t i = 0; i < old; i++)
			if (prev[i])
				set_insert(w->seen, w->cap, prev[i]);
		free(prev);
	}
	int seen = set_insert(w->seen, w->cap, (block << 16 | offset) + 1);
	w->nseen += !seen;
	return seen;
}

static int by_name(const void *a, const void *b)
{
	const sqfs_tree_node_t *x = *(const sqfs_tree_node_t *const *)a, *y = *(const sqfs_tree_node_t *const *)b;
	return strcmp((const char *)x->name, (const char *)y->name);
}

/* Two entries of one name: a reader would keep the later one, unpack
 * would lay both (a symlink, then a directory through it). Refused. */
static int check_duplicates(struct walk *w, const sqfs_tree_node_t *dir, size_t n)
{
	if (n < 2)
		return 0;
	const sqfs_tree_node_t **v = xmalloc(n * sizeof(*v));
	size_t i = 0;
	for (const sqfs_tree_node_t *c = dir->children; c; c = c->next)
		v[i++] = c;
	qsort(v, n, sizeof(*v), by_name);
	int ret = 0;
	for (i = 1; !ret && i < n; i++)
		if (!strcmp((const char *)v[i - 1]->name, (const char *)v[i]->name))
			ret = walk_error(w, dir, xasprintf("duplicate name '%s'", (const char *)v[i]->name));
	free(v);
	return ret;
}

static sqfs_u64 block_count(sqfs_u64 size, sqfs_u32 bs, sqfs_u32 frag_index, sqfs_u32 frag_offset)
{
	/* As libsquashfs's read_inode.c counts them. */
	return size / bs + (size % bs && (frag_index == 0xFFFFFFFF || frag_offset == 0xFFFFFFFF));
}

/* The bytes libsquashfs will allocate and fill beyond the fixed part of
 * the inode at REF (a file's block list, a link's target, a directory's
 * index), read from the table before it does; reading stops once they
 * pass LIMIT. */
static int inode_claims(struct walk *w, sqfs_u64 ref, sqfs_u64 limit, sqfs_u64 *bytes)
{
	sqfs_meta_reader_t *m = w->inodes;
	sqfs_u32 bs = w->img->super.block_size;
	sqfs_inode_t base;
	*bytes = 0;
	int err = sqfs_meta_reader_seek(m, w->img->super.inode_table_start + (ref >> 16), ref & 0xFFFF);
	if (!err)
		err = sqfs_meta_reader_read(m, &base, sizeof(base));
	if (err)
		return err;
	switch (le16toh(base.type)) {
	case SQFS_INODE_FILE: {
		sqfs_inode_file_t f;
		err = sqfs_meta_reader_read(m, &f, sizeof(f));
		*bytes = 4 * block_count(le32toh(f.file_size), bs, le32toh(f.fragment_index),
					 le32toh(f.fragment_offset));
		break;
	}
	case SQFS_INODE_EXT_FILE: {
		sqfs_inode_file_ext_t f;
		err = sqfs_meta_reader_read(m, &f, sizeof(f));
		sqfs_u64 n = block_count(le64toh(f.file_size), bs, le32toh(f.fragment_idx), le32toh(f.fragment_offset));
		*bytes = n > limit ? limit + 1 : 4 * n;
		break;
	}
	case SQFS_INODE_SLINK:
	case SQFS_INODE_EXT_SLINK: {
		sqfs_inode_slink_t l;
		err = sqfs_meta_reader_read(m, &l, sizeof(l));
		*bytes = (sqfs_u64)le32toh(l.target_size) + 1;
		break;
	}
	case SQFS_INODE_EXT_DIR: {
		sqfs_inode_dir_ext_t d;
		err = sqfs_meta_reader_read(m, &d, sizeof(d));
		for (unsigned i = 0; !err && d.size && i < le16toh(d.inodex_count) && *bytes <= limit; i++) {
			sqfs_dir_index_t x;
			char skip[256];
			err = sqfs_meta_reader_read(m, &x, sizeof(x));
			sqfs_u64 name = err ? 0 : (sqfs_u64)le32toh(x.size) + 1;
			*bytes += sizeof(x) + name;
			while (!err && name && *bytes <= limit) {
				size_t k = name < sizeof(skip) ? (size_t)name : sizeof(skip);
				err = sqfs_meta_reader_read(m, skip, k);
				name -= k;
			}
		}
		break;
	}
	default:
		break;
	}
	return err;
}

/* One entry of the directory being read, as a node; NULL on error. */
static sqfs_tree_node_t *read_entry(struct walk *w, const sqfs_tree_node_t *dir, const sqfs_dir_entry_t *ent,
				    sqfs_u64 ref)
{
	struct image *img = w->img;
	const char *name = (const char *)ent->name;
	size_t len = strlen(name);
	if (len != (size_t)ent->size + 1 || !strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/')) {
		walk_error(w, dir, xasprintf("hostile entry name '%s'", name));
		return NULL;
	}
	if (++w->entries > TCZ_TREE_MAX_ENTRIES) {
		tcz_error("%s: more than %u entries (tcz reads no larger tree)", img->path, TCZ_TREE_MAX_ENTRIES);
		return NULL;
	}
	sqfs_u64 claims, left = TCZ_TREE_MAX_BYTES - w->bytes;
	sqfs_inode_generic_t *in = NULL;
	int err = inode_claims(w, ref, left, &claims);
	if (!err && len + claims > left) {
		tcz_error("%s: names, block lists and link targets larger than %u MiB (tcz reads no larger tree)",
			  img->path, TCZ_TREE_MAX_BYTES >> 20);
		return NULL;
	}
	if (!err)
		err = sqfs_meta_reader_read_inode(w->inodes, &img->super, ref >> 16, ref & 0xFFFF, &in);
	if (err) {
		walk_error(w, dir, xasprintf("inode of '%s': %s", name, image_strerror(err)));
		return NULL;
	}
	w->bytes += len + claims;
	sqfs_tree_node_t *n = xcalloc(1, sizeof(*n) + len + 1);
	memcpy(n->name, name, len + 1);
	n->inode = in;
	if (sqfs_id_table_index_to_id(img->ids, in->base.uid_idx, &n->uid) ||
	    sqfs_id_table_index_to_id(img->ids, in->base.gid_idx, &n->gid)) {
		walk_error(w, dir, xasprintf("'%s': owner outside the id table", name));
		free(in);
		free(n);
		return NULL;
	}
	return n;
}

static int fill_dir(struct walk *w, sqfs_tree_node_t *dir, unsigned depth)
{
	if (depth > TCZ_TREE_MAX_DEPTH) {
		tcz_error("%s: directories nested deeper than %u levels", w->img->path, TCZ_TREE_MAX_DEPTH);
		return -1;
	}
	sqfs_readdir_state_t it;
	int err = sqfs_readdir_state_init(&it, &w->img->super, dir->inode);
	sqfs_tree_node_t **tail = &dir->children;
	size_t n = 0;
	while (!err) {
		sqfs_dir_entry_t *ent;
		sqfs_u64 ref;
		err = sqfs_meta_reader_readdir(w->dirs, &it, &ent, NULL, &ref);
		if (err)
			break;
		sqfs_tree_node_t *c = read_entry(w, dir, ent, ref);
		free(ent);
		if (!c)
			return -1;
		c->parent = dir;
		*tail = c;
		tail = &c->next;
		n++;
	}
	if (err < 0) {
		char *where = dir->parent ? image_node_path(dir) : xstrdup("/");
		tcz_error("%s: reading directory %s: %s", w->img->path, where, image_strerror(err));
		free(where);
		return -1;
	}
	if (check_duplicates(w, dir, n))
		return -1;
	for (sqfs_tree_node_t *c = dir->children; c; c = c->next) {
		if (!S_ISDIR(c->inode->base.mode))
			continue;
		if (reached_before(w, c->inode)) {
			return walk_error(w, dir, xasprintf("directory inode %u is reached twice (a shared or "
							    "looping directory) at '%s'",
							    (unsigned)c->inode->base.inode_number, (const char *)c->name));
		}
		if (fill_dir(w, c, depth + 1))
			return -1;
	}
	return 0;
}

/* The root, as an entry of no directory. */
static sqfs_tree_node_t *read_root(struct walk *w)
{
	struct image *img = w->img;
	sqfs_u64 ref = img->super.root_inode_ref, claims;
	sqfs_inode_generic_t *in = NULL;
	int err = inode_claims(w, ref, TCZ_TREE_MAX_BYTES, &claims);
	if (!err && claims > TCZ_TREE_MAX_BYTES)
		err = SQFS_ERROR_OVERFLOW;
	if (!err)
		err = sqfs_meta_reader_read_inode(w->inodes, &img->super, ref >> 16, ref & 0xFFFF, &in);
	if (err) {
		tcz_error("%s: reading the root directory: %s", img->path, image_strerror(err));
		return NULL;
	}
	w->bytes += claims;
	sqfs_tree_node_t *r = xcalloc(1, sizeof(*r) + 1);
	r->inode = in;
	if (!S_ISDIR(in->base.mode))
		tcz_error("%s: the root is not a directory", img->path);
	else if (sqfs_id_table_index_to_id(img->ids, in->base.uid_idx, &r->uid) ||
		 sqfs_id_table_index_to_id(img->ids, in->base.gid_idx, &r->gid))
		tcz_error("%s: the root's owner lies outside the id table", img->path);
	else
		return r;
	sqfs_dir_tree_destroy(r);
	return NULL;
}

int image_tree(struct image *img, sqfs_tree_node_t **root)
{
	const sqfs_super_t *s = &img->super;
	/* Where each table ends, as sqfs_dir_reader_create has it. */
	sqfs_u64 dir_end = s->id_table_start;
	if (s->fragment_table_start < dir_end)
		dir_end = s->fragment_table_start;
	if (s->export_table_start < dir_end)
		dir_end = s->export_table_start;
	struct walk w = {
		.img = img,
		.inodes = sqfs_meta_reader_create(img->file, img->cmp, s->inode_table_start, s->directory_table_start),
		.dirs = sqfs_meta_reader_create(img->file, img->cmp, s->directory_table_start, dir_end),
	};
	*root = NULL;
	int ret = -1;
	sqfs_tree_node_t *r = NULL;
	if (!w.inodes || !w.dirs)
		tcz_error("%s: metadata readers: %s", img->path, image_strerror(SQFS_ERROR_ALLOC));
	else if ((r = read_root(&w)) && !reached_before(&w, r->inode))
		ret = fill_dir(&w, r, 1);
	if (w.inodes)
		sqfs_destroy(w.inodes);
	if (w.dirs)
		sqfs_destroy(w.dirs);
	free(w.seen);
	if (ret) {
		sqfs_dir_tree_destroy(r);
		return -1;
	}
	*root = r;
	return 0;
}

/* One data block into buf: exactly `want` bytes, or an error. */
static int read_block(struct image *img, sqfs_u64 off, sqfs_u32 entry, size_t want,
		      unsigned char *buf, unsigned char *raw, const char **why)
{
	sqfs_u32 disk = SQFS_ON_DISK_BLOCK_SIZE(entry);
	if (disk > img->super.block_size || off > img->super.bytes_used || disk > img->super.bytes_used - off) {
		*why = "a data block lies outside the image";
		return -1;
	}
	int compressed = SQFS_IS_BLOCK_COMPRESSED(entry);
	int err = img->file->read_at(img->file, off, compressed ? raw : buf, disk);
	sqfs_s32 got = (sqfs_s32)disk;
	if (!err && compressed)
		got = img->cmp->do_block(img->cmp, raw, disk, buf, img->super.block_size);
	if (err || got < 0) {
		*why = image_strerror(err ? err : got);
		return -1;
	}
	if ((size_t)got != want) {
		*why = "a data block holds fewer or more bytes than the file";
		return -1;
	}
	return 0;
}

int image_read_file(struct image *img, const sqfs_inode_generic_t *in, const char *path,
		    int (*sink)(void *ctx, const void *data, size_t len), void *ctx)
{
	sqfs_u64 size = 0, off = 0, done = 0;
	sqfs_u32 bs = img->super.block_size;
	sqfs_inode_get_file_size(in, &size);
	sqfs_inode_get_file_block_start(in, &off);
	size_t blocks = sqfs_inode_get_file_block_count(in);
	unsigned char *buf = xmalloc(bs), *raw = xmalloc(bs);
	const char *why = NULL;
	int ret = -1;
	/* The count comes from the size, so it never runs past the end. */
	for (size_t i = 0; i < blocks; i++) {
		size_t want = size - done < bs ? (size_t)(size - done) : bs;
		sqfs_u32 entry = in->extra[i];
		if (SQFS_IS_SPARSE_BLOCK(entry)) {
			if (sink(ctx, NULL, want))
				goto out;
		} else {
			if (read_block(img, off, entry, want, buf, raw, &why))
				goto fail;
			if (sink(ctx, buf, want))
				goto out;
			off += SQFS_ON_DISK_BLOCK_SIZE(entry);
		}
		done += want;
	}
	/* The tail, from a fragment block: libsquashfs's reader checks it
	 * against the size the fragment block inflated to. */
	if (done < size) {
		sqfs_s32 got = sqfs_data_reader_read(img->data, in, done, buf, (sqfs_u32)(size - done));
		if (got < 0 || (sqfs_u64)got != size - done) {
			why = got < 0 ? image_strerror(got) : "the fragment ends early";
			goto fail;
		}
		if (sink(ctx, buf, (size_t)got))
			goto out;
	}
	ret = 0;
	goto out;
fail:
	tcz_error("%s: reading %s: %s", img->path, path, why);
out:
	free(buf);
	free(raw);
	return ret;
}

struct link {
	sqfs_u32 ino;
	sqfs_u64 size;
};

static int by_ino(const void *a, const void *b)
{
	sqfs_u32 x = ((const struct link *)a)->ino, y = ((const struct link *)b)->ino;
	return x < y ? -1 : x > y;
}

unsigned long long image_tree_bytes(const sqfs_tree_node_t *root)
{
	/* Hard-linked files (extended inodes with nlink > 1) count once. */
	struct link *links = NULL;
	size_t n = 0, cap = 0;
	unsigned long long total = 0;
	const sqfs_tree_node_t *c = root->children;
	while (c) {
		const sqfs_inode_generic_t *in = c->inode;
		sqfs_u64 size = 0;
		if (S_ISREG(in->base.mode)) {
			sqfs_inode_get_file_size(in, &size);
			if (in->base.type == SQFS_INODE_EXT_FILE && in->data.file_ext.nlink > 1) {
				if (n == cap)
					links = xrealloc(links, (cap = cap ? 2 * cap : 16) * sizeof(*links));
				links[n].ino = in->base.inode_number;
				links[n++].size = size;
			} else {
				total += size;
			}
		}
		/* Depth first without recursion: down, else along, else up. */
		if (c->children) {
			c = c->children;
			continue;
		}
		while (c && !c->next)
			c = c->parent == root ? NULL : c->parent;
		c = c ? c->next : NULL;
	}
	if (n)
		qsort(links, n, sizeof(*links), by_ino);
	for (size_t i = 0; i < n; i++)
		total += i && links[i].ino == links[i - 1].ino ? 0 : links[i].size;
	free(links);
	return total;
}

int image_load(struct image *img, const char *path, sqfs_tree_node_t **root)
{
	if (image_open(img, path))
		return -1;
	if (image_tree(img, root)) {
		image_close(img);
		return -1;
	}
	return 0;
}

int image_command(int argc, char **argv, const char *cmd, void (*usage)(FILE *),
		  int (*each)(struct image *img, sqfs_tree_node_t *root, const char *path))
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return TCZ_EXIT_OK;
		}
		return tcz_usage_error(cmd, "unknown option");
	}
	if (optind >= argc)
		return tcz_usage_error(cmd, "no image given");
	int status = TCZ_EXIT_OK;
	for (int i = optind; i < argc; i++) {
		struct image img;
		sqfs_tree_node_t *root;
		int st = TCZ_EXIT_FAIL;
		if (image_load(&img, argv[i], &root) == 0) {
			st = each(&img, root, argv[i]);
			sqfs_dir_tree_destroy(root);
			image_close(&img);
		}
		if (st > status)
			status = st;
	}
	if (fflush(stdout) || ferror(stdout)) {
		tcz_perror("standard output");
		return TCZ_EXIT_FAIL;
	}
	return status;
}

char *image_node_path(const sqfs_tree_node_t *n)
{
	size_t len = 0;
	for (const sqfs_tree_node_t *it = n; it->parent; it = it->parent)
		len += strlen((const char *)it->name) + 1;
	char *path = xmalloc(len ? len : 1);
	path[len ? len - 1 : 0] = '\0';
	size_t end = len ? len - 1 : 0;
	for (const sqfs_tree_node_t *it = n; it->parent; it = it->parent) {
		size_t l = strlen((const char *)it->name);
		end -= l;
		memcpy(path + end, it->name, l);
		if (end > 0)
			path[--end] = '/';
	}
	return path;
}
