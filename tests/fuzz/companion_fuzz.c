/* libFuzzer target: the parsers of Tiny Core's companion files, which come
 * from mirrors nobody controls (.dep, .info, .md5.txt). */
#include "companion.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char hex[33];
	struct path_list names = { 0 };
	dep_parse("fuzz.tcz.dep", text, size, &names);
	path_list_free(&names);
	info_validate("fuzz.tcz.info", text, size, "fuzz.tcz");
	md5txt_parse("fuzz.tcz.md5.txt", text, size, "fuzz.tcz", hex);
	return 0;
}
