#include "flags.h"

#include "util.h"

#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reference's default label: a client reaches a service only when they share a label. */
#define DEFAULT_LABELS "zone=default"
/* AppSwitch's run directory; AX_RUN_DIR lets tests and unprivileged users use another one. */
#define DEFAULT_RUN_DIR "/var/run/appswitch"

static const char USAGE[] =
	"Usage: ax run [flags] [--] COMMAND [ARGS...]\n"
	"\n"
	"Runs COMMAND under ax: its network system calls are handed to the ax daemon.\n"
	"\n"
	"Flags:\n"
	"  --ip A.B.C.D          IPv4 address at which the app's services are reachable\n"
	"  --name NAME           DNS-resolvable name of the app\n"
	"  --labels CSV          labels of the app, key=value,... (default \"" DEFAULT_LABELS "\")\n"
	"  --expose SPEC         expose an app port to non-ax clients: PORT:HOSTPORT (this node),\n"
	"                        PORT:NODE-IP:HOSTPORT (that node) or PORT:0.0.0.0:HOSTPORT (every\n"
	"                        node); repeatable, and a value may be a csv\n"
	"  --user NAME|UID       run the app as this user\n"
	"  --interface NAME      create an interface NAME holding the app IP in the app's network\n"
	"                        namespace (needs a new network namespace)\n"
	"  --new-netns[=BOOL]    run the app in a new network namespace (default true;\n"
	"                        --no-new-netns is --new-netns=false)\n"
	"  --dns-override[=BOOL] point the app's DNS at the ax daemon (default true)\n"
	"  --run-dir DIR         directory of the daemon's socket (default $AX_RUN_DIR, else\n"
	"                        " DEFAULT_RUN_DIR ")\n"
	"  -h, --help            show this help\n"
	"\n"
	"Example:\n"
	"  ax run --ip 10.0.0.5 --name web --expose 8000:9999 -- python3 -m http.server 8000\n";

enum kind { STRING, BOOL, LIST };

struct spec {
	const char *name;
	enum kind kind;
};

/* Order matters only for the index used in parse_one(). */
enum { F_IP, F_NAME, F_LABELS, F_EXPOSE, F_USER, F_INTERFACE, F_NEW_NETNS, F_DNS_OVERRIDE,
       F_RUN_DIR, F_COUNT };

static const struct spec SPECS[F_COUNT] = {
	[F_IP] = { "ip", STRING },
	[F_NAME] = { "name", STRING },
	[F_LABELS] = { "labels", STRING },
	[F_EXPOSE] = { "expose", LIST },
	[F_USER] = { "user", STRING },
	[F_INTERFACE] = { "interface", STRING },
	[F_NEW_NETNS] = { "new-netns", BOOL },
	[F_DNS_OVERRIDE] = { "dns-override", BOOL },
	[F_RUN_DIR] = { "run-dir", STRING },
};

bool parse_ipv4(const char *text, unsigned char out[4])
{
	const char *p = text;
	for (int part = 0; part < 4; part++) {
		if (part > 0 && *p++ != '.')
			return false;
		unsigned value = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9' && digits < 4) {
			value = value * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		/* "010" would be octal to inet_aton and decimal to others: refuse it. */
		if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && p[-digits] == '0'))
			return false;
		out[part] = (unsigned char)value;
	}
	return *p == '\0';
}

static bool parse_port(const char *text, size_t len)
{
	if (len == 0 || len > 5)
		return false;
	unsigned value = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		value = value * 10 + (unsigned)(text[i] - '0');
	}
	return value >= 1 && value <= 65535 && text[0] != '0';
}

/* PORT:HOSTPORT, PORT:NODE-IP:HOSTPORT or PORT:0.0.0.0:HOSTPORT. */
static void check_expose(const char *item)
{
	static const char expected[] =
		"expected PORT:HOSTPORT, PORT:NODE-IP:HOSTPORT or PORT:0.0.0.0:HOSTPORT, ports 1-65535";
	const char *first = strchr(item, ':');
	const char *last = strrchr(item, ':');
	if (first == NULL)
		usage_error("--expose: '%s' has no host port (%s)", item, expected);
	if (!parse_port(item, (size_t)(first - item)))
		usage_error("--expose: '%s': '%.*s' is not a port (%s)", item, (int)(first - item), item,
			    expected);
	if (!parse_port(last + 1, strlen(last + 1)))
		usage_error("--expose: '%s': '%s' is not a port (%s)", item, last + 1, expected);
	if (first != last) {
		char ip[16];
		unsigned char bytes[4];
		size_t len = (size_t)(last - first - 1);
		if (len >= sizeof ip)
			usage_error("--expose: '%s': '%.*s' is not an IPv4 address (%s)", item, (int)len,
				    first + 1, expected);
		memcpy(ip, first + 1, len);
		ip[len] = '\0';
		if (!parse_ipv4(ip, bytes))
			usage_error("--expose: '%s': '%s' is not an IPv4 address (%s)", item, ip, expected);
	}
}

/* Splits a csv --expose value into items, each checked. */
static void add_expose(struct run_flags *out, const char *value)
{
	char *copy = strdup(value);
	if (copy == NULL)
		die("out of memory");
	for (char *item = copy, *end; item != NULL; item = end) {
		end = strchr(item, ',');
		if (end != NULL)
			*end++ = '\0';
		if (*item == '\0')
			usage_error("--expose: '%s' has an empty item (expected a csv of port specs)", value);
		check_expose(item);
		if (out->n_expose == EXPOSE_MAX)
			usage_error("--expose: more than %d ports", EXPOSE_MAX);
		out->expose[out->n_expose++] = item;
	}
}

/* A name the kernel accepts (dev_valid_name in net/core/dev.c). */
static void check_interface(const char *name)
{
	if (strlen(name) >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strpbrk(name, "/: \t\v\f") != NULL)
		usage_error("--interface: '%s' is not an interface name (expected 1-%d characters "
			    "without '/', ':' or spaces)",
			    name, IFNAMSIZ - 1);
}

static bool parse_bool(const char *flag, const char *value)
{
	if (value == NULL || strcmp(value, "true") == 0)
		return true;
	if (strcmp(value, "false") == 0)
		return false;
	usage_error("--%s: '%s' is not a boolean (expected true or false)", flag, value);
}

static void set_value(struct run_flags *out, int which, const char *value)
{
	const char *flag = SPECS[which].name;
	/* The header is line-based, and Java's readLine also ends a line at '\r'. */
	if (strpbrk(value, "\r\n") != NULL)
		usage_error("--%s: the value contains a line break", flag);
	if (strlen(value) > FLAG_VALUE_MAX)
		usage_error("--%s: the value is longer than %d bytes", flag, FLAG_VALUE_MAX);
	bool must_be_set = which != F_LABELS; /* empty labels mean "no labels" */
	if (must_be_set && *value == '\0')
		usage_error("--%s: the value is empty", flag);
	switch (which) {
	case F_IP: {
		unsigned char bytes[4];
		if (!parse_ipv4(value, bytes))
			usage_error("--ip: '%s' is not an IPv4 address (expected a.b.c.d)", value);
		out->ip = value;
		break;
	}
	case F_NAME: out->name = value; break;
	case F_LABELS: out->labels = value; break;
	case F_EXPOSE: add_expose(out, value); break;
	case F_USER: out->user = value; break;
	case F_INTERFACE:
		check_interface(value);
		out->interface = value;
		break;
	case F_RUN_DIR: out->run_dir = value; break;
	default: break;
	}
}

/* Handles argv[*i], a flag; may consume the next word as its value. */
static void parse_one(int argc, char **argv, int *i, struct run_flags *out, bool seen[F_COUNT])
{
	const char *arg = argv[*i];
	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
		fputs(USAGE, stdout);
		exit(fflush(stdout) == 0 ? 0 : EXIT_RUNTIME);
	}
	/* AppSwitch's docs name --no-new-netns once; accept the negated form for both booleans. */
	if (strcmp(arg, "--no-new-netns") == 0 || strcmp(arg, "--no-dns-override") == 0) {
		int which = arg[5] == 'n' ? F_NEW_NETNS : F_DNS_OVERRIDE;
		if (seen[which])
			usage_error("--%s is given twice", SPECS[which].name);
		seen[which] = true;
		*(which == F_NEW_NETNS ? &out->new_netns : &out->dns_override) = false;
		return;
	}
	if (strncmp(arg, "--", 2) != 0)
		usage_error("unknown flag '%s' (see 'ax run --help')", arg);
	const char *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	int which = -1;
	for (int f = 0; f < F_COUNT; f++)
		if (strlen(SPECS[f].name) == name_len && strncmp(SPECS[f].name, name, name_len) == 0)
			which = f;
	if (which < 0)
		usage_error("unknown flag '%.*s' (see 'ax run --help')", (int)(name_len + 2), arg);
	if (SPECS[which].kind != LIST && seen[which])
		usage_error("--%s is given twice", SPECS[which].name);
	seen[which] = true;

	const char *value = eq != NULL ? eq + 1 : NULL;
	if (SPECS[which].kind == BOOL) {
		/* A boolean never takes the next word: it could be the command. */
		bool b = parse_bool(SPECS[which].name, value);
		*(which == F_NEW_NETNS ? &out->new_netns : &out->dns_override) = b;
		return;
	}
	if (value == NULL) {
		if (*i + 1 >= argc)
			usage_error("--%s needs a value", SPECS[which].name);
		value = argv[++*i];
	}
	set_value(out, which, value);
}

void flags_parse(int argc, char **argv, struct run_flags *out)
{
	const char *env_dir = getenv("AX_RUN_DIR");
	*out = (struct run_flags){
		.ip = "",
		.name = "",
		.labels = DEFAULT_LABELS,
		.user = "",
		.interface = "",
		.new_netns = true,
		.dns_override = true,
		.run_dir = env_dir != NULL && *env_dir != '\0' ? env_dir : DEFAULT_RUN_DIR,
	};
	bool seen[F_COUNT] = { false };
	int i = 0;
	for (; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			break; /* the command */
		parse_one(argc, argv, &i, out, seen);
	}
	if (i >= argc)
		usage_error("no command given (usage: ax run [flags] [--] COMMAND [ARGS...])");
	if (*out->interface != '\0' && !out->new_netns)
		usage_error("--interface '%s' needs a new network namespace (drop --new-netns=false)",
			    out->interface);
	out->cmd = argv + i;
}
