/*
 * The forked child that becomes the app. It talks to the launcher over two pipes, one line per
 * step, so that the app cannot run before the daemon holds its listener:
 *
 *   child -> parent: "ready-netns"     namespaces exist; the daemon may look at them
 *   parent -> child: "ip A.B.C.D"      registered; the app IP for --interface
 *   child -> parent: "listener N"      filter installed; fd N in the child is the listener
 *   parent -> child: "go"              the daemon holds the listener: exec the app
 *
 * A child that fails prints its own "ax run:" line and exits 1 before "go".
 */
#ifndef AX_CHILD_H
#define AX_CHILD_H

#include "flags.h"
#include "user.h"

#include <signal.h>
#include <sys/types.h>

#define MSG_READY "ready-netns"
#define MSG_IP "ip "
#define MSG_LISTENER "listener "
#define MSG_GO "go"
/* The pipe lines are short: an IP or an fd number. */
#define MSG_BYTES 64

struct child_setup {
	const struct run_flags *flags;
	const struct run_user *user;
	pid_t launcher;           /* our parent, checked after PR_SET_PDEATHSIG */
	int from_parent;
	int to_parent;
	const sigset_t *app_mask; /* the signal mask the app starts with */
	unsigned fd_base;         /* the first fd of the datagram range (filter_fd_base) */
};

_Noreturn void child_main(const struct child_setup *setup);

#endif
