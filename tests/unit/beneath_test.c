/* src/beneath.c, with openat2 and with the walk that stands in for it:
 * symlinks planted in a root never lead a write outside it. */
#include "../../src/beneath.h"
#include "../../src/util.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char base[] = "/tmp/tcz-beneath.XXXXXX";
static char root[64], outside[64];
static int rootfd = -1;

static char *at(const char *dir, const char *rel)
{
	static char buf[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, rel);
	return buf[i];
}

/* ROOT: a/b/ (dir), lnk -> OUTSIDE, a/fl -> OUTSIDE/target,
 * abs -> /a/b, up -> ../../../../../a, etc/name (a file). */
static void setup(void)
{
	if (!mkdtemp(base))
		abort();
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	if (mkdir(root, 0755) || mkdir(outside, 0755) || mkdir(at(root, "a"), 0755) ||
	    mkdir(at(root, "a/b"), 0755) || mkdir(at(root, "etc"), 0755) ||
	    symlink(outside, at(root, "lnk")) || symlink(at(outside, "target"), at(root, "a/fl")) ||
	    symlink("/a/b", at(root, "abs")) || symlink("../../../../../a", at(root, "up")) ||
	    write_file_atomic(at(root, "etc/name"), "inside\n", 7, 0644) ||
	    write_file_atomic(at(outside, "target"), "precious\n", 9, 0644))
		abort();
	rootfd = open(root, O_RDONLY | O_DIRECTORY);
}

static int outside_has(const char *name)
{
	struct stat st;
	return lstat(at(outside, name), &st) == 0;
}

static void test_plain_paths_open(void)
{
	int fd = beneath_open(rootfd, "a/b", O_RDONLY | O_DIRECTORY, 0);
	CHECK(fd >= 0);
	close(fd);
	fd = beneath_open(rootfd, "a//b/./new", O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	close(fd);
	CHECK(unlink(at(root, "a/b/new")) == 0);
}

static void test_symlinks_and_dotdot_are_refused(void)
{
	errno = 0;
	CHECK(beneath_open(rootfd, "lnk/x", O_WRONLY | O_CREAT, 0644) < 0 && errno == ELOOP);
	errno = 0;
	CHECK(beneath_open(rootfd, "a/fl", O_WRONLY | O_TRUNC, 0) < 0 && errno == ELOOP);
	errno = 0;
	CHECK(beneath_open(rootfd, "../outside/x", O_WRONLY | O_CREAT, 0644) < 0 && errno == EXDEV);
	errno = 0;
	CHECK(beneath_open(rootfd, "/etc/name", O_RDONLY, 0) < 0 && errno == EXDEV);
	CHECK(!outside_has("x"));
}

static void test_mkdirs_stops_at_a_symlink(void)
{
	int fd = beneath_mkdirs(rootfd, root, "a/new/deep", 0755);
	CHECK(fd >= 0);
	close(fd);
	struct stat st;
	CHECK(stat(at(root, "a/new/deep"), &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(beneath_mkdirs(rootfd, root, "lnk/made", 0755) < 0);
	CHECK(!outside_has("made"));
	remove_tree(at(root, "a/new"));
}

static void test_atomic_write_replaces_a_symlink_and_cleans_up(void)
{
	/* A temporary left by a process that is gone. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	char stale[64];
	snprintf(stale, sizeof(stale), "a/.fl.tmp.%ld", (long)pid);
	CHECK(write_file_atomic(at(root, stale), "old", 3, 0644) == 0);
	CHECK(beneath_write_atomic(rootfd, root, "a/fl", "new\n", 4, 0640) == 0);
	struct stat st;
	CHECK(lstat(at(root, "a/fl"), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0640);
	CHECK(lstat(at(root, stale), &st) != 0);
	char *data = NULL;
	CHECK(read_file(at(outside, "target"), 100, &data, NULL) == 0);
	CHECK_STR(data, "precious\n");
	free(data);
	CHECK(beneath_write_atomic(rootfd, root, "lnk/f", "x", 1, 0644) < 0);
	CHECK(!outside_has("f"));
	unlink(at(root, "a/fl"));
	CHECK(symlink(at(outside, "target"), at(root, "a/fl")) == 0);
}

/* Reading a target system: links resolve as if ROOT were "/". */
static void test_in_root_resolves_links_inside(void)
{
	int fd = beneath_open_in_root(rootfd, "abs", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	fd = beneath_open_in_root(rootfd, "up/b/../../etc/name", O_RDONLY);
	char buf[16] = "";
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf) - 1) == 7);
	CHECK_STR(buf, "inside\n");
	if (fd >= 0)
		close(fd);
	/* lnk is absolute: OUTSIDE, taken as ROOT/OUTSIDE, which is not there. */
	errno = 0;
	CHECK(beneath_open_in_root(rootfd, "lnk/target", O_RDONLY) < 0 && errno == ENOENT);
}

static void test_all(void)
{
	test_plain_paths_open();
	test_symlinks_and_dotdot_are_refused();
	test_mkdirs_stops_at_a_symlink();
	test_atomic_write_replaces_a_symlink_and_cleans_up();
	test_in_root_resolves_links_inside();
}

static void test_with_openat2(void)
{
	beneath_force_walk(0);
	test_all();
}

static void test_with_the_walk(void)
{
	beneath_force_walk(1);
	test_all();
	beneath_force_walk(0);
}

int main(void)
{
	/* The refusals print their messages; the checks say what failed. */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	setup();
	RUN(test_with_openat2);
	RUN(test_with_the_walk);
	close(rootfd);
	remove_tree(base);
	return 0;
}
