#include "../../src/hash.h"
#include "../../src/hashtail.h"
#include "unit.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

/* A file written in pieces while the thread hashes it gives the digest
 * of the whole; the descriptor may be closed before the end. */
static void test_digest_of_a_file_written_in_pieces(void)
{
	char path[] = "/tmp/hashtail_test.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	static unsigned char piece[40000];
	struct hasher *whole = hasher_new(HASH_SHA256), *h[1] = { hasher_new(HASH_SHA256) };
	struct hashtail *t = hashtail_start(fd, path, h, 1);
	CHECK(t != NULL);
	long long len = 0;
	for (int i = 0; i < 200; i++) { /* 8 MB, several of the thread's batches */
		memset(piece, i, sizeof(piece));
		CHECK(write(fd, piece, sizeof(piece)) == (ssize_t)sizeof(piece));
		hasher_update(whole, piece, sizeof(piece));
		hashtail_grow(t, len += sizeof(piece));
	}
	close(fd);
	CHECK(hashtail_finish(t) == 0);
	char a[HASH_HEX_MAX], b[HASH_HEX_MAX];
	hasher_final_hex(whole, a);
	hasher_final_hex(h[0], b);
	CHECK_STR(a, b);
	unlink(path);
}

/* Said to hold more than it does: an error naming the file. */
static void test_a_file_shorter_than_announced_fails(void)
{
	char path[] = "/tmp/hashtail_test.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, "abc", 3) == 3);
	struct hasher *h[1] = { hasher_new(HASH_MD5) };
	struct hashtail *t = hashtail_start(fd, path, h, 1);
	hashtail_grow(t, 10);
	CHECK(hashtail_finish(t) == -1);
	hasher_free(h[0]);
	hashtail_abort(NULL);
	close(fd);
	unlink(path);
}

/* Aborted in the middle of a long range (a resumed gigabyte, say): it
 * stops between two reads, not at the end. */
static void test_abort_does_not_wait_for_the_range(void)
{
	char path[] = "/tmp/hashtail_test.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0 && ftruncate(fd, 4LL << 30) == 0); /* 4 GiB of holes: seconds to hash */
	struct hasher *h[1] = { hasher_new(HASH_MD5) };
	struct hashtail *t = hashtail_start(fd, path, h, 1);
	hashtail_grow(t, 4LL << 30);
	usleep(100000);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	hashtail_abort(t);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK(b.tv_sec - a.tv_sec < 1);
	hasher_free(h[0]);
	close(fd);
	unlink(path);
}

int main(void)
{
	RUN(test_digest_of_a_file_written_in_pieces);
	RUN(test_a_file_shorter_than_announced_fails);
	RUN(test_abort_does_not_wait_for_the_range);
	return 0;
}
