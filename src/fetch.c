/* tcz fetch: download files, verified, through the engine in download.c.
 *
 * This file is the command line: the checksums, the --record lock for
 * Tiny Core's mirror (which publishes only md5: the first fetch records a
 * sha256 that later fetches enforce), and --list for many files at once.
 */
#include "commands.h"
#include "companion.h"
#include "download.h"
#include "fetchlist.h"
#include "shalock.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fputs("Usage: tcz fetch -o DEST CHECKSUM... [OPTION]... URL...\n"
	      "       tcz fetch --list FILE -o DIR [-j N]\n"
	      "Download a file to DEST, verified. Sources in order: $TCZ_PRIMARY_SITE/NAME,\n"
	      "each URL (http, https, ftp, file:// or a local path), $TCZ_BACKUP_SITE/NAME,\n"
	      "where NAME is DEST's file name. Bytes go to DEST.part (resumed when the\n"
	      "server allows ranges) and DEST appears only once every checksum matches.\n"
	      "DEST.part is opened without following a symlink and used only if it is a\n"
	      "partial download of ours (a regular file we own, with no other name);\n"
	      "anything else there is refused and left alone. An existing DEST that\n"
	      "verifies is kept without fetching; one that does not, or is not a regular\n"
	      "file, is moved to DEST.bad.\n\n"
	      "Checksums (at least one, or --record):\n"
	      "      --sha256 HEX, --sha512 HEX, --md5 HEX\n"
	      "      --record LOCK  verify against the sha256 LOCK has for NAME; if it has\n"
	      "                     none, record the downloaded file's sha256 there\n"
	      "                     (with --md5 alone, for files whose publisher gives\n"
	      "                     nothing stronger: a warning names the weak hash)\n"
	      "      --no-verify    for files that nothing can verify: a mirror's .md5.txt\n"
	      "                     and .dep (an existing DEST is fetched again); at most\n"
	      "                     16M unless --max-size says otherwise\n"
	      "Options:\n"
	      "  -o, --output DEST  where the file goes (required)\n"
	      "  -q, --quiet        no progress output\n"
	      "      --max-size N   stop a transfer once it passes N bytes (K, M, G allowed;\n"
	      "                     0: no limit); refused at once when a server announces\n"
	      "                     more (default: no limit, 16M with --no-verify)\n"
	      "      --speed-limit N  give an attempt up when it averages under N bytes/s\n"
	      "      --speed-time S   over S seconds (default 1K over 30 s); it is retried,\n"
	      "                     then the next source is tried\n"
	      "      --max-time S   give a file up when it is not done after S seconds,\n"
	      "                     over every source and retry (default 14400; 0: never)\n"
	      "      --list FILE    many files at once: each line of FILE is\n"
	      "                     'NAME ALGO:HEX URL...' (ALGO sha256, sha512 or md5), fetched\n"
	      "                     to DIR/NAME; every line is checked before anything is fetched\n"
	      "  -j, --jobs N       with --list: downloads at once (default 4)\n"
	      "  -h, --help         this help\n\n"
	      "Environment: TCZ_PRIMARY_SITE, TCZ_BACKUP_SITE (base URLs or directories);\n"
	      "TCZ_FETCH_SPEED_LIMIT, TCZ_FETCH_STALL, TCZ_FETCH_MAX_TIME (the defaults of\n"
	      "--speed-limit, --speed-time, --max-time, for every command that downloads:\n"
	      "fetch, install, mirror sync); libcurl's http_proxy, https_proxy, no_proxy.\n"
	      "Limits apply after redirects too (http, https and ftp only).\n"
	      "Exit status: 0 verified, 1 no source could be fetched, 3 a checksum failed,\n"
	      "4 every source said the file does not exist (HTTP 404, no such file).\n", out);
}

struct fetch_want {
	enum hash_algo algo;
	const char *hex;
};

/* Whether md5 was all the evidence given: the one hash still published for
 * old releases (kernel.org's 2.6 tarballs, Tiny Core's mirror). */
static int only_md5(const struct fetch_want *want, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (want[i].algo != HASH_MD5)
			return 0;
	return 1;
}

/* md5 collisions are cheap to make: say so, and what now guards the file. */
static void warn_weak(const char *dest, const char *lock, const char *sha256)
{
	if (lock)
		tcz_warn("%s: verified by md5 only, a weak hash (no stronger checksum is published); "
			 "its sha256 %s is recorded in %s and checked from now on", dest, sha256, lock);
	else
		tcz_warn("%s: verified by md5 only, a weak hash (no stronger checksum is published); "
			 "its sha256 is %s: give --record LOCK to check it from now on", dest, sha256);
}

/* Two fetches of one DEST at once (two packages of one source under make
 * -j, two checkouts sharing a download directory) take turns on DEST.lock:
 * the second finds the first's file, verifies it and is done. The lock
 * file stays; the lock goes with the process. -1 with a message. */
static int lock_dest(const char *dest)
{
	char *path = xasprintf("%s.lock", dest);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		tcz_error("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

struct fetch_args {
	const char *dest, *list, *lock;
	int no_verify, quiet, jobs;
	long long max_size; /* -1: not given */
	struct dl_limits lim;
	struct fetch_want want[DL_MAX_HASHES];
	size_t nwant;
	char **urls;
	size_t nurls;
};

/* One option of cmd_fetch's but the checksums; -1 to go on, else the exit
 * status (of --help or a wrong value). */
static int parse_fetch_option(int c, struct fetch_args *a)
{
	switch (c) {
	case 'o': a->dest = optarg; break;
	case 'r': a->lock = optarg; break;
	case 'q': a->quiet = 1; break;
	case 'N': a->no_verify = 1; break;
	case 'L': a->list = optarg; break;
	case 'j':
		a->jobs = atoi(optarg);
		if (a->jobs < 1 || a->jobs > 32)
			return tcz_usage_error("fetch", "-j %s: want 1 to 32", optarg);
		break;
	case 'M':
		if ((a->max_size = parse_size(optarg)) < 0)
			return tcz_usage_error("fetch", "--max-size %s: want a size such as 16M", optarg);
		break;
	case 'S':
		if ((a->lim.speed_limit = parse_size(optarg)) < 1 || a->lim.speed_limit > LONG_MAX)
			return tcz_usage_error("fetch", "--speed-limit %s: want bytes per second, at least 1",
					       optarg);
		break;
	case 'Y':
	case 'T': {
		char *end;
		errno = 0;
		long v = strtol(optarg, &end, 10);
		if (errno || *end || end == optarg || v < (c == 'Y'))
			return tcz_usage_error("fetch", "--%s %s: want a number of seconds%s",
					       c == 'Y' ? "speed-time" : "max-time", optarg,
					       c == 'Y' ? ", at least 1" : "");
		*(c == 'Y' ? &a->lim.speed_time : &a->lim.max_time) = v;
		break;
	}
	case 'h': usage(stdout); return TCZ_EXIT_OK;
	default: return tcz_usage_error("fetch", "unknown option");
	}
	return -1;
}

/* --sha256, --sha512 or --md5 HEX. */
static int add_want(struct fetch_args *a, enum hash_algo algo, const char *hex)
{
	if (!hash_hex_valid(hex, algo))
		return tcz_usage_error("fetch", "'%s' is not a %s digest", hex, hash_name(algo));
	/* One place stays free for the lock's sha256. */
	if (a->nwant == DL_MAX_HASHES - 1)
		return tcz_usage_error("fetch", "too many checksums");
	a->want[a->nwant].algo = algo;
	a->want[a->nwant++].hex = hex;
	return -1;
}

/* The combinations a fetch of one file refuses. */
static int check_single_args(const struct fetch_args *a)
{
	if (!a->nwant && !a->lock && !a->no_verify)
		return tcz_usage_error("fetch", "no checksum: give --sha256/--sha512/--md5 or --record LOCK");
	if (a->no_verify && (a->nwant || a->lock))
		return tcz_usage_error("fetch", "--no-verify and a checksum contradict each other");
	const char *primary = getenv("TCZ_PRIMARY_SITE"), *backup = getenv("TCZ_BACKUP_SITE");
	if (!a->nurls && !(primary && *primary) && !(backup && *backup))
		return tcz_usage_error("fetch", "no URL given and no TCZ_PRIMARY_SITE/TCZ_BACKUP_SITE set");
	if (a->nurls > DL_MAX_SOURCES)
		return tcz_usage_error("fetch", "more than %d URLs", DL_MAX_SOURCES);
	return -1;
}

/* -1 to go on, else the exit status (of --help or a wrong command line). */
static int parse_fetch_args(int argc, char **argv, struct fetch_args *a)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "sha256", required_argument, NULL, '2' },
		{ "sha512", required_argument, NULL, '5' },
		{ "md5", required_argument, NULL, 'm' },
		{ "record", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-verify", no_argument, NULL, 'N' },
		{ "list", required_argument, NULL, 'L' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "max-size", required_argument, NULL, 'M' },
		{ "speed-limit", required_argument, NULL, 'S' },
		{ "speed-time", required_argument, NULL, 'Y' },
		{ "max-time", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	*a = (struct fetch_args){ .jobs = 4, .max_size = -1 };
	if (dl_limits_get(&a->lim))
		return TCZ_EXIT_USAGE;
	int c, st;
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:j:qh", longopts, NULL)) != -1) {
		if (c == '2')
			st = add_want(a, HASH_SHA256, optarg);
		else if (c == '5')
			st = add_want(a, HASH_SHA512, optarg);
		else if (c == 'm')
			st = add_want(a, HASH_MD5, optarg);
		else
			st = parse_fetch_option(c, a);
		if (st >= 0)
			return st;
	}
	if (!a->dest)
		return tcz_usage_error("fetch", "-o DEST is required");
	a->urls = argv + optind;
	a->nurls = (size_t)(argc - optind);
	if (a->list && (a->nurls || a->nwant || a->lock || a->no_verify))
		return tcz_usage_error("fetch", "--list takes its checksums and URLs from the file");
	return a->list ? -1 : check_single_args(a);
}

/* The download of DEST as asked: checksums, bound, sources. What nothing
 * verifies is at least bounded: no companion file is larger than
 * COMPANION_MAX. */
static void prepare_item(struct dl_item *it, const struct fetch_args *a)
{
	dl_init(it, a->dest);
	it->max_size = a->max_size >= 0 ? a->max_size : a->no_verify ? COMPANION_MAX : 0;
	for (size_t i = 0; i < a->nwant; i++)
		dl_want(it, a->want[i].algo, a->want[i].hex);
}

/* The sha256 --record's lock has for DEST, wanted too; *locked says
 * whether it had one. */
static int want_locked_sha256(struct dl_item *it, const struct fetch_args *a, int *locked)
{
	char hex[HASH_HEX_MAX];
	if (shalock_lookup(a->lock, path_base(a->dest), hex, locked))
		return -1;
	if (*locked)
		dl_want(it, HASH_SHA256, hex);
	return 0;
}

/* One file, under DEST.lock: fetched, verified, its sha256 recorded in a
 * lock that had none. */
static int fetch_one(const struct fetch_args *a)
{
	int ret = TCZ_EXIT_FAIL, locked = 0;
	int lockfd = lock_dest(a->dest);
	if (lockfd < 0)
		return ret;
	struct dl_item it;
	prepare_item(&it, a);
	if (a->lock && want_locked_sha256(&it, a, &locked))
		goto out_item;
	for (size_t i = 0; i < a->nurls; i++)
		dl_source(&it, a->urls[i]);
	dl_run(&it, 1, 1, a->quiet);
	ret = dl_exit_status(it.result);
	if (ret == TCZ_EXIT_OK && a->lock && !locked && shalock_record(a->lock, path_base(a->dest), it.sha256))
		ret = TCZ_EXIT_FAIL;
	if (ret == TCZ_EXIT_OK && !locked && only_md5(a->want, a->nwant))
		warn_weak(a->dest, a->lock, it.sha256);
out_item:
	dl_free(&it);
	close(lockfd);
	return ret;
}

int cmd_fetch(int argc, char **argv)
{
	struct fetch_args a;
	int st = parse_fetch_args(argc, argv, &a);
	if (st >= 0)
		return st;
	dl_limits_set(&a.lim);
	if (a.list)
		return fetch_list(a.list, a.dest, a.jobs, a.quiet, a.max_size < 0 ? 0 : a.max_size);
	return fetch_one(&a);
}
