/*
 * The launcher's side of the bridge protocol with the ax daemon, over the unix stream socket
 * <run-dir>/bridge.sock (the daemon identifies the launcher by SO_PEERCRED):
 *
 *   launcher: version=1 \n pid=P \n ip=A \n name=N \n labels=L \n (expose=E \n)* user=U \n
 *             netns=new|host \n [appid=X \n] \n             (appid only when re-registering)
 *   daemon:   ok appid=<8 hex> ip=<a.b.c.d> \n   |   error <message> \n
 *   launcher: listener \n                                    (the listener fd in SCM_RIGHTS)
 *   daemon:   ok \n   |   error <message> \n
 *
 * Then the connection stays open, silent, for the app's lifetime: EOF tells the daemon the app
 * is gone, and tells the launcher the daemon is.
 */
#ifndef AX_BRIDGE_H
#define AX_BRIDGE_H

#include "flags.h"
#include "util.h"

#include <stddef.h>
#include <sys/types.h>

#define BRIDGE_SOCKET "bridge.sock"
#define BRIDGE_VERSION 1
/* How long a daemon that accepted us may take to answer: a JVM daemon's cold start fits, and a
 * wedged daemon cannot hang `ax run` (or the supervisor) forever. */
#define BRIDGE_REPLY_TIMEOUT_S 10

/* Messages for the caller to print after "ax run: "; they may quote a whole daemon line. */
#define BRIDGE_ERR_BYTES (LINE_MAX_BYTES + 256)

struct bridge_app {
	const struct run_flags *flags;
	pid_t pid;         /* the app's process, not ours */
	char appid[9];     /* "" before the first registration */
	unsigned fd_base;  /* the first fd of the app's datagram range, as in its filter */
};

struct bridge_reply {
	char appid[9];
	char ip[16];
};

/* Connects to the daemon's socket. Returns the fd, or -1 with err filled. */
int bridge_connect(const char *path, char err[BRIDGE_ERR_BYTES]);

/* Sends the header and reads the daemon's answer. 0, or -1 with err filled. */
int bridge_register(int fd, const struct bridge_app *app, struct bridge_reply *reply,
		    char err[BRIDGE_ERR_BYTES]);

/* Hands the app's seccomp listener to the daemon. 0, or -1 with err filled. */
int bridge_send_listener(int fd, int listener, char err[BRIDGE_ERR_BYTES]);

#endif
