/* The `ax run` command line: flags with AppSwitch's names and defaults, then the command. */
#ifndef AX_FLAGS_H
#define AX_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

/* Bounds on what goes into the daemon's header: the daemon bounds its reads, so do we. */
#define FLAG_VALUE_MAX 4096
#define EXPOSE_MAX 256

struct run_flags {
	const char *ip;        /* "" when not given: the daemon picks */
	const char *name;      /* "" when not given */
	const char *labels;    /* csv of key=value, checked by the daemon */
	const char *expose[EXPOSE_MAX]; /* one validated item each, csv values already split */
	size_t n_expose;
	const char *user;      /* "" when not given */
	const char *interface; /* "" when not given */
	bool new_netns;
	bool dns_override;
	const char *run_dir;
	char **cmd;            /* NULL-terminated, at least one word */
};

/* Parses argv (without the program name) into flags. On a bad command line it prints one
 * `ax run:` line and exits with EXIT_USAGE; -h/--help prints the usage and exits 0. */
void flags_parse(int argc, char **argv, struct run_flags *out);

/* Strict dotted quad: four decimal parts 0-255 without leading zeros. */
bool parse_ipv4(const char *text, unsigned char out[4]);

#endif
