/* sha256 lock files; see shalock.h. */
#include "shalock.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

int shalock_lookup(const char *lock, const char *name, char hex[HASH_HEX_MAX], int *found)
{
	*found = 0;
	char *data;
	size_t len;
	if (access(lock, F_OK) != 0)
		return 0;
	if (read_file(lock, 1 << 24, &data, &len))
		return -1;
	unsigned no = 0;
	int ret = 0;
	for (char *line = data, *nl; line < data + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(data + len - line));
		if (!nl)
			nl = data + len;
		*nl = '\0';
		no++;
		if (!*line)
			continue;
		if (strlen(line) < 67 || line[64] != ' ' || line[65] != ' ') {
			tcz_error("%s:%u: not 'SHA256  NAME'", lock, no);
			ret = -1;
			break;
		}
		line[64] = '\0';
		if (!hash_hex_valid(line, HASH_SHA256)) {
			tcz_error("%s:%u: '%s' is not a sha256 digest", lock, no, line);
			ret = -1;
			break;
		}
		if (!strcmp(line + 66, name)) {
			memcpy(hex, line, 65);
			hash_hex_lower(hex);
			*found = 1;
		}
	}
	free(data);
	return ret;
}

static int append_line(const char *lock, const char *name, const char *hex)
{
	char *old = NULL;
	size_t len = 0;
	if (access(lock, F_OK) == 0 && read_file(lock, 1 << 24, &old, &len))
		return -1;
	char *out = xasprintf("%.*s%s%s  %s\n", (int)len, old ? old : "",
			      len && old[len - 1] != '\n' ? "\n" : "", hex, name);
	int ret = write_file_atomic(lock, out, strlen(out), 0644);
	free(out);
	free(old);
	return ret;
}

int shalock_record(const char *lock, const char *name, const char *hex)
{
	char *guard = xasprintf("%s.lck", lock);
	int gfd = open(guard, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	free(guard);
	if (gfd < 0 || flock(gfd, LOCK_EX)) {
		tcz_error("%s: cannot lock: %s", lock, strerror(errno));
		if (gfd >= 0)
			close(gfd);
		return -1;
	}
	int ret = append_line(lock, name, hex);
	close(gfd);
	return ret;
}
