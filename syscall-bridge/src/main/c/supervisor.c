/*
 * One poll loop over {signalfd, daemon connection}; no threads and no signal handlers, so every
 * event is handled in one place and the process stays a few hundred kilobytes.
 */
#include "supervisor.h"

#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Reconnect backoff: quick enough to catch a daemon restart, slow enough not to spin while the
 * daemon is down for longer. */
#define BACKOFF_FIRST_MS 50
#define BACKOFF_MAX_MS 1000

static const int FORWARDED[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
				 SIGCONT };

void supervisor_forwarded(sigset_t *set)
{
	for (size_t i = 0; i < sizeof FORWARDED / sizeof FORWARDED[0]; i++)
		if (sigaddset(set, FORWARDED[i]) != 0)
			die("cannot build the signal set: %s", strerror(errno));
}

static bool debug_enabled(void)
{
	const char *v = getenv("AX_RUN_DEBUG");
	return v != NULL && *v != '\0';
}

static long long now_ms(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("cannot read the clock: %s", strerror(errno));
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

_Noreturn static void exit_like(int status, struct supervisor *s)
{
	/* Closing tells the daemon the app is gone; exit would close it too, but say so. */
	if (s->conn >= 0 && close(s->conn) != 0)
		say("cannot close the daemon connection: %s", strerror(errno));
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	_exit(128 + WTERMSIG(status));
}

/* Reaps every child that has exited: the app, and orphans reparented to us as subreaper (we may
 * be PID 1 in a container). The app ends with its last process: a program that daemonizes
 * (`redis-server --daemonize yes`, nginx's `daemon on`, a double fork) leaves its first process
 * early, and the daemon it left behind, ours now, still serves under the app's registration. */
static void reap(struct supervisor *s)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid == 0)
			return; /* children live on */
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD && s->app_exited)
				exit_like(s->app_status, s);
			/* ECHILD: no children left, yet the app was never reaped. Cannot happen. */
			die("cannot wait for the app: %s", strerror(errno));
		}
		if (pid == s->app.pid) {
			s->app_exited = true;
			s->app_status = status;
			if (debug_enabled())
				say("the app's first process exited; waiting for the processes it left");
		}
	}
}

static void signal_descendants(int sig);

static void on_signals(struct supervisor *s)
{
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(s->signals, &si, sizeof si);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			die("cannot read signals: %s", strerror(errno));
		}
		if ((size_t)n != sizeof si)
			die("short read from the signalfd");
		if (si.ssi_signo == SIGCHLD) {
			reap(s);
			continue;
		}
		/* A signal from the terminal (SI_KERNEL) already reached the app, which is in our
		 * process group: forwarding it would deliver a second Ctrl-C. */
		int code = si.ssi_code;
		if (code != SI_USER && code != SI_QUEUE && code != SI_TKILL)
			continue;
		int sig = (int)si.ssi_signo;
		/* ESRCH: the app just exited; its SIGCHLD is on the way. */
		if (!s->app_exited && kill(s->app.pid, sig) != 0 && errno != ESRCH)
			say("cannot forward signal %u to the app: %s", si.ssi_signo, strerror(errno));
		/* A request to end reaches every process of the app, also those that left its
		 * session (daemons): `kill -TERM` of ax run stops the whole app. */
		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT)
			signal_descendants(sig);
	}
}

/* Our descendants, from the ppid field of /proc/PID/stat. */
struct procs {
	pid_t *pid, *ppid;
	size_t n, cap;
};

static bool read_ppid(const char *pid_dir, pid_t *ppid)
{
	char path[64], stat[512];
	snprintf(path, sizeof path, "/proc/%.20s/stat", pid_dir); /* pids have <= 10 digits */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false; /* exited meanwhile */
	ssize_t n = read(fd, stat, sizeof stat - 1);
	if (close(fd) != 0 || n <= 0)
		return false; /* exited meanwhile, or not ours to read */
	stat[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and parentheses, so go past the last ')'. */
	const char *end = strrchr(stat, ')');
	char state;
	int parent;
	if (end == NULL || sscanf(end + 1, " %c %d", &state, &parent) != 2)
		return false;
	*ppid = parent;
	return true;
}

static void list_procs(struct procs *all)
{
	DIR *dir = opendir("/proc");
	if (dir == NULL) {
		say("cannot list /proc: %s", strerror(errno));
		return;
	}
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid_t ppid;
		if (!read_ppid(e->d_name, &ppid))
			continue;
		if (all->n == all->cap) {
			size_t cap = all->cap == 0 ? 256 : all->cap * 2;
			pid_t *p = realloc(all->pid, cap * sizeof *p);
			if (p != NULL)
				all->pid = p;
			pid_t *pp = realloc(all->ppid, cap * sizeof *pp);
			if (pp != NULL)
				all->ppid = pp;
			if (p == NULL || pp == NULL)
				break; /* out of memory: nudge what we have */
			all->cap = cap;
		}
		all->pid[all->n] = (pid_t)strtol(e->d_name, NULL, 10);
		all->ppid[all->n] = ppid;
		all->n++;
	}
	if (closedir(dir) != 0)
		say("cannot close /proc: %s", strerror(errno));
}

/* Our descendants, breadth-first, moved to the front of all: returns how many there are. */
static size_t descendants(struct procs *all)
{
	list_procs(all);
	/* Breadth-first from us: all->pid[0..found) are our descendants, moved to the front. */
	size_t found = 0;
	pid_t self = getpid();
	for (size_t next = 0; next <= found; next++) {
		pid_t parent = next == 0 ? self : all->pid[next - 1];
		for (size_t i = found; i < all->n; i++) {
			if (all->ppid[i] != parent || all->pid[i] == self)
				continue;
			pid_t p = all->pid[i], pp = all->ppid[i];
			all->pid[i] = all->pid[found];
			all->ppid[i] = all->ppid[found];
			all->pid[found] = p;
			all->ppid[found] = pp;
			found++;
		}
	}
	return found;
}

static void signal_descendants(int sig)
{
	struct procs all = { 0 };
	size_t found = descendants(&all);
	for (size_t i = 0; i < found; i++)
		if (kill(all.pid[i], sig) != 0 && errno != ESRCH)
			say("cannot signal process %d: %s", (int)all.pid[i], strerror(errno));
	free(all.pid);
	free(all.ppid);
}

/*
 * A daemon that dies takes the notifications it had received but not answered; their threads
 * would wait forever. Stopping and continuing every process of the app interrupts those waits,
 * the calls restart and reach the new daemon (measured on Linux 6.18, see DESIGN.md).
 */
static void nudge_app(void)
{
	struct procs all = { 0 };
	size_t found = descendants(&all);
	for (size_t i = 0; i < found; i++)
		if (kill(all.pid[i], SIGSTOP) != 0 && errno != ESRCH)
			say("cannot stop process %d: %s", (int)all.pid[i], strerror(errno));
	for (size_t i = 0; i < found; i++)
		if (kill(all.pid[i], SIGCONT) != 0 && errno != ESRCH)
			say("cannot continue process %d: %s", (int)all.pid[i], strerror(errno));
	free(all.pid);
	free(all.ppid);
}

/* One reconnection attempt: connect, re-register under the same appid, hand over the listener. */
static bool reconnect(struct supervisor *s, bool *refused_before)
{
	char err[BRIDGE_ERR_BYTES];
	int fd = bridge_connect(s->socket_path, err);
	if (fd < 0)
		return false;
	struct bridge_reply reply;
	if (bridge_register(fd, &s->app, &reply, err) != 0 ||
	    bridge_send_listener(fd, s->listener, err) != 0) {
		/* A daemon that answers but refuses is worth one line even without AX_RUN_DEBUG:
		 * the app's network calls wait until a daemon takes it. */
		if (!*refused_before || debug_enabled())
			say("the ax daemon did not take app %s back: %s (retrying)", s->app.appid, err);
		*refused_before = true;
		if (close(fd) != 0)
			say("cannot close a daemon connection: %s", strerror(errno));
		return false;
	}
	*refused_before = false;
	/* The daemon decides the id; it normally keeps ours. */
	memcpy(s->app.appid, reply.appid, sizeof s->app.appid);
	s->conn = fd;
	nudge_app();
	if (debug_enabled())
		say("reconnected to the ax daemon at %s as app %s", s->socket_path, s->app.appid);
	return true;
}

/* The daemon sends nothing after registration: anything readable is either EOF or noise. */
static bool connection_lost(int fd)
{
	char buf[256];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n > 0)
		return false;
	return n == 0 || (errno != EINTR && errno != EAGAIN);
}

void supervise(struct supervisor *s)
{
	int backoff = BACKOFF_FIRST_MS;
	long long next_try = 0;
	bool refused_before = false;
	/* The app may have exited before the signalfd existed; its SIGCHLD is pending, but reap
	 * anyway: it costs one call. */
	reap(s);
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = s->signals, .events = POLLIN },
			{ .fd = s->conn, .events = POLLIN }, /* ignored by poll while -1 */
		};
		int timeout = -1;
		if (s->conn < 0) {
			long long wait = next_try - now_ms();
			timeout = wait < 0 ? 0 : (int)wait;
		}
		int ready = poll(fds, 2, timeout);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			die("poll failed: %s", strerror(errno));
		}
		if (fds[0].revents != 0)
			on_signals(s);
		if (s->conn >= 0 && fds[1].revents != 0 && connection_lost(s->conn)) {
			if (close(s->conn) != 0)
				say("cannot close the daemon connection: %s", strerror(errno));
			s->conn = -1;
			backoff = BACKOFF_FIRST_MS;
			next_try = now_ms() + backoff;
			if (debug_enabled())
				say("lost the ax daemon; reconnecting to %s", s->socket_path);
		}
		if (s->conn < 0 && now_ms() >= next_try && !reconnect(s, &refused_before)) {
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
			next_try = now_ms() + backoff;
		}
	}
}
