/* --user: resolved before the seccomp filter exists, applied after it. */
#ifndef AX_USER_H
#define AX_USER_H

#include <stdbool.h>
#include <sys/types.h>

struct run_user {
	bool change; /* false: run the app as the caller */
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups, as initgroups(3) would set them */
	size_t n_groups;
};

/* Looks the user up (name or uid) with NSS. Done in the launcher before anything else: NSS may
 * open sockets (nscd, sssd, LDAP), which the filter would trap. Exits on an unknown user. */
void user_resolve(const char *spec, struct run_user *out);

/* Switches to the resolved user with setgroups/setgid/setuid only (none of them trapped) and
 * verifies the result. Dies on failure. */
void user_apply(const struct run_user *user);

#endif
