/* tcz fetch as child processes; see fetchpool.h. */
#include "fetchpool.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static pid_t spawn_fetch(const char *const *args)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		tcz_perror("/proc/self/exe");
		return -1;
	}
	self[n] = '\0';
	size_t count = 0;
	while (args[count])
		count++;
	char **argv = xcalloc(count + 3, sizeof(*argv));
	argv[0] = self;
	argv[1] = "fetch";
	for (size_t i = 0; i < count; i++)
		argv[i + 2] = (char *)args[i];
	pid_t pid;
	int err = posix_spawn(&pid, self, NULL, NULL, argv, environ);
	free(argv);
	if (err) {
		tcz_error("starting tcz fetch: %s", strerror(err));
		return -1;
	}
	return pid;
}

static int wait_for(pid_t *pid, int *status)
{
	pid_t got;
	while ((got = waitpid(*pid, status, 0)) < 0)
		if (errno != EINTR) {
			tcz_perror("waiting for tcz fetch");
			return -1;
		}
	*pid = got;
	return 0;
}

int fetch_run(const char *const *args)
{
	pid_t pid = spawn_fetch(args);
	int status;
	if (pid < 0 || wait_for(&pid, &status))
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void fetch_pool_init(struct fetch_pool *p, int jobs)
{
	memset(p, 0, sizeof(*p));
	p->jobs = jobs < 1 ? 1 : jobs > FETCH_POOL_MAX ? FETCH_POOL_MAX : jobs;
}

/* Reap one finished child. */
static void reap_one(struct fetch_pool *p)
{
	int status;
	pid_t done = -1;
	if (wait_for(&done, &status))
		return;
	for (size_t i = 0; i < p->running; i++) {
		if (p->pids[i] != done)
			continue;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			tcz_error("%s: download or verification failed", p->labels[i]);
			p->failed++;
		}
		free(p->labels[i]);
		p->pids[i] = p->pids[p->running - 1];
		p->labels[i] = p->labels[--p->running];
		return;
	}
}

int fetch_pool_add(struct fetch_pool *p, const char *label, const char *const *args)
{
	while (p->running >= (size_t)p->jobs)
		reap_one(p);
	pid_t pid = spawn_fetch(args);
	if (pid < 0) {
		p->failed++;
		return -1;
	}
	p->pids[p->running] = pid;
	p->labels[p->running++] = xstrdup(label);
	return 0;
}

unsigned fetch_pool_wait(struct fetch_pool *p)
{
	while (p->running)
		reap_one(p);
	return p->failed;
}
