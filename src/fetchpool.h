/* Running `tcz fetch` as child processes: one and wait (fetch_run), or
 * several at once (a pool). Downloads elsewhere in the tool go through
 * these, so that every one gets the same sources, retries, resume and
 * verification as the fetch command. */
#ifndef TCZ_FETCHPOOL_H
#define TCZ_FETCHPOOL_H

#include <sys/types.h>

#define FETCH_POOL_MAX 32

/* `tcz fetch ARGS...` (NULL-terminated); its exit status, or -1. */
int fetch_run(const char *const *args);

struct fetch_pool {
	int jobs;
	size_t running;
	pid_t pids[FETCH_POOL_MAX];
	char *labels[FETCH_POOL_MAX];
	unsigned failed;
};

void fetch_pool_init(struct fetch_pool *p, int jobs);
/* Start a fetch, first waiting while `jobs` are running. -1 if it could
 * not be started. */
int fetch_pool_add(struct fetch_pool *p, const char *label, const char *const *args);
/* Wait for every fetch; the number that failed (each named on stderr). */
unsigned fetch_pool_wait(struct fetch_pool *p);

#endif
