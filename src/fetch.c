/* tcz fetch: download one file with libcurl and make it visible under its
 * final name only once its checksum verifies.
 *
 * Order of sources: $TCZ_PRIMARY_SITE/NAME (a private cache or mirror), the
 * URLs given, then $TCZ_BACKUP_SITE/NAME; http(s)://, file:// and plain
 * paths. Bytes go to DEST.part; a .part left by an earlier attempt is
 * resumed with a Range request, and started over when the server ignores
 * the range or the result does not verify. Transient failures (5xx,
 * connection errors, stalls, short bodies) are retried with backoff; 404
 * and the like move on to the next source at once. Proxies and the CA
 * store are libcurl's defaults (http_proxy, https_proxy, no_proxy...).
 *
 * An existing DEST that verifies is not fetched again; one that does not is
 * set aside as DEST.bad and never used. With --record LOCK, the sha256 of
 * the file is written to LOCK the first time and enforced afterwards: for
 * Tiny Core's mirror, which publishes only md5.
 */
#include "commands.h"
#include "fetchlist.h"
#include "hash.h"
#include "util.h"

#include <curl/curl.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FETCH_MAX_HASHES 3
#define FETCH_TRIES 3

struct expect {
	enum hash_algo algo;
	char hex[HASH_HEX_MAX];
};

struct fetch {
	const char *dest;
	char *part;
	const char *name;
	struct expect want[FETCH_MAX_HASHES + 1];
	size_t nwant;
	const char *lock;
	int quiet, tty;
	long stall_seconds;
	/* per transfer */
	int fd;
	curl_off_t resume_from;
	int restarted;
	CURL *curl;
	time_t started;
	const char *url;
};

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'F')
			*s = (char)(*s - 'A' + 'a');
}

/* 0: every expected digest matches; 1: a mismatch (message printed). */
static int verify(struct fetch *f, const char *path, const char *what)
{
	for (size_t i = 0; i < f->nwant; i++) {
		char got[HASH_HEX_MAX];
		if (hash_file_hex(path, f->want[i].algo, got))
			return 1;
		if (strcmp(got, f->want[i].hex)) {
			tcz_error("%s: %s mismatch for %s: expected %s, got %s", f->dest,
				  hash_name(f->want[i].algo), what, f->want[i].hex, got);
			return 1;
		}
	}
	return 0;
}

/* --- the lock file: lines "SHA256  NAME" --------------------------------- */

static int lock_lookup(const char *lock, const char *name, char hex[HASH_HEX_MAX], int *found)
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
			strcpy(hex, line);
			lower(hex);
			*found = 1;
		}
	}
	free(data);
	return ret;
}

static int lock_append(const char *lock, const char *name, const char *hex);

/* Append "HEX  NAME" (the whole file is rewritten atomically), under an
 * flock on LOCK.lck so that parallel fetches do not lose each other's line. */
static int lock_record(const char *lock, const char *name, const char *hex)
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
	int ret = lock_append(lock, name, hex);
	close(gfd);
	return ret;
}

static int lock_append(const char *lock, const char *name, const char *hex)
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

/* --- progress ---------------------------------------------------------- */

static int progress(void *user, curl_off_t total, curl_off_t now, curl_off_t ut, curl_off_t un)
{
	(void)ut;
	(void)un;
	struct fetch *f = user;
	if (f->quiet || !f->tty)
		return 0;
	double secs = difftime(time(NULL), f->started);
	double rate = secs > 0 ? (double)now / secs : 0;
	char hn[16], ht[16], hr[16];
	human_size((unsigned long long)(now + f->resume_from), hn);
	human_size((unsigned long long)(total + f->resume_from), ht);
	human_size((unsigned long long)rate, hr);
	if (total > 0) {
		long eta = rate > 0 ? (long)((double)(total - now) / rate) : 0;
		fprintf(stderr, "\r%-30.30s %3d%% %7s / %-7s %7s/s ETA %ld:%02ld ", f->name,
			(int)(100 * now / total), hn, ht, hr, eta / 60, eta % 60);
	} else {
		fprintf(stderr, "\r%-30.30s %7s %7s/s ", f->name, hn, hr);
	}
	return 0;
}

static size_t write_body(char *data, size_t size, size_t n, void *user)
{
	struct fetch *f = user;
	size_t len = size * n;
	if (f->resume_from > 0 && !f->restarted) {
		/* The server answered a Range request with the whole file: start over. */
		long code = 0;
		curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code);
		f->restarted = 1;
		if (code == 200) {
			if (ftruncate(f->fd, 0) || lseek(f->fd, 0, SEEK_SET) < 0)
				return 0;
			f->resume_from = 0;
		}
	}
	for (size_t done = 0; done < len;) {
		ssize_t w = write(f->fd, data + done, len - done);
		if (w < 0)
			return 0;
		done += (size_t)w;
	}
	return len;
}

enum outcome { GOT, NEXT_SOURCE, NOT_FOUND, RETRY, VERIFY_FAILED, FATAL };

static enum outcome copy_local(struct fetch *f, const char *path)
{
	char *data;
	size_t len;
	if (access(path, R_OK) != 0) {
		int e = errno;
		if (!f->quiet || e != ENOENT)
			tcz_warn("%s: %s: %s", f->name, path, strerror(e));
		return e == ENOENT ? NOT_FOUND : NEXT_SOURCE;
	}
	if (read_file(path, (size_t)1 << 40, &data, &len))
		return NEXT_SOURCE;
	int ret = write_file_atomic(f->part, data, len, 0644);
	free(data);
	return ret ? FATAL : GOT;
}

static enum outcome download(struct fetch *f, const char *url)
{
	struct stat st;
	f->resume_from = stat(f->part, &st) == 0 ? st.st_size : 0;
	f->restarted = 0;
	f->fd = open(f->part, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (f->fd < 0) {
		tcz_error("%s: %s", f->part, strerror(errno));
		return FATAL;
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = curl_easy_init();
	if (!c) {
		close(f->fd);
		tcz_error("%s: cannot start libcurl", f->name);
		return FATAL;
	}
	f->curl = c;
	f->url = url;
	f->started = time(NULL);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, f);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, f->stall_seconds);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tcbuild-tcz");
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,ftp,file");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp");
	if (f->resume_from > 0)
		curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, f->resume_from);
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	if (f->tty && !f->quiet)
		fputc('\n', stderr);
	if (close(f->fd)) {
		tcz_error("%s: %s", f->part, strerror(errno));
		return FATAL;
	}
	if (rc == CURLE_OK)
		return GOT;
	const char *why = *errbuf ? errbuf : curl_easy_strerror(rc);
	if (rc == CURLE_RANGE_ERROR || code == 416) {
		/* Resume refused outright: drop the partial and try again whole. */
		unlink(f->part);
		tcz_warn("%s: %s: resume refused (%s); starting over", f->name, url, why);
		return RETRY;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		tcz_warn("%s: %s: stalled (no data for %ld s)", f->name, url, f->stall_seconds);
		return RETRY;
	}
	if (rc == CURLE_TOO_MANY_REDIRECTS) {
		tcz_warn("%s: %s: %s (a redirect loop?)", f->name, url, why);
		return NEXT_SOURCE;
	}
	if (rc == CURLE_HTTP_RETURNED_ERROR && code >= 400 && code < 500 && code != 408 && code != 429) {
		if (!f->quiet || (code != 404 && code != 410))
			tcz_warn("%s: %s: HTTP %ld", f->name, url, code);
		return code == 404 || code == 410 ? NOT_FOUND : NEXT_SOURCE;
	}
	if (rc == CURLE_FILE_COULDNT_READ_FILE)
		return NOT_FOUND;
	if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT || rc == CURLE_COULDNT_RESOLVE_HOST) {
		tcz_warn("%s: %s: %s", f->name, url, why);
		return NEXT_SOURCE;
	}
	tcz_warn("%s: %s: %s", f->name, url, why);
	return RETRY;
}

static enum outcome try_source(struct fetch *f, const char *src)
{
	int local = !strstr(src, "://");
	for (int attempt = 1;; attempt++) {
		if (!f->quiet && !f->tty)
			fprintf(stderr, "tcz: fetching %s from %s\n", f->name, src);
		enum outcome o = local ? copy_local(f, src) : download(f, src);
		if (o == GOT) {
			if (verify(f, f->part, src) == 0)
				return GOT;
			/* A resumed file that does not verify may have a bad start:
			 * one more try from scratch before giving up on the source. */
			unlink(f->part);
			if (f->resume_from > 0 && attempt < FETCH_TRIES)
				continue;
			return VERIFY_FAILED;
		}
		if (o != RETRY || attempt >= FETCH_TRIES)
			return o == RETRY ? NEXT_SOURCE : o;
		struct timespec ts = { 0, 500000000L * attempt };
		nanosleep(&ts, NULL);
	}
}

static void usage(FILE *out)
{
	fputs("Usage: tcz fetch -o DEST CHECKSUM... [OPTION]... URL...\n"
	      "       tcz fetch --list FILE -o DIR [-j N]\n"
	      "Download a file to DEST, verified. Sources in order: $TCZ_PRIMARY_SITE/NAME,\n"
	      "each URL (http, https, ftp, file:// or a local path), $TCZ_BACKUP_SITE/NAME,\n"
	      "where NAME is DEST's file name. Bytes go to DEST.part (resumed when the\n"
	      "server allows ranges) and DEST appears only once every checksum matches.\n"
	      "An existing DEST that verifies is kept without fetching; one that does not\n"
	      "is moved to DEST.bad.\n\n"
	      "Checksums (at least one, or --record):\n"
	      "      --sha256 HEX, --sha512 HEX, --md5 HEX\n"
	      "      --record LOCK  verify against the sha256 LOCK has for NAME; if it has\n"
	      "                     none, record the downloaded file's sha256 there\n"
	      "      --no-verify    for files that nothing can verify: a mirror's .md5.txt\n"
	      "                     and .dep (an existing DEST is fetched again)\n"
	      "Options:\n"
	      "  -o, --output DEST  where the file goes (required)\n"
	      "  -q, --quiet        no progress output\n"
	      "      --list FILE    many files at once: each line of FILE is\n"
	      "                     'NAME ALGO:HEX URL...' (ALGO sha256, sha512 or md5), fetched\n"
	      "                     to DIR/NAME; every line is checked before anything is fetched\n"
	      "  -j, --jobs N       with --list: downloads at once (default 4)\n"
	      "  -h, --help         this help\n\n"
	      "Environment: TCZ_PRIMARY_SITE, TCZ_BACKUP_SITE (base URLs or directories),\n"
	      "TCZ_FETCH_STALL (seconds without data before a transfer is abandoned, 30),\n"
	      "and libcurl's http_proxy, https_proxy, no_proxy.\n"
	      "Exit status: 0 verified, 1 no source could be fetched, 3 a checksum failed,\n"
	      "4 every source said the file does not exist (HTTP 404, no such file).\n", out);
}

int cmd_fetch(int argc, char **argv)
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int no_verify = 0, jobs = 4;
	const char *list = NULL;
	struct fetch f = { .tty = isatty(2), .stall_seconds = 30 };
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:j:qh", longopts, NULL)) != -1) {
		enum hash_algo algo;
		switch (c) {
		case 'o': f.dest = optarg; continue;
		case 'r': f.lock = optarg; continue;
		case 'q': f.quiet = 1; continue;
		case 'N': no_verify = 1; continue;
		case 'L': list = optarg; continue;
		case 'j':
			jobs = atoi(optarg);
			if (jobs < 1 || jobs > 32)
				return tcz_usage_error("fetch", "-j %s: want 1 to 32", optarg);
			continue;
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		case '2': algo = HASH_SHA256; break;
		case '5': algo = HASH_SHA512; break;
		case 'm': algo = HASH_MD5; break;
		default: return tcz_usage_error("fetch", "unknown option");
		}
		if (!hash_hex_valid(optarg, algo))
			return tcz_usage_error("fetch", "'%s' is not a %s digest", optarg, hash_name(algo));
		if (f.nwant == FETCH_MAX_HASHES)
			return tcz_usage_error("fetch", "too many checksums");
		f.want[f.nwant].algo = algo;
		snprintf(f.want[f.nwant].hex, HASH_HEX_MAX, "%s", optarg);
		lower(f.want[f.nwant++].hex);
	}
	if (!f.dest)
		return tcz_usage_error("fetch", "-o DEST is required");
	if (list) {
		if (optind != argc || f.nwant || f.lock || no_verify)
			return tcz_usage_error("fetch", "--list takes its checksums and URLs from the file");
		return fetch_list(list, f.dest, jobs);
	}
	if (!f.nwant && !f.lock && !no_verify)
		return tcz_usage_error("fetch", "no checksum: give --sha256/--sha512/--md5 or --record LOCK");
	if (no_verify && (f.nwant || f.lock))
		return tcz_usage_error("fetch", "--no-verify and a checksum contradict each other");
	const char *stall = getenv("TCZ_FETCH_STALL");
	if (stall && *stall) {
		char *end;
		f.stall_seconds = strtol(stall, &end, 10);
		if (*end || f.stall_seconds < 1)
			return tcz_usage_error("fetch", "TCZ_FETCH_STALL='%s': want seconds", stall);
	}
	f.name = path_base(f.dest);
	int locked = 0;
	if (f.lock) {
		if (lock_lookup(f.lock, f.name, f.want[f.nwant].hex, &locked))
			return TCZ_EXIT_FAIL;
		if (locked)
			f.want[f.nwant++].algo = HASH_SHA256;
	}

	/* The download cache. */
	struct stat st;
	if (lstat(f.dest, &st) == 0 && !f.nwant) {
		/* A first --record: nothing to check an old copy against. */
		if (unlink(f.dest)) {
			tcz_error("%s: %s", f.dest, strerror(errno));
			return TCZ_EXIT_FAIL;
		}
	} else if (lstat(f.dest, &st) == 0) {
		if (verify(&f, f.dest, "the existing file") == 0)
			goto verified;
		char *bad = xasprintf("%s.bad", f.dest);
		if (rename(f.dest, bad)) {
			tcz_error("%s: cannot set aside: %s", f.dest, strerror(errno));
			free(bad);
			return TCZ_EXIT_FAIL;
		}
		tcz_warn("%s did not verify; moved to %s", f.dest, bad);
		free(bad);
	}

	struct { char *v[64]; size_t n; } src = { { 0 }, 0 };
	const char *primary = getenv("TCZ_PRIMARY_SITE"), *backup = getenv("TCZ_BACKUP_SITE");
	if (primary && *primary)
		src.v[src.n++] = xasprintf("%s/%s", primary, f.name);
	for (int i = optind; i < argc && src.n < 63; i++)
		src.v[src.n++] = xstrdup(argv[i]);
	if (backup && *backup && src.n < 64)
		src.v[src.n++] = xasprintf("%s/%s", backup, f.name);
	if (!src.n)
		return tcz_usage_error("fetch", "no URL given and no TCZ_PRIMARY_SITE/TCZ_BACKUP_SITE set");

	f.part = xasprintf("%s.part", f.dest);
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		tcz_error("%s: cannot initialise libcurl", f.name);
		return TCZ_EXIT_FAIL;
	}
	enum outcome o = NEXT_SOURCE;
	int any_verify_failed = 0, all_not_found = 1;
	for (size_t i = 0; i < src.n && o != GOT && o != FATAL; i++) {
		o = try_source(&f, src.v[i]);
		any_verify_failed |= o == VERIFY_FAILED;
		all_not_found &= o == NOT_FOUND;
	}
	for (size_t i = 0; i < src.n; i++)
		free(src.v[i]);
	curl_global_cleanup();
	if (o != GOT && all_not_found) {
		unlink(f.part);
		free(f.part);
		tcz_error("%s: not found at any source (HTTP 404 or no such file)", f.dest);
		return TCZ_EXIT_NOT_FOUND;
	}
	if (o != GOT) {
		unlink(f.part);
		free(f.part);
		tcz_error("%s: could not fetch a verified copy from any source%s", f.dest,
			  any_verify_failed ? "" : " (see above); put the file in TCZ_PRIMARY_SITE or the download directory");
		return any_verify_failed ? TCZ_EXIT_CHECK : TCZ_EXIT_FAIL;
	}
	if (rename(f.part, f.dest)) {
		tcz_error("%s: %s", f.dest, strerror(errno));
		free(f.part);
		return TCZ_EXIT_FAIL;
	}
	free(f.part);
	if (!f.quiet)
		fprintf(stderr, "tcz: %s: verified\n", f.dest);
verified:
	if (f.lock && !locked) {
		char hex[HASH_HEX_MAX];
		if (hash_file_hex(f.dest, HASH_SHA256, hex) || lock_record(f.lock, f.name, hex))
			return TCZ_EXIT_FAIL;
	}
	return TCZ_EXIT_OK;
}
