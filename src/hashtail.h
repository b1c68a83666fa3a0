/* The digests of a file that is being written, computed on a thread of
 * their own from what has been written so far (read back while it is
 * still in the page cache), so that hashing a download overlaps with
 * receiving it: the writer only says how far the file has grown. */
#ifndef TCZ_HASHTAIL_H
#define TCZ_HASHTAIL_H

#include "hash.h"

struct hashtail;

/* Hash the file open as FD (LABEL names it in messages) from its first
 * byte with the N hashers H, which the thread uses until hashtail_finish
 * or hashtail_abort. NULL, with a message, if no thread can be started. */
struct hashtail *hashtail_start(int fd, const char *label, struct hasher *const *h, size_t n);

/* The file now holds LEN bytes, all of them to be hashed. */
void hashtail_grow(struct hashtail *t, long long len);

/* Wait until every byte the file was said to hold is hashed, then free T:
 * 0, or -1 with a message naming the file (it could not be read back, or
 * ended early). */
int hashtail_finish(struct hashtail *t);

/* Stop at once (the digests are partial) and free T; NULL is no-op. */
void hashtail_abort(struct hashtail *t);

#endif
