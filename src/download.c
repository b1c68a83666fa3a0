/* The download engine; see download.h.
 *
 * Each item walks through its sources. A source gets up to DL_TRIES
 * attempts for transient failures (5xx, connection errors, a transfer too
 * slow, short bodies), with a growing pause in which the other items go on,
 * and none after a definite answer (404, a redirect loop, a bad URL, a file
 * larger than the item's limit). Bytes go to DEST.part, opened for append
 * and never through a symlink: a .part left by an earlier attempt or run
 * (a regular file of ours, see open_part) is hashed first and then resumed
 * with a Range request, so every digest is complete when the last byte
 * arrives and the file is read only once. A server that refuses the range
 * (libcurl's CURLE_RANGE_ERROR, also for a 200 answer) makes the engine
 * drop the .part and start over; a resumed file that does not verify gets
 * one more try from scratch. Speed and time limits: struct dl_limits.
 * Proxies and the CA store are libcurl's defaults (http_proxy, https_proxy,
 * no_proxy...).
 */
#include "download.h"
#include "hashtail.h"
#include "util.h"

#include <curl/curl.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DL_TRIES 3
#define DL_BUF (1 << 20)
#define DL_DRAW_EVERY 0.25 /* seconds between progress redraws */

/* REFUSED: DEST.part is not ours to write to or remove; DEADLINE: the
 * item's max_time is over. Both end the item at once, as FATAL does. */
enum outcome { GOT, NEXT_SOURCE, NOT_FOUND, MISMATCH, RETRY, FATAL, REFUSED, DEADLINE };
enum state { WAITING, ACTIVE, DONE };

struct transfer {
	struct dl_item *it;
	const char *name; /* dest's file name */
	char *part;
	char *src[DL_MAX_SOURCES + 2];
	size_t nsrc, isrc;
	int attempt;
	enum state state;
	double not_before; /* monotonic seconds: a retry's pause */
	int any_mismatch, all_not_found;
	curl_off_t run_received; /* over every attempt, for the rate */
	double deadline; /* monotonic seconds; 0: none */
	/* The current attempt. */
	int fd, write_errno, too_big;
	CURL *curl;
	curl_off_t resume_from, received;
	struct hasher *h[DL_MAX_HASHES + 1]; /* one per want, then sha256 */
	size_t nh, sha_index;
	/* A remote attempt's digests, taken from DEST.part as it grows on a
	 * thread of their own: hashing overlaps with receiving. */
	struct hashtail *tail;
	char errbuf[CURL_ERROR_SIZE];
};

struct engine {
	CURLM *multi;
	struct transfer *t;
	size_t n, done, active;
	int jobs, quiet, bar, bar_shown;
	struct dl_limits lim;
	double started, drawn;
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- limits -------------------------------------------------------------- */

static struct dl_limits limits_set;
static int limits_are_set;

void dl_limits_set(const struct dl_limits *l)
{
	limits_set = *l;
	limits_are_set = 1;
}

/* A number from the environment into *v, if the variable is set. */
static int env_number(const char *name, long long min, long long *v, int size)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return 0;
	char *end;
	errno = 0;
	long long n = size ? parse_size(s) : strtoll(s, &end, 10);
	if ((size && n < 0) || (!size && (errno || *end)) || n < min || n > (long long)LONG_MAX) {
		tcz_error("%s='%s': want a number%s of at least %lld", name, s, size ? " (K, M allowed)" : "",
			  min);
		return -1;
	}
	*v = n;
	return 0;
}

int dl_limits_get(struct dl_limits *l)
{
	if (limits_are_set) {
		*l = limits_set;
		return 0;
	}
	long long speed = DL_SPEED_LIMIT, stall = DL_SPEED_TIME, max = DL_MAX_TIME;
	if (env_number("TCZ_FETCH_SPEED_LIMIT", 1, &speed, 1) || env_number("TCZ_FETCH_STALL", 1, &stall, 0) ||
	    env_number("TCZ_FETCH_MAX_TIME", 0, &max, 0))
		return -1;
	l->speed_limit = speed;
	l->speed_time = (long)stall;
	l->max_time = (long)max;
	return 0;
}

/* --- items --------------------------------------------------------------- */

void dl_init(struct dl_item *it, const char *dest)
{
	memset(it, 0, sizeof(*it));
	it->dest = xstrdup(dest);
}

int dl_want(struct dl_item *it, enum hash_algo algo, const char *hex)
{
	if (it->nwant == DL_MAX_HASHES)
		return -1;
	it->want[it->nwant].algo = algo;
	snprintf(it->want[it->nwant].hex, HASH_HEX_MAX, "%s", hex);
	hash_hex_lower(it->want[it->nwant++].hex);
	return 0;
}

int dl_source(struct dl_item *it, const char *src)
{
	if (it->nsrc == DL_MAX_SOURCES)
		return -1;
	it->src[it->nsrc++] = xstrdup(src);
	return 0;
}

void dl_free(struct dl_item *it)
{
	for (size_t i = 0; i < it->nsrc; i++)
		free(it->src[i]);
	free(it->dest);
	memset(it, 0, sizeof(*it));
}

int dl_exit_status(enum dl_result r)
{
	switch (r) {
	case DL_OK: return TCZ_EXIT_OK;
	case DL_NOT_FOUND: return TCZ_EXIT_NOT_FOUND;
	case DL_MISMATCH: return TCZ_EXIT_CHECK;
	case DL_FAILED: break;
	}
	return TCZ_EXIT_FAIL;
}

/* --- progress ------------------------------------------------------------ */

static void clear_bar(struct engine *e)
{
	if (e->bar_shown)
		fputs("\r\033[K", stderr);
	e->bar_shown = 0;
}

/* With a terminal: one line, redrawn. One file: its name, share, size,
 * rate and ETA; several: how many are done, bytes and rate overall. */
static void draw_bar(struct engine *e)
{
	double now = now_seconds();
	if (!e->bar || now - e->drawn < DL_DRAW_EVERY)
		return;
	e->drawn = now;
	curl_off_t got = 0;
	for (size_t i = 0; i < e->n; i++)
		got += e->t[i].run_received;
	double rate = now > e->started ? (double)got / (now - e->started) : 0;
	char hn[16], ht[16], hr[16];
	human_size((unsigned long long)rate, hr);
	if (e->n > 1) {
		human_size((unsigned long long)got, hn);
		fprintf(stderr, "\r\033[Kfetching: %zu of %zu files done, %s at %s/s", e->done, e->n, hn, hr);
	} else if (e->t[0].state == ACTIVE) {
		struct transfer *t = &e->t[0];
		curl_off_t size = -1;
		curl_easy_getinfo(t->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &size);
		struct stat st;
		curl_off_t have = fstat(t->fd, &st) == 0 ? st.st_size : 0;
		human_size((unsigned long long)have, hn);
		if (size > 0) {
			size += t->resume_from;
			human_size((unsigned long long)size, ht);
			long eta = rate > 0 ? (long)((double)(size - have) / rate) : 0;
			fprintf(stderr, "\r\033[K%-30.30s %3d%% %7s / %-7s %7s/s ETA %ld:%02ld", t->name,
				(int)(100 * have / size), hn, ht, hr, eta / 60, eta % 60);
		} else {
			fprintf(stderr, "\r\033[K%-30.30s %7s %7s/s", t->name, hn, hr);
		}
	} else {
		return;
	}
	e->bar_shown = 1;
}

/* --- digests ------------------------------------------------------------- */

static void hashes_drop(struct transfer *t)
{
	hashtail_abort(t->tail); /* before the hashers it uses go */
	t->tail = NULL;
	for (size_t i = 0; i < t->nh; i++)
		hasher_free(t->h[i]);
	t->nh = 0;
}

static void hashes_start(struct transfer *t)
{
	hashes_drop(t);
	t->sha_index = t->it->nwant;
	for (size_t i = 0; i < t->it->nwant; i++) {
		t->h[t->nh++] = hasher_new(t->it->want[i].algo);
		if (t->it->want[i].algo == HASH_SHA256)
			t->sha_index = i;
	}
	if (t->sha_index == t->it->nwant)
		t->h[t->nh++] = hasher_new(HASH_SHA256);
}

static void hashes_update(struct transfer *t, const void *data, size_t len)
{
	for (size_t i = 0; i < t->nh; i++)
		hasher_update(t->h[i], data, len);
}

/* Feed the whole of fd; -1 on error. */
static int hashes_feed_fd(struct transfer *t, int fd, const char *path)
{
	char *buf = xmalloc(DL_BUF);
	int ret = 0;
	for (off_t off = 0;;) {
		ssize_t r = pread(fd, buf, DL_BUF, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			tcz_error("%s: %s", path, strerror(errno));
			ret = -1;
			break;
		}
		if (r == 0)
			break;
		hashes_update(t, buf, (size_t)r);
		off += r;
	}
	free(buf);
	return ret;
}

/* 0 when every expected digest matches (sha256 kept in the item);
 * 1 on a mismatch, with a message naming `what` was checked. */
static int hashes_check(struct engine *e, struct transfer *t, const char *what)
{
	char got[DL_MAX_HASHES + 1][HASH_HEX_MAX];
	for (size_t i = 0; i < t->nh; i++)
		hasher_final_hex(t->h[i], got[i]);
	t->nh = 0;
	for (size_t i = 0; i < t->it->nwant; i++) {
		if (strcmp(got[i], t->it->want[i].hex)) {
			clear_bar(e);
			tcz_error("%s: %s mismatch for %s: expected %s, got %s", t->it->dest,
				  hash_name(t->it->want[i].algo), what, t->it->want[i].hex, got[i]);
			return 1;
		}
	}
	strcpy(t->it->sha256, got[t->sha_index]);
	return 0;
}

/* --- one attempt --------------------------------------------------------- */

/* Whether `more` bytes would take the item past its limit. */
static int over_limit(const struct transfer *t, curl_off_t more)
{
	curl_off_t max = (curl_off_t)t->it->max_size;
	return max > 0 && t->resume_from + t->received + more > max;
}

static size_t write_body(char *data, size_t size, size_t n, void *user)
{
	struct transfer *t = user;
	size_t len = size * n;
	/* Stopped while the bytes arrive, not found out afterwards: a server
	 * that never ends its body fills nothing. */
	if (over_limit(t, (curl_off_t)len)) {
		t->too_big = 1;
		return 0; /* libcurl ends the transfer: CURLE_WRITE_ERROR */
	}
	for (size_t done = 0; done < len;) {
		ssize_t w = write(t->fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			t->write_errno = errno;
			return 0;
		}
		done += (size_t)w;
	}
	t->received += (curl_off_t)len;
	t->run_received += (curl_off_t)len;
	hashtail_grow(t->tail, (long long)(t->resume_from + t->received));
	return len;
}

/* DEST.part, opened for appending without following a symlink. What is
 * there must be what an earlier attempt of ours left: a regular file owned
 * by us with no other name (through a hard link we would write into
 * another file). Anything else was planted, or is someone else's: it is
 * refused, never written through and never removed. The fd, with the
 * file's size in *size; -1 with a message. */
static int open_part(const struct transfer *t, curl_off_t *size)
{
	/* O_NONBLOCK: a FIFO planted there must not block the open. */
	int fd = open(t->part, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == ELOOP)
			tcz_error("%s: a symlink: refusing to write through it (remove it to fetch again)",
				  t->part);
		else
			tcz_error("%s: %s", t->part, strerror(errno));
		return -1;
	}
	struct stat st;
	const char *why = NULL;
	int flags = fcntl(fd, F_GETFL);
	if (fstat(fd, &st) || flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK))
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_nlink != 1)
		why = "a file with other names (hard links)";
	else if (st.st_uid != geteuid())
		why = "another user's file";
	if (why) {
		tcz_error("%s: %s, not a partial download of ours: refusing to write to it "
			  "(remove it to fetch again)", t->part, why);
		close(fd);
		return -1;
	}
	*size = st.st_size;
	return fd;
}

/* A plain path: copied and hashed in one pass, synchronously (local disks
 * are fast next to the network transfers that wait meanwhile). */
static enum outcome copy_local(struct engine *e, struct transfer *t, const char *path)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		int err = errno;
		if ((!e->quiet && !t->it->missing_ok) || err != ENOENT)
			tcz_warn("%s: %s: %s", t->name, path, strerror(err));
		return err == ENOENT ? NOT_FOUND : NEXT_SOURCE;
	}
	curl_off_t ignored;
	int out = open_part(t, &ignored);
	if (out < 0) {
		close(in);
		return REFUSED;
	}
	if (ftruncate(out, 0)) {
		tcz_error("%s: %s", t->part, strerror(errno));
		close(in);
		close(out);
		return FATAL;
	}
	hashes_start(t);
	t->resume_from = 0;
	t->received = 0;
	char *buf = xmalloc(DL_BUF);
	enum outcome o = GOT;
	for (;;) {
		ssize_t r = read(in, buf, DL_BUF);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			tcz_warn("%s: %s: %s", t->name, path, strerror(errno));
			o = NEXT_SOURCE;
			break;
		}
		if (r == 0)
			break;
		if (over_limit(t, r)) {
			tcz_error("%s: %s: larger than the limit of %lld bytes for this file", t->it->dest, path,
				  t->it->max_size);
			/* Not a start the next source could resume. */
			unlink(t->part);
			o = NEXT_SOURCE;
			break;
		}
		t->received += r;
		hashes_update(t, buf, (size_t)r);
		t->run_received += r;
		for (ssize_t done = 0; done < r;) {
			ssize_t w = write(out, buf + done, (size_t)(r - done));
			if (w < 0 && errno != EINTR) {
				tcz_error("%s: %s", t->part, strerror(errno));
				o = FATAL;
				break;
			}
			done += w < 0 ? 0 : w;
		}
		if (o != GOT)
			break;
	}
	free(buf);
	close(in);
	if (close(out) && o == GOT) {
		tcz_error("%s: %s", t->part, strerror(errno));
		o = FATAL;
	}
	return o;
}

/* The speed, time and size limits of one attempt. The item's deadline
 * caps every phase (CURLOPT_TIMEOUT_MS), the connect phase also has its own
 * bound, an FTP server's replies (after a redirect, say) the stall time. */
static void set_limits(const struct engine *e, const struct transfer *t, CURL *c)
{
	long connect = 30;
	if (t->deadline > 0) {
		long left_ms = (long)((t->deadline - now_seconds()) * 1000);
		left_ms = left_ms < 1 ? 1 : left_ms;
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left_ms);
		if (left_ms / 1000 < connect)
			connect = left_ms / 1000 + 1;
	}
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, (long)e->lim.speed_limit);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, e->lim.speed_time);
	curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, e->lim.speed_time);
	if (t->it->max_size > 0 && t->it->max_size > t->resume_from)
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
				 (curl_off_t)t->it->max_size - t->resume_from);
}

/* Start a transfer on the multi handle: GOT when it runs, else why not
 * (with a message). */
static enum outcome start_remote(struct engine *e, struct transfer *t, const char *url)
{
	t->write_errno = 0;
	t->too_big = 0;
	t->received = 0;
	t->errbuf[0] = '\0';
	t->fd = open_part(t, &t->resume_from);
	if (t->fd < 0)
		return REFUSED;
	/* A partial already past the limit cannot be the file: start over. */
	if (over_limit(t, 0)) {
		if (ftruncate(t->fd, 0)) {
			tcz_error("%s: %s", t->part, strerror(errno));
			close(t->fd);
			return FATAL;
		}
		t->resume_from = 0;
	}
	hashes_start(t);
	t->tail = hashtail_start(t->fd, t->part, t->h, t->nh);
	if (!t->tail) {
		close(t->fd);
		return FATAL;
	}
	hashtail_grow(t->tail, (long long)t->resume_from); /* a resumed start is hashed first */
	CURL *c = t->curl = curl_easy_init();
	if (!c) {
		close(t->fd);
		tcz_error("%s: cannot start a libcurl transfer", t->name);
		return FATAL;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PRIVATE, t);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	/* 512 KiB a call, not 16: a 1 GB file is 2,000 reads, writes and
	 * polls instead of 65,000 of each (curl(1) itself asks for 100 KiB). */
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L << 10);
	set_limits(e, t, c);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tcbuild-tcz");
	/* Every scheme a transfer or a redirect may use is one whose every
	 * phase the limits above bound. */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,ftp,file");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp");
	if (t->resume_from > 0)
		curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, t->resume_from);
	CURLMcode mc = curl_multi_add_handle(e->multi, c);
	if (mc != CURLM_OK) {
		tcz_error("%s: libcurl: %s", t->name, curl_multi_strerror(mc));
		curl_easy_cleanup(c);
		t->curl = NULL;
		close(t->fd);
		return FATAL;
	}
	t->state = ACTIVE;
	e->active++;
	return GOT;
}

/* End a finished transfer: what its result means for the item. */
static enum outcome end_transfer(struct engine *e, struct transfer *t, CURLcode rc)
{
	const char *url = t->src[t->isrc];
	long code = 0;
	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_multi_remove_handle(e->multi, t->curl);
	curl_easy_cleanup(t->curl);
	t->curl = NULL;
	e->active--;
	int err = close(t->fd) ? errno : t->write_errno;
	if (t->write_errno)
		err = t->write_errno;
	if (err) {
		clear_bar(e);
		tcz_error("%s: %s", t->part, strerror(err));
		return FATAL;
	}
	if (rc == CURLE_OK)
		return GOT;
	clear_bar(e);
	const char *why = *t->errbuf ? t->errbuf : curl_easy_strerror(rc);
	if (t->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		tcz_error("%s: %s: %s the limit of %lld bytes for this file: transfer stopped", t->it->dest,
			  url, t->too_big ? "more bytes than" : "announces a size over", t->it->max_size);
		unlink(t->part);
		return NEXT_SOURCE;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT && t->deadline > 0 && now_seconds() >= t->deadline - 0.05) {
		tcz_error("%s: %s: not done after %ld s, the limit for one file (TCZ_FETCH_MAX_TIME, "
			  "--max-time)", t->it->dest, url, e->lim.max_time);
		return DEADLINE;
	}
	if (rc == CURLE_RANGE_ERROR || rc == CURLE_FTP_COULDNT_USE_REST || code == 416) {
		/* Resume refused outright: drop the partial and try again whole. */
		unlink(t->part);
		tcz_warn("%s: %s: resume refused (%s); starting over", t->name, url, why);
		return RETRY;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		tcz_warn("%s: %s: too slow: under %lld bytes/s for %ld s", t->name, url,
			  e->lim.speed_limit, e->lim.speed_time);
		return RETRY;
	}
	if (rc == CURLE_TOO_MANY_REDIRECTS) {
		tcz_warn("%s: %s: %s (a redirect loop?)", t->name, url, why);
		return NEXT_SOURCE;
	}
	int gone = code == 404 || code == 410;
	if (rc == CURLE_HTTP_RETURNED_ERROR && code >= 400 && code < 500 && code != 408 && code != 429) {
		if ((!e->quiet && !t->it->missing_ok) || !gone)
			tcz_warn("%s: %s: HTTP %ld", t->name, url, code);
		return gone ? NOT_FOUND : NEXT_SOURCE;
	}
	if (rc == CURLE_FILE_COULDNT_READ_FILE)
		return NOT_FOUND;
	if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT || rc == CURLE_COULDNT_RESOLVE_HOST) {
		tcz_warn("%s: %s: %s", t->name, url, why);
		return NEXT_SOURCE;
	}
	tcz_warn("%s: %s: %s", t->name, url, why);
	return RETRY;
}

/* --- an item's course ---------------------------------------------------- */

static void finish(struct engine *e, struct transfer *t, enum dl_result r)
{
	hashes_drop(t);
	t->it->result = r;
	t->state = DONE;
	e->done++;
}

static void give_up(struct engine *e, struct transfer *t)
{
	unlink(t->part);
	clear_bar(e);
	if (t->all_not_found) {
		if (!t->it->missing_ok)
			tcz_error("%s: not found at any source (HTTP 404 or no such file)", t->it->dest);
		finish(e, t, DL_NOT_FOUND);
	} else if (t->any_mismatch) {
		tcz_error("%s: could not fetch a verified copy from any source", t->it->dest);
		finish(e, t, DL_MISMATCH);
	} else {
		tcz_error("%s: could not fetch it from any source (see above); "
			  "put the file in TCZ_PRIMARY_SITE or the download directory", t->it->dest);
		finish(e, t, DL_FAILED);
	}
}

static void attempt_done(struct engine *e, struct transfer *t, enum outcome o)
{
	t->state = WAITING;
	t->not_before = 0;
	struct hashtail *tail = t->tail;
	t->tail = NULL;
	if (tail && o != GOT)
		hashtail_abort(tail);
	else if (tail && hashtail_finish(tail))
		o = FATAL; /* DEST.part could not be read back: reported */
	if (o == GOT) {
		if (hashes_check(e, t, t->src[t->isrc]) == 0) {
			if (rename(t->part, t->it->dest)) {
				tcz_error("%s: %s", t->it->dest, strerror(errno));
				unlink(t->part);
				finish(e, t, DL_FAILED);
				return;
			}
			if (!e->quiet) {
				clear_bar(e);
				fprintf(stderr, "tcz: %s: %s\n", t->it->dest, t->it->nwant ? "verified" : "fetched");
			}
			finish(e, t, DL_OK);
			return;
		}
		unlink(t->part);
		/* A resumed file that does not verify may have a bad start. */
		if (t->resume_from > 0 && t->attempt < DL_TRIES) {
			t->attempt++;
			return;
		}
		o = MISMATCH;
	}
	if (o == RETRY && t->attempt < DL_TRIES) {
		t->not_before = now_seconds() + 0.5 * t->attempt;
		t->attempt++;
		return;
	}
	if (o == FATAL) {
		unlink(t->part);
		finish(e, t, DL_FAILED);
		return;
	}
	if (o == REFUSED || o == DEADLINE) { /* the .part is not ours, or time is up */
		if (o == DEADLINE)
			unlink(t->part);
		finish(e, t, DL_FAILED);
		return;
	}
	t->any_mismatch |= o == MISMATCH;
	t->all_not_found &= o == NOT_FOUND;
	t->attempt = 1;
	if (++t->isrc == t->nsrc)
		give_up(e, t);
}

static void start_attempt(struct engine *e, struct transfer *t)
{
	const char *src = t->src[t->isrc];
	if (!e->quiet && !e->bar)
		fprintf(stderr, "tcz: fetching %s from %s\n", t->name, src);
	if (!strstr(src, "://")) {
		attempt_done(e, t, copy_local(e, t, src));
		return;
	}
	enum outcome o = start_remote(e, t, src);
	if (o != GOT)
		attempt_done(e, t, o);
}

/* Move an existing dest that is not the file to dest.bad (the entry
 * itself: a symlink is moved, never followed). */
static void set_aside(struct engine *e, struct transfer *t, const char *why)
{
	char *bad = xasprintf("%s.bad", t->it->dest);
	if (rename(t->it->dest, bad)) {
		tcz_error("%s: cannot set aside: %s", t->it->dest, strerror(errno));
		finish(e, t, DL_FAILED);
	} else {
		tcz_warn("%s %s; moved to %s", t->it->dest, why, bad);
	}
	free(bad);
}

/* The download cache: an existing dest that verifies is the result; one
 * that does not, or is no regular file, is set aside. With nothing to
 * verify against, it goes. */
static void prepare(struct engine *e, struct transfer *t)
{
	struct stat st;
	t->state = WAITING;
	t->attempt = 1;
	t->all_not_found = 1;
	t->part = xasprintf("%s.part", t->it->dest);
	if (lstat(t->it->dest, &st) != 0)
		return;
	if (!t->it->nwant) {
		if (unlink(t->it->dest)) {
			tcz_error("%s: %s", t->it->dest, strerror(errno));
			finish(e, t, DL_FAILED);
		}
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		set_aside(e, t, "is not a regular file");
		return;
	}
	int fd = open(t->it->dest, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		tcz_error("%s: %s", t->it->dest, strerror(errno));
		finish(e, t, DL_FAILED);
		return;
	}
	hashes_start(t);
	int err = hashes_feed_fd(t, fd, t->it->dest);
	close(fd);
	if (err) {
		finish(e, t, DL_FAILED);
		return;
	}
	if (hashes_check(e, t, "the existing file") == 0) {
		finish(e, t, DL_OK);
		return;
	}
	set_aside(e, t, "did not verify");
}

static void add_sources(struct transfer *t, const char *primary, const char *backup)
{
	if (primary && *primary)
		t->src[t->nsrc++] = xasprintf("%s/%s", primary, t->name);
	for (size_t i = 0; i < t->it->nsrc; i++)
		t->src[t->nsrc++] = xstrdup(t->it->src[i]);
	if (backup && *backup)
		t->src[t->nsrc++] = xasprintf("%s/%s", backup, t->name);
}

static int engine_start(struct engine *e, struct dl_item *items, size_t n, int jobs, int quiet)
{
	static int curl_ready;
	memset(e, 0, sizeof(*e));
	e->jobs = jobs < 1 ? 1 : jobs;
	e->quiet = quiet;
	e->bar = !quiet && isatty(2);
	e->started = now_seconds();
	if (dl_limits_get(&e->lim))
		return -1;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
			tcz_error("cannot initialise libcurl");
			return -1;
		}
		atexit(curl_global_cleanup);
		curl_ready = 1;
	}
	e->multi = curl_multi_init();
	if (!e->multi) {
		tcz_error("cannot start libcurl's multi interface");
		return -1;
	}
	e->t = xcalloc(n, sizeof(*e->t));
	e->n = n;
	const char *primary = getenv("TCZ_PRIMARY_SITE"), *backup = getenv("TCZ_BACKUP_SITE");
	for (size_t i = 0; i < n; i++) {
		struct transfer *t = &e->t[i];
		t->it = &items[i];
		t->name = path_base(items[i].dest);
		t->deadline = e->lim.max_time > 0 ? e->started + (double)e->lim.max_time : 0;
		items[i].result = DL_FAILED;
		items[i].sha256[0] = '\0';
		add_sources(t, primary, backup);
		if (!t->nsrc) {
			tcz_error("%s: no URL given and no TCZ_PRIMARY_SITE/TCZ_BACKUP_SITE set", items[i].dest);
			t->part = NULL;
			finish(e, t, DL_FAILED);
			continue;
		}
		prepare(e, t);
	}
	return 0;
}

static void engine_stop(struct engine *e)
{
	clear_bar(e);
	for (size_t i = 0; i < e->n; i++) {
		struct transfer *t = &e->t[i];
		if (t->curl) {
			curl_multi_remove_handle(e->multi, t->curl);
			curl_easy_cleanup(t->curl);
			close(t->fd);
		}
		hashes_drop(t);
		for (size_t s = 0; s < t->nsrc; s++)
			free(t->src[s]);
		free(t->part);
	}
	free(e->t);
	curl_multi_cleanup(e->multi);
}

int dl_run(struct dl_item *items, size_t n, int jobs, int quiet)
{
	struct engine e;
	if (engine_start(&e, items, n, jobs, quiet)) {
		for (size_t i = 0; i < n; i++)
			items[i].result = DL_FAILED;
		return -1;
	}
	while (e.done < e.n) {
		double now = now_seconds(), wake = now + DL_DRAW_EVERY;
		for (size_t i = 0; i < e.n && e.active < (size_t)e.jobs; i++) {
			struct transfer *t = &e.t[i];
			if (t->state != WAITING)
				continue;
			if (t->deadline > 0 && now >= t->deadline) {
				clear_bar(&e);
				tcz_error("%s: not done after %ld s, the limit for one file (TCZ_FETCH_MAX_TIME, "
					  "--max-time)", t->it->dest, e.lim.max_time);
				attempt_done(&e, t, DEADLINE);
				continue;
			}
			if (t->not_before > now) {
				wake = t->not_before < wake ? t->not_before : wake;
				continue;
			}
			start_attempt(&e, t);
		}
		int running, left;
		CURLMcode mc = curl_multi_perform(e.multi, &running);
		if (mc != CURLM_OK) {
			clear_bar(&e);
			tcz_error("libcurl: %s", curl_multi_strerror(mc));
			break;
		}
		for (CURLMsg *msg; (msg = curl_multi_info_read(e.multi, &left));) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			char *priv = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			struct transfer *t = (struct transfer *)(void *)priv;
			attempt_done(&e, t, end_transfer(&e, t, msg->data.result));
		}
		draw_bar(&e);
		if (e.done == e.n)
			break;
		int ms = (int)((wake - now_seconds()) * 1000);
		if (ms < 0)
			ms = 0;
		mc = curl_multi_poll(e.multi, NULL, 0, ms, NULL);
		if (mc != CURLM_OK) {
			clear_bar(&e);
			tcz_error("libcurl: %s", curl_multi_strerror(mc));
			break;
		}
	}
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		if (e.t[i].state != DONE) {
			if (e.t[i].part)
				unlink(e.t[i].part);
			items[i].result = DL_FAILED;
		}
		ret |= items[i].result != DL_OK;
	}
	engine_stop(&e);
	return ret ? -1 : 0;
}

enum dl_result dl_fetch(const char *dest, const char *url, const char *md5, int missing_ok,
			long long max_size)
{
	struct dl_item it;
	dl_init(&it, dest);
	if (md5)
		dl_want(&it, HASH_MD5, md5);
	it.missing_ok = missing_ok;
	it.max_size = max_size;
	dl_source(&it, url);
	dl_run(&it, 1, 1, 1);
	enum dl_result r = it.result;
	dl_free(&it);
	return r;
}
