/* colinux-conf FILE: read a coLinux configuration file as colinux-daemon
 * 0.7.9 reads it, with the daemon's own parser: coLinux's
 * src/colinux/user/cmdline.c is compiled into this program (the test
 * builds it from coLinux's source with -I pointing at that source and at
 * empty stand-ins for the colinux/ headers cmdline.c includes; what those
 * would declare is below). The settings are taken in the order of
 * src/colinux/user/config.c's co_parse_config_args (kernel, mem, cobdN,
 * ethN, initrd); what is left is the kernel's boot line, exactly as the
 * daemon builds it (co_cmdline_params_format_remaining_parameters).
 * Prints one NAME=VALUE per line, quotation marks removed as the daemon
 * removes them, and boot=LINE last. Exit 1 if the daemon would fail. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef long co_rc_t;
typedef int bool_t;
#define PTRUE 1
#define PFALSE 0
enum { CO_RC_OK = 0, CO_RC_ERROR = -1, CO_RC_OUT_OF_MEMORY = -2, CO_RC_INVALID_PARAMETER = -3 };
#define CO_RC(name) ((co_rc_t)CO_RC_##name)
#define CO_OK(rc) ((rc) >= 0)
#define co_os_malloc malloc
#define co_os_free free
#define co_memcpy memcpy
#define co_memset memset
#define co_strlen(s) ((int)strlen(s))
#define co_strcmp strcmp
#define co_strncmp strncmp
#define co_strstr strstr
#define co_snprintf snprintf
#define co_terminal_print printf

/* src/colinux/os/user/file.h: the whole file into a buffer. */
static co_rc_t co_os_file_load(const char *name, char **out_buf, unsigned long *out_size, unsigned long max)
{
	FILE *f = fopen(name, "rb");
	if (!f)
		return CO_RC(ERROR);
	char *buf = malloc(1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (!buf)
		return CO_RC(OUT_OF_MEMORY);
	if (max && n > max)
		n = max;
	*out_buf = buf;
	*out_size = n;
	return CO_RC(OK);
}

static void co_os_file_free(char *buf)
{
	free(buf);
}

#include "colinux/user/cmdline.c"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: colinux-conf FILE\n");
		return 2;
	}
	char at[4096];
	snprintf(at, sizeof(at), "@%s", argv[1]);
	char *args[] = { at };
	co_command_line_params_t cmdline;
	if (!CO_OK(co_cmdline_params_alloc(args, 1, &cmdline))) {
		fprintf(stderr, "colinux-conf: %s: the daemon could not read it\n", argv[1]);
		return 1;
	}
	char kernel[1024], initrd[1024], boot[4096];
	bool_t exists;
	co_rc_t rc = co_cmdline_get_next_equality(cmdline, "kernel", 0, NULL, 0, kernel, sizeof(kernel), &exists);
	if (!CO_OK(rc) || !exists) {
		fprintf(stderr, "colinux-conf: no kernel= setting\n");
		return 1;
	}
	co_remove_quotation_marks(kernel);
	printf("kernel=%s\n", kernel);
	unsigned int mem;
	if (!CO_OK(co_cmdline_get_next_equality_int_value(cmdline, "mem", &mem, &exists)))
		return 1;
	if (exists)
		printf("mem=%u\n", mem);
	const char *indexed[] = { "cobd", "eth" };
	for (int k = 0; k < 2; k++) {
		for (;;) {
			unsigned int index;
			char *value;
			if (!CO_OK(co_cmdline_get_next_equality_int_prefix(cmdline, indexed[k], &index, 32, &value, &exists)))
				return 1;
			if (!exists)
				break;
			co_remove_quotation_marks(value);
			printf("%s%u=%s\n", indexed[k], index, value);
		}
	}
	if (!CO_OK(co_cmdline_get_next_equality(cmdline, "initrd", 0, NULL, 0, initrd, sizeof(initrd), &exists)))
		return 1;
	if (exists) {
		co_remove_quotation_marks(initrd);
		printf("initrd=%s\n", initrd);
	}
	co_cmdline_params_format_remaining_parameters(cmdline, boot, sizeof(boot));
	printf("boot=%s\n", boot);
	co_cmdline_params_free(cmdline);
	return 0;
}
