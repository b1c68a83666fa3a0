/* Verified downloads: the engine behind `tcz fetch`, `fetch --list`,
 * `mirror sync` and `install`. One process drives every transfer through
 * libcurl's multi interface, several at once, each file through its own
 * sources in order with retries, resume and checksums computed while the
 * bytes arrive. A file appears under its final name only once it verifies.
 */
#ifndef TCZ_DOWNLOAD_H
#define TCZ_DOWNLOAD_H

#include "hash.h"

#include <stddef.h>

#define DL_MAX_HASHES 4
#define DL_MAX_SOURCES 64

enum dl_result {
	DL_OK,
	DL_FAILED,    /* no source could deliver it (network, I/O) */
	DL_NOT_FOUND, /* every source said it does not exist (404, no file) */
	DL_MISMATCH,  /* a source delivered it, but a checksum did not match */
};

struct dl_item {
	/* Set by the caller through dl_init, dl_want, dl_source. */
	char *dest;
	struct {
		enum hash_algo algo;
		char hex[HASH_HEX_MAX];
	} want[DL_MAX_HASHES];
	size_t nwant; /* 0: nothing to check against; fetched every time */
	/* A missing file is an answer (a mirror's optional .dep, .list...):
	 * no messages when every source says it does not exist. */
	int missing_ok;
	/* Most bytes the file may have; 0: no limit. Enforced while the bytes
	 * arrive (and before, when a server announces the size): what nothing
	 * can verify must at least be bounded. */
	long long max_size;
	char *src[DL_MAX_SOURCES];
	size_t nsrc;
	/* Set by dl_run. */
	enum dl_result result;
	char sha256[HASH_HEX_MAX]; /* of dest, when result is DL_OK */
};

/* How long a transfer may take. An attempt slower than speed_limit bytes/s
 * on average over speed_time seconds is given up (and retried, then the
 * next source); a file not done after max_time seconds, over every source
 * and retry, fails. Redirects to another scheme (http, https, ftp) are
 * bound by the same limits. */
struct dl_limits {
	long long speed_limit;
	long speed_time;
	long max_time; /* 0: no deadline */
};
#define DL_SPEED_LIMIT 1024      /* bytes/s */
#define DL_SPEED_TIME 30         /* seconds */
#define DL_MAX_TIME (4L * 3600)  /* seconds: 14 GB at 1 MB/s */

/* The limits dl_run uses: the defaults above, overridden by the environment
 * (TCZ_FETCH_SPEED_LIMIT, TCZ_FETCH_STALL for speed_time,
 * TCZ_FETCH_MAX_TIME), overridden by dl_limits_set. -1 with a message
 * when a variable is not a number. */
int dl_limits_get(struct dl_limits *l);
/* Limits from a command line, for every later dl_run of this process. */
void dl_limits_set(const struct dl_limits *l);

void dl_init(struct dl_item *it, const char *dest);
/* hex must already be a valid digest (hash_hex_valid); -1 if too many. */
int dl_want(struct dl_item *it, enum hash_algo algo, const char *hex);
/* A URL (http, https, ftp, file://) or a local path; -1 if too many. */
int dl_source(struct dl_item *it, const char *src);
void dl_free(struct dl_item *it);

/* Fetch every item, at most `jobs` transfers at once. Sources are, in
 * order: $TCZ_PRIMARY_SITE/NAME, the item's own, $TCZ_BACKUP_SITE/NAME,
 * where NAME is dest's file name. An existing dest that verifies is kept;
 * one that does not is moved to dest.bad. Each failure is reported on
 * stderr; with quiet, nothing else is. 0 when every item is DL_OK. */
int dl_run(struct dl_item *items, size_t n, int jobs, int quiet);

/* One file from one URL, quietly: md5 (hex) or NULL for nothing to check;
 * at most max_size bytes (0: no limit). */
enum dl_result dl_fetch(const char *dest, const char *url, const char *md5, int missing_ok,
			long long max_size);

/* The TCZ_EXIT_ status for a result. */
int dl_exit_status(enum dl_result r);

#endif
