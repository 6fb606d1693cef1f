/*
 * ax-run: the native launcher of `ax run`. It registers the app with the ax daemon, starts it
 * under a seccomp filter whose listener the daemon holds, then stays as its supervisor.
 * The order is the point: the app must not run a single instruction of its own before the
 * daemon holds the listener, and the daemon must see the app's namespaces when it registers.
 */
#include "bridge.h"
#include "child.h"
#include "filter.h"
#include "flags.h"
#include "supervisor.h"
#include "user.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Debian 12's headers predate these; the numbers are x86_64's. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static pid_t app_pid = -1;

/* A failure after fork: the child must not outlive the launcher's decision to give up. */
_Noreturn static void fail(const char *message)
{
	if (app_pid > 0 && kill(app_pid, SIGKILL) == 0)
		(void)waitpid(app_pid, NULL, 0); /* it is ours; nothing to report if this fails */
	die("%s", message);
}

_Noreturn static void fail_sys(const char *what)
{
	char message[256];
	snprintf(message, sizeof message, "%s: %s", what, strerror(errno));
	fail(message);
}

/* The child hung up: it has printed why and exited, or it was killed. */
_Noreturn static void child_failed(void)
{
	int status;
	pid_t pid;
	do
		pid = waitpid(app_pid, &status, 0);
	while (pid < 0 && errno == EINTR);
	if (pid < 0)
		die("cannot wait for the app's process: %s", strerror(errno));
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status) != 0 ? WEXITSTATUS(status) : EXIT_RUNTIME);
	die("the app's process was killed by signal %d before the app started", WTERMSIG(status));
}

static void expect(int fd, const char *prefix, char line[MSG_BYTES])
{
	if (read_line(fd, line, MSG_BYTES) < 0) {
		if (errno == EPIPE)
			child_failed();
		char err[128];
		snprintf(err, sizeof err, "cannot hear from the app's process: %s", strerror(errno));
		fail(err);
	}
	if (strncmp(line, prefix, strlen(prefix)) != 0) {
		char err[MSG_BYTES + 64];
		snprintf(err, sizeof err, "unexpected message from the app's process: '%s'", line);
		fail(err);
	}
}

static void send_child(int fd, const char *prefix, const char *value)
{
	char line[MSG_BYTES];
	int len = snprintf(line, sizeof line, "%s%s\n", prefix, value);
	if (len < 0 || (size_t)len >= sizeof line)
		fail("internal error: message to the app's process too long");
	if (write_all(fd, line, (size_t)len) != 0) {
		if (errno == EPIPE)
			child_failed();
		char err[128];
		snprintf(err, sizeof err, "cannot talk to the app's process: %s", strerror(errno));
		fail(err);
	}
}

/* Our own copy of the child's listener: it outlives a daemon restart. pidfd_getfd shares the
 * open file description, and the copy is close-on-exec. */
static int copy_listener(const char *number)
{
	char *end;
	errno = 0;
	long fd = strtol(number, &end, 10);
	if (errno != 0 || *end != '\0' || fd < 0 || fd > INT_MAX)
		fail("the app's process sent a bad listener number");
	char err[256];
	long pidfd = syscall(SYS_pidfd_open, app_pid, 0);
	if (pidfd < 0) {
		snprintf(err, sizeof err, "pidfd_open of the app's process: %s", strerror(errno));
		fail(err);
	}
	long copy = syscall(SYS_pidfd_getfd, (int)pidfd, (int)fd, 0);
	int saved = errno;
	if (close((int)pidfd) != 0) {
		snprintf(err, sizeof err, "cannot close a pidfd: %s", strerror(errno));
		fail(err);
	}
	if (copy < 0) {
		snprintf(err, sizeof err, "cannot copy the app's seccomp listener: %s", strerror(saved));
		fail(err);
	}
	return (int)copy;
}

int main(int argc, char **argv)
{
	struct run_flags flags;
	flags_parse(argc - 1, argv + 1, &flags);
	struct run_user user;
	user_resolve(flags.user, &user);

	char socket_path[sizeof ((struct sockaddr_un *)0)->sun_path];
	int path_len = snprintf(socket_path, sizeof socket_path, "%s/%s", flags.run_dir,
				BRIDGE_SOCKET);
	if (path_len < 0 || (size_t)path_len >= sizeof socket_path)
		usage_error("--run-dir: '%s' is too long for a unix socket path (at most %zu bytes)",
			    flags.run_dir, sizeof socket_path - 1 - strlen("/" BRIDGE_SOCKET));

	/* SIGCHLD is blocked from before fork, so an app that exits at once is still seen by the
	 * supervisor's signalfd; SIGPIPE, so a dead child or daemon is an error we report. The
	 * child restores the caller's mask before exec. */
	sigset_t setup, app_mask;
	if (sigemptyset(&setup) != 0 || sigaddset(&setup, SIGCHLD) != 0 ||
	    sigaddset(&setup, SIGPIPE) != 0 || sigprocmask(SIG_BLOCK, &setup, &app_mask) != 0)
		die("cannot block signals: %s", strerror(errno));
	/* The app's orphans come to us to be reaped, as they would to PID 1. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		die("cannot become a child subreaper: %s", strerror(errno));

	int to_child[2], from_child[2];
	if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0)
		die("cannot create pipes: %s", strerror(errno));
	pid_t launcher = getpid();
	/* Once, before fork: the filter and the daemon must agree on it. */
	unsigned fd_base = filter_fd_base();
	app_pid = fork();
	if (app_pid < 0)
		die("cannot fork: %s", strerror(errno));
	if (app_pid == 0) {
		if (close(to_child[1]) != 0 || close(from_child[0]) != 0)
			die("cannot close pipes: %s", strerror(errno));
		struct child_setup setup_of_child = {
			.flags = &flags,
			.user = &user,
			.launcher = launcher,
			.from_parent = to_child[0],
			.to_parent = from_child[1],
			.app_mask = &app_mask,
			.fd_base = fd_base,
		};
		child_main(&setup_of_child);
	}
	if (close(to_child[0]) != 0 || close(from_child[1]) != 0)
		fail_sys("cannot close pipes");

	char line[MSG_BYTES];
	char err[BRIDGE_ERR_BYTES];
	expect(from_child[0], MSG_READY, line);
	struct supervisor s = {
		.app = { .flags = &flags, .pid = app_pid, .appid = "", .fd_base = fd_base },
		.socket_path = socket_path,
	};
	s.conn = bridge_connect(socket_path, err);
	struct bridge_reply reply;
	if (s.conn < 0 || bridge_register(s.conn, &s.app, &reply, err) != 0)
		fail(err);
	memcpy(s.app.appid, reply.appid, sizeof s.app.appid);
	send_child(to_child[1], MSG_IP, reply.ip);

	expect(from_child[0], MSG_LISTENER, line);
	s.listener = copy_listener(line + strlen(MSG_LISTENER));
	if (bridge_send_listener(s.conn, s.listener, err) != 0)
		fail(err);

	/* From "go" on, signals for the app arrive through the signalfd. Before it, they act by
	 * default: the launcher dies, and the parent-death signal takes the child. SIGPIPE stays
	 * blocked but out of the set: a kernel SIGPIPE (stderr closed under us) looks like
	 * SI_USER and must not be forwarded. */
	sigset_t handled;
	if (sigemptyset(&handled) != 0 || sigaddset(&handled, SIGCHLD) != 0)
		fail_sys("cannot build the signal set");
	supervisor_forwarded(&handled);
	if (sigprocmask(SIG_BLOCK, &handled, NULL) != 0)
		fail_sys("cannot block signals");
	s.signals = signalfd(-1, &handled, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s.signals < 0)
		fail_sys("cannot create a signalfd");
	send_child(to_child[1], MSG_GO, "");
	if (close(to_child[1]) != 0 || close(from_child[0]) != 0)
		fail_sys("cannot close pipes");
	supervise(&s);
}
