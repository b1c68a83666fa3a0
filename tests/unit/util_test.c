#include "../../src/hash.h"
#include "../../src/util.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_human_size(void)
{
	char b[16];
	human_size(0, b);
	CHECK_STR(b, "0");
	human_size(1023, b);
	CHECK_STR(b, "1023");
	human_size(4096, b);
	CHECK_STR(b, "4.0K");
	human_size(24 * 1024, b);
	CHECK_STR(b, "24K");
	human_size(24 * 1024 + 1, b);
	CHECK_STR(b, "25K");
	human_size(1536 * 1024, b);
	CHECK_STR(b, "1.5M");
	human_size(10239, b); /* 9.999K rounds up to 10K, not "10.0K" */
	CHECK_STR(b, "10K");
}

static void test_parse_size(void)
{
	CHECK(parse_size("4096") == 4096);
	CHECK(parse_size("4k") == 4096);
	CHECK(parse_size("128K") == 131072);
	CHECK(parse_size("1M") == 1048576);
	CHECK(parse_size("") == -1);
	CHECK(parse_size("4x") == -1);
	CHECK(parse_size("-4") == -1);
	CHECK(parse_size("99999999999999999999") == -1);
}

static void test_hash(void)
{
	struct hasher *h = hasher_new(HASH_MD5);
	char hex[HASH_HEX_MAX];
	hasher_update(h, "abc", 3);
	hasher_final_hex(h, hex);
	CHECK_STR(hex, "900150983cd24fb0d6963f7d28e17f72");
	h = hasher_new(HASH_SHA256);
	hasher_update(h, "abc", 3);
	hasher_final_hex(h, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	h = hasher_new(HASH_SHA512);
	hasher_update(h, "abc", 3);
	hasher_final_hex(h, hex);
	CHECK_STR(hex, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
	CHECK(hash_hex_len(HASH_SHA512) == 128);
	CHECK(hash_hex_valid("900150983cd24fb0d6963f7d28e17f72", HASH_MD5));
	CHECK(!hash_hex_valid("900150983cd24fb0d6963f7d28e17f7", HASH_MD5));
	CHECK(!hash_hex_valid("900150983cd24fb0d6963f7d28e17f72", HASH_SHA256));
	CHECK(!hash_hex_valid("g00150983cd24fb0d6963f7d28e17f72", HASH_MD5));
}

static void test_outfile_commit_and_abort(void)
{
	char dir[] = "/tmp/tcz-unit-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *path = path_join(dir, "f.txt");
	CHECK(write_file_atomic(path, "old", 3, 0644) == 0);

	struct outfile of;
	CHECK(outfile_open(&of, path, 0644) == 0);
	CHECK(write(of.fd, "new", 3) == 3);
	outfile_abort(&of);
	char *data;
	size_t len;
	CHECK(read_file(path, 100, &data, &len) == 0);
	CHECK_STR(data, "old"); /* an aborted write leaves the old file */
	free(data);

	CHECK(outfile_open(&of, path, 0640) == 0);
	FILE *fp = outfile_stdio(&of);
	CHECK(fp && fputs("newer", fp) >= 0);
	CHECK(outfile_commit(&of) == 0);
	CHECK(read_file(path, 100, &data, &len) == 0);
	CHECK_STR(data, "newer");
	CHECK(len == 5);
	free(data);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);

	/* A temporary left by a dead process (pid 2^22+1 is never valid on
	 * Linux's default pid_max) is removed by the next open. */
	char *stale = path_join(dir, ".f.txt.tmp.4194305");
	CHECK(write_file_atomic(stale, "x", 1, 0644) == 0);
	CHECK(outfile_open(&of, path, 0644) == 0);
	CHECK(access(stale, F_OK) != 0);
	outfile_abort(&of);
	CHECK(unlink(path) == 0);
	CHECK(rmdir(dir) == 0);
	free(stale);
	free(path);
}

static void test_read_file_limit(void)
{
	char *data;
	CHECK(read_file("/dev/zero", 1000, &data, NULL) == -1);
	CHECK(read_file("/nonexistent/file", 1000, &data, NULL) == -1);
}

int main(void)
{
	RUN(test_human_size);
	RUN(test_parse_size);
	RUN(test_hash);
	RUN(test_outfile_commit_and_abort);
	RUN(test_read_file_limit);
	return 0;
}
