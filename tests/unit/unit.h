/* A minimal unit-test runner: each TEST is a function; RUN() calls it and
 * prints "ok NAME" or "FAIL NAME: file:line: expression" lines that
 * tests/run.sh counts. */
#ifndef TCZ_UNIT_H
#define TCZ_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_failed_now;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
		unit_failed_now = 1; \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_)) { \
		printf("  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
		unit_failed_now = 1; \
	} \
} while (0)

#define RUN(fn) do { \
	unit_failed_now = 0; \
	fn(); \
	const char *label_ = getenv("TCZ_TEST_LABEL"); \
	printf("%s %s%sunit/%s: %s\n", unit_failed_now ? "FAIL" : "ok", \
	       label_ ? label_ : "", label_ && *label_ ? " " : "", \
	       strrchr("/" __FILE__, '/') + 1, #fn); \
	fflush(stdout); \
} while (0)

#endif
