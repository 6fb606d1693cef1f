#include "user.h"

#include "util.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* getgrouplist(3) tells how many groups it needs; the kernel's NGROUPS_MAX bounds the retries. */
#define GROUPS_START 32

static void resolve_groups(const struct passwd *pw, struct run_user *out)
{
	int n = GROUPS_START;
	for (;;) {
		gid_t *groups = malloc((size_t)n * sizeof *groups);
		if (groups == NULL)
			die("out of memory");
		int want = n;
		if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &want) >= 0) {
			out->groups = groups;
			out->n_groups = (size_t)want;
			return;
		}
		free(groups);
		if (want <= n || want > NGROUPS_MAX)
			die("--user: cannot list the groups of user '%s'", pw->pw_name);
		n = want;
	}
}

void user_resolve(const char *spec, struct run_user *out)
{
	*out = (struct run_user){ .change = false };
	if (*spec == '\0')
		return;

	struct passwd *pw;
	char *end;
	errno = 0;
	unsigned long number = strtoul(spec, &end, 10);
	bool numeric = spec[0] >= '0' && spec[0] <= '9' && *end == '\0';
	if (numeric) {
		if (errno != 0 || number >= (unsigned long)(uid_t)-1)
			usage_error("--user: '%s' is not a uid (expected a user name or a uid)", spec);
		errno = 0;
		pw = getpwuid((uid_t)number);
	} else {
		errno = 0;
		pw = getpwnam(spec);
	}
	if (pw == NULL) {
		/* glibc reports "not found" as 0, ENOENT or ESRCH; anything else is a lookup failure. */
		if (errno != 0 && errno != ENOENT && errno != ESRCH)
			die("--user: cannot look up '%s': %s", spec, strerror(errno));
		usage_error("--user: no user '%s' on this system (expected a user name or a uid)", spec);
	}

	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	if (geteuid() != 0) {
		/* Without root only "yourself" works, and then there is nothing to change. */
		if (pw->pw_uid == getuid() && pw->pw_uid == geteuid())
			return;
		die("--user '%s': switching users needs root (ax run runs as uid %u)", spec,
		    (unsigned)geteuid());
	}
	out->change = true;
	resolve_groups(pw, out);
}

void user_apply(const struct run_user *user)
{
	if (!user->change)
		return;
	/* Groups first: after setuid we would no longer be allowed to change them. */
	if (setgroups(user->n_groups, user->groups) != 0)
		die("cannot set the groups of uid %u: %s", (unsigned)user->uid, strerror(errno));
	if (setgid(user->gid) != 0)
		die("cannot switch to gid %u: %s", (unsigned)user->gid, strerror(errno));
	if (setuid(user->uid) != 0)
		die("cannot switch to uid %u: %s", (unsigned)user->uid, strerror(errno));
	if (getuid() != user->uid || geteuid() != user->uid || getgid() != user->gid ||
	    getegid() != user->gid)
		die("switching to uid %u gid %u did not take effect", (unsigned)user->uid,
		    (unsigned)user->gid);
}
