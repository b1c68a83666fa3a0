/* Decompression on its own thread; see decode.h.
 *
 * The decoding thread fills slots of DECODE_SLOT bytes, in order; the
 * reader (libarchive's read callback, on the caller's thread) is handed
 * one slot at a time and gives it back on its next call, so the decoder
 * runs at most DECODE_SLOTS slots (1 MiB) ahead: a bomb of zeros costs no
 * more than that beyond what the reader's limits let through.
 */
#include "decode.h"
#include "util.h"

#include <archive_entry.h>
#include <lzma.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DECODE_SLOT (128u << 10)
#define DECODE_SLOTS 8u
#define DECODE_READ (128u << 10) /* compressed bytes read at a time */

struct decoder {
	const char *path;
	/* The source: an .xz file through liblzma, else libarchive's
	 * filters under its raw format (one entry: the decoded stream). */
	int fd;
	lzma_stream xz;
	unsigned char *in;
	int in_eof;
	struct archive *raw;

	pthread_t thread;
	int running; /* the thread is to be joined */
	pthread_mutex_t lock;
	pthread_cond_t filled, emptied;
	unsigned char *slot[DECODE_SLOTS];
	size_t len[DECODE_SLOTS];
	/* Slots filled so far (tail) and given back (head), counted from
	 * the start; the reader holds slot head while held is set. */
	unsigned long head, tail;
	int held, done, stop;
	char *error; /* why decoding stopped early: "xz: ..." */
};

static const char *xz_strerror(lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR: return "out of memory";
	case LZMA_FORMAT_ERROR: return "not in the .xz format";
	case LZMA_OPTIONS_ERROR: return "compression options this liblzma does not support";
	case LZMA_DATA_ERROR: return "compressed data is corrupt";
	case LZMA_BUF_ERROR: return "compressed data ends early (truncated)";
	default: return "liblzma failed";
	}
}

/* Up to CAP decoded bytes into OUT (*n); *end at the end of the stream.
 * NULL, or why it failed. */
static char *fill_xz(struct decoder *d, unsigned char *out, size_t cap, size_t *n, int *end)
{
	lzma_stream *s = &d->xz;
	s->next_out = out;
	s->avail_out = cap;
	char *why = NULL;
	while (s->avail_out && !why) {
		if (!s->avail_in && !d->in_eof) {
			ssize_t r = read(d->fd, d->in, DECODE_READ);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				why = xasprintf("reading: %s", strerror(errno));
				break;
			}
			d->in_eof = r == 0;
			s->next_in = d->in;
			s->avail_in = (size_t)r;
		}
		lzma_ret r = lzma_code(s, d->in_eof ? LZMA_FINISH : LZMA_RUN);
		if (r == LZMA_STREAM_END) {
			*end = 1;
			break;
		}
		if (r != LZMA_OK)
			why = xasprintf("xz: %s", xz_strerror(r));
	}
	*n = cap - s->avail_out;
	return why;
}

static char *fill_raw(struct decoder *d, unsigned char *out, size_t cap, size_t *n, int *end)
{
	*n = 0;
	while (*n < cap) {
		la_ssize_t r = archive_read_data(d->raw, out + *n, cap - *n);
		if (r < 0)
			return xasprintf("%s", archive_error_string(d->raw));
		if (r == 0) {
			*end = 1;
			break;
		}
		*n += (size_t)r;
	}
	return NULL;
}

static void *decode_main(void *arg)
{
	struct decoder *d = arg;
	pthread_mutex_lock(&d->lock);
	while (!d->done) {
		while (d->tail - d->head == DECODE_SLOTS && !d->stop)
			pthread_cond_wait(&d->emptied, &d->lock);
		if (d->stop)
			break;
		unsigned i = d->tail % DECODE_SLOTS;
		pthread_mutex_unlock(&d->lock);
		size_t n = 0;
		int end = 0;
		char *why = d->raw ? fill_raw(d, d->slot[i], DECODE_SLOT, &n, &end)
				   : fill_xz(d, d->slot[i], DECODE_SLOT, &n, &end);
		pthread_mutex_lock(&d->lock);
		d->len[i] = n;
		d->tail += n > 0;
		d->error = why;
		d->done = end || why;
		pthread_cond_signal(&d->filled);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* libarchive's read callback: the next slot, once the decoder has it. */
static la_ssize_t decoded_read(struct archive *a, void *client, const void **buf)
{
	struct decoder *d = client;
	pthread_mutex_lock(&d->lock);
	if (d->held) {
		d->head++;
		d->held = 0;
		pthread_cond_signal(&d->emptied);
	}
	while (d->tail == d->head && !d->done)
		pthread_cond_wait(&d->filled, &d->lock);
	la_ssize_t got = 0;
	if (d->tail > d->head) {
		unsigned i = d->head % DECODE_SLOTS;
		*buf = d->slot[i];
		got = (la_ssize_t)d->len[i];
		d->held = 1;
	} else if (d->error) {
		archive_set_error(a, EIO, "%s", d->error);
		got = -1;
	}
	pthread_mutex_unlock(&d->lock);
	return got;
}

/* liblzma's threaded decoder on every core; as libarchive's, no memory
 * limit beyond which it stops (the format bounds a dictionary at 1.5
 * GiB), and concatenated streams read as one. Blocks that would need
 * more than a quarter of the memory to decode in parallel are decoded
 * one at a time. */
static int start_xz(struct decoder *d)
{
	d->fd = open(d->path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		tcz_error("%s: %s", d->path, strerror(errno));
		return -1;
	}
	lzma_mt mt = {
		.flags = LZMA_CONCATENATED,
		.threads = lzma_cputhreads() ? lzma_cputhreads() : 1,
		.memlimit_threading = lzma_physmem() / 4,
		.memlimit_stop = UINT64_MAX,
	};
	lzma_ret r = lzma_stream_decoder_mt(&d->xz, &mt);
	if (r != LZMA_OK) {
		tcz_error("%s: xz: %s", d->path, xz_strerror(r));
		return -1;
	}
	d->in = xmalloc(DECODE_READ);
	return 0;
}

/* libarchive's filters, if any apply: 1 when PATH is compressed (D->raw
 * is then at the start of its decoded stream), 0 when not, or when
 * libarchive cannot open it (the reader proper says why). */
static int start_raw(struct decoder *d, int *xz_only)
{
	struct archive *raw = d->raw = archive_read_new();
	struct archive_entry *e;
	if (!raw || archive_read_support_filter_all(raw) != ARCHIVE_OK ||
	    archive_read_support_format_raw(raw) != ARCHIVE_OK ||
	    archive_read_open_filename(raw, d->path, DECODE_READ) != ARCHIVE_OK)
		return 0;
	int filters = archive_filter_count(raw);
	*xz_only = filters == 2 && archive_filter_code(raw, 0) == ARCHIVE_FILTER_XZ;
	return filters > 1 && archive_read_next_header(raw, &e) == ARCHIVE_OK;
}

int decoder_start(const char *path, struct decoder **out)
{
	struct stat st;
	*out = NULL;
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	struct decoder *d = xcalloc(1, sizeof(*d));
	d->path = path;
	d->fd = -1;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->filled, NULL);
	pthread_cond_init(&d->emptied, NULL);
	int xz_only = 0, ret = start_raw(d, &xz_only);
	if (ret == 1 && xz_only) {
		archive_read_free(d->raw);
		d->raw = NULL;
		if (start_xz(d))
			ret = -1;
	}
	if (ret != 1) {
		decoder_free(d);
		return ret;
	}
	for (unsigned i = 0; i < DECODE_SLOTS; i++)
		d->slot[i] = xmalloc(DECODE_SLOT);
	int err = pthread_create(&d->thread, NULL, decode_main, d);
	if (err) {
		tcz_error("%s: cannot start a decoding thread: %s", path, strerror(err));
		decoder_free(d);
		return -1;
	}
	d->running = 1;
	*out = d;
	return 1;
}

int decoder_open(struct decoder *d, struct archive *a)
{
	return archive_read_open(a, d, NULL, decoded_read, NULL);
}

void decoder_free(struct decoder *d)
{
	if (!d)
		return;
	if (d->running) {
		pthread_mutex_lock(&d->lock);
		d->stop = 1;
		pthread_cond_signal(&d->emptied);
		pthread_mutex_unlock(&d->lock);
		pthread_join(d->thread, NULL);
	}
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->filled);
	pthread_cond_destroy(&d->emptied);
	for (unsigned i = 0; i < DECODE_SLOTS; i++)
		free(d->slot[i]);
	if (d->raw)
		archive_read_free(d->raw);
	lzma_end(&d->xz);
	free(d->in);
	if (d->fd >= 0)
		close(d->fd);
	free(d->error);
	free(d);
}
