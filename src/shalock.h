/* A sha256 lock file: lines "SHA256  NAME", as sha256sum writes them. For
 * files whose publisher gives no sha256 (Tiny Core's mirror has md5 only):
 * the first download records one, later downloads must match it. */
#ifndef TCZ_SHALOCK_H
#define TCZ_SHALOCK_H

#include "hash.h"

/* Look NAME up: *found is 1 and hex filled when LOCK has it. A missing LOCK
 * is empty; a malformed one is an error naming its line. */
int shalock_lookup(const char *lock, const char *name, char hex[HASH_HEX_MAX], int *found);

/* Add "HEX  NAME" to LOCK. The file is rewritten atomically under an
 * flock on LOCK.lck, so parallel writers do not lose each other's line. */
int shalock_record(const char *lock, const char *name, const char *hex);

#endif
