#include "child.h"

#include "filter.h"
#include "netif.h"
#include "util.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

/* The app dies with its supervisor: the daemon takes the supervisor's EOF as "the app is gone",
 * so an app left running would hold sockets the mesh no longer knows. */
static void die_with_parent(pid_t launcher)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		die("cannot set the parent-death signal: %s", strerror(errno));
	/* The launcher may have died before the prctl: then nothing would ever kill us. */
	if (getppid() != launcher)
		_exit(EXIT_RUNTIME);
}

static void tell(int fd, const char *line)
{
	char buf[MSG_BYTES];
	int len = snprintf(buf, sizeof buf, "%s\n", line);
	if (len < 0 || (size_t)len >= sizeof buf || write_all(fd, buf, (size_t)len) != 0)
		die("cannot talk to the launcher: %s", strerror(errno));
}

/* Waits for the launcher's next line; EOF means it gave up (and said why). */
static void hear(int fd, char line[MSG_BYTES])
{
	if (read_line(fd, line, MSG_BYTES) < 0) {
		if (errno == EPIPE)
			_exit(EXIT_RUNTIME);
		die("cannot hear from the launcher: %s", strerror(errno));
	}
}

/* Whether the app gets a mount namespace of its own, for the DNS override's bind mount: only
 * root can mount, and the mount must stay in the app's namespace. */
static bool own_mounts(const struct run_flags *flags)
{
	return flags->new_netns && flags->dns_override && geteuid() == 0;
}

static void enter_namespaces(const struct run_flags *flags)
{
	if (!flags->new_netns)
		return;
	int what = CLONE_NEWNET;
	bool mounts = own_mounts(flags);
	if (mounts)
		what |= CLONE_NEWNS;
	if (unshare(what) != 0)
		die("cannot create a network namespace: %s%s", strerror(errno),
		    errno == EPERM ? " (run as root, or use --new-netns=false)" : "");
	/* Without this, mounts made for the app would propagate back to the host. */
	if (mounts && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		die("cannot make the app's mounts private: %s", strerror(errno));
}

/* --dns-override: the daemon writes resolv.conf into its run directory while its DNS server
 * runs; the app sees that file as /etc/resolv.conf through a bind mount in its own mount
 * namespace, so the host's file is untouched. No file: the daemon serves no DNS, nothing to do. */
static void override_dns(const struct run_flags *flags)
{
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/resolv.conf", flags->run_dir);
	if (n < 0 || (size_t)n >= sizeof path)
		die("the run directory path is too long");
	if (access(path, R_OK) != 0)
		return;
	if (mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL) != 0)
		die("cannot mount %s over /etc/resolv.conf: %s (use --dns-override=false)", path, strerror(errno));
}

void child_main(const struct child_setup *s)
{
	char line[MSG_BYTES];
	die_with_parent(s->launcher);
	enter_namespaces(s->flags);
	tell(s->to_parent, MSG_READY);

	hear(s->from_parent, line);
	if (strncmp(line, MSG_IP, strlen(MSG_IP)) != 0)
		die("unexpected message from the launcher: '%s'", line);
	if (*s->flags->interface != '\0')
		netif_create(s->flags->interface, line + strlen(MSG_IP));
	if (own_mounts(s->flags))
		override_dns(s->flags);

	/* From here on: no socket, connect, sendto or sendmsg (they would be trapped); only
	 * read, write, close, set*id and execve. */
	int listener = filter_install(s->fd_base);
	char msg[MSG_BYTES];
	snprintf(msg, sizeof msg, MSG_LISTENER "%d", listener);
	tell(s->to_parent, msg);

	hear(s->from_parent, line);
	if (strcmp(line, MSG_GO) != 0)
		die("unexpected message from the launcher: '%s'", line);
	/* The app must not hold its own listener: it could answer its own notifications. */
	if (close(listener) != 0 || close(s->from_parent) != 0 || close(s->to_parent) != 0)
		die("cannot close the launcher's descriptors: %s", strerror(errno));

	user_apply(s->user);
	/* Changing credentials clears the parent-death signal: set it again. */
	if (s->user->change)
		die_with_parent(s->launcher);
	if (sigprocmask(SIG_SETMASK, s->app_mask, NULL) != 0)
		die("cannot restore the signal mask: %s", strerror(errno));

	execvp(s->flags->cmd[0], s->flags->cmd);
	int err = errno;
	say("cannot run '%s': %s", s->flags->cmd[0], strerror(err));
	_exit(err == EACCES ? 126 : 127);
}
