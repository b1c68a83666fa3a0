/* Hashing a file as it grows; see hashtail.h.
 *
 * The thread reads the file through its own descriptor (a dup: the writer
 * may close its own before the digests are asked for) and sleeps until
 * HASHTAIL_BATCH more bytes are there or the end is announced, so that a
 * writer of small pieces wakes it once a megabyte, not once a piece.
 */
#include "hashtail.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HASHTAIL_BATCH (1 << 20)

struct hashtail {
	int fd;
	char *label;
	struct hasher *const *h;
	size_t n;
	unsigned char *buf;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t grown;
	/* Under lock: the bytes announced, the bytes hashed. */
	long long avail, hashed;
	int ending, sleeping;
	atomic_int stop; /* also read between the reads of a range */
	char *error;
};

/* Hash [from, to) of the file; NULL, or why not. */
static char *hash_range(struct hashtail *t, long long from, long long to)
{
	while (from < to && !atomic_load(&t->stop)) {
		size_t want = to - from > HASHTAIL_BATCH ? HASHTAIL_BATCH : (size_t)(to - from);
		ssize_t r = pread(t->fd, t->buf, want, (off_t)from);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return xasprintf("%s: reading it back to hash it: %s", t->label, strerror(errno));
		if (r == 0)
			return xasprintf("%s: ends at %lld bytes while %lld were written to it", t->label, from, to);
		for (size_t i = 0; i < t->n; i++)
			hasher_update(t->h[i], t->buf, (size_t)r);
		from += r;
	}
	return NULL;
}

static void *hashtail_main(void *arg)
{
	struct hashtail *t = arg;
	pthread_mutex_lock(&t->lock);
	for (;;) {
		while (!atomic_load(&t->stop) && !t->ending && t->avail - t->hashed < HASHTAIL_BATCH) {
			t->sleeping = 1;
			pthread_cond_wait(&t->grown, &t->lock);
			t->sleeping = 0;
		}
		if (atomic_load(&t->stop) || t->hashed == t->avail)
			break;
		long long from = t->hashed, to = t->avail;
		pthread_mutex_unlock(&t->lock);
		char *why = hash_range(t, from, to);
		pthread_mutex_lock(&t->lock);
		t->hashed = to;
		if (why) {
			t->error = why;
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

struct hashtail *hashtail_start(int fd, const char *label, struct hasher *const *h, size_t n)
{
	struct hashtail *t = xcalloc(1, sizeof(*t));
	t->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (t->fd < 0) {
		tcz_error("%s: %s", label, strerror(errno));
		free(t);
		return NULL;
	}
	t->label = xstrdup(label);
	t->h = h;
	t->n = n;
	t->buf = xmalloc(HASHTAIL_BATCH);
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->grown, NULL);
	int err = pthread_create(&t->thread, NULL, hashtail_main, t);
	if (err) {
		tcz_error("%s: cannot start a hashing thread: %s", label, strerror(err));
		pthread_mutex_destroy(&t->lock);
		pthread_cond_destroy(&t->grown);
		close(t->fd);
		free(t->buf);
		free(t->label);
		free(t);
		return NULL;
	}
	return t;
}

void hashtail_grow(struct hashtail *t, long long len)
{
	pthread_mutex_lock(&t->lock);
	t->avail = len;
	if (t->sleeping && t->avail - t->hashed >= HASHTAIL_BATCH)
		pthread_cond_signal(&t->grown);
	pthread_mutex_unlock(&t->lock);
}

/* Tell the thread to END (finish what was announced) or STOP, join it,
 * free T: its error, if any. */
static char *hashtail_end(struct hashtail *t, int stop)
{
	pthread_mutex_lock(&t->lock);
	t->ending = 1;
	atomic_store(&t->stop, stop);
	pthread_cond_signal(&t->grown);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->grown);
	char *error = t->error;
	close(t->fd);
	free(t->buf);
	free(t->label);
	free(t);
	return error;
}

int hashtail_finish(struct hashtail *t)
{
	char *error = hashtail_end(t, 0);
	if (!error)
		return 0;
	tcz_error("%s", error);
	free(error);
	return -1;
}

void hashtail_abort(struct hashtail *t)
{
	if (t)
		free(hashtail_end(t, 1));
}
