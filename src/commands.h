/* One entry point per subcommand; each lives in its own src/<name>.c and
 * handles its own options, `--help` included. They return a TCZ_EXIT_ code. */
#ifndef TCZ_COMMANDS_H
#define TCZ_COMMANDS_H

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

extern const struct command tcz_commands[];

int cmd_pack(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_unpack(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_mirror(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_elf(int argc, char **argv);
int cmd_cpio(int argc, char **argv);
int cmd_ldconfig(int argc, char **argv);
int cmd_colinux(int argc, char **argv);

#endif
