/* The launcher after the app started: forwards signals, reaps, keeps the daemon connected. */
#ifndef AX_SUPERVISOR_H
#define AX_SUPERVISOR_H

#include "bridge.h"

#include <stdbool.h>

#include <signal.h>

/* The signals a user sends to `ax run` meaning "tell the app". */
void supervisor_forwarded(sigset_t *set);

struct supervisor {
	struct bridge_app app;  /* app.pid is the app; app.appid what the daemon calls it */
	const char *socket_path;
	int conn;               /* the daemon connection, -1 while reconnecting */
	int listener;           /* our copy of the app's listener, for the next daemon */
	int signals;            /* signalfd for supervisor_forwarded() and SIGCHLD, all blocked */
	bool app_exited;        /* the app's first process has exited ... */
	int app_status;         /* ... with this wait status; its descendants may live on */
};

/* Runs until the app's last process exits (a daemonizing app's first process exits early; its
 * daemon, reparented to us, keeps the app registered), then exits with the status of the app's
 * first process (128+N for signal N). */
_Noreturn void supervise(struct supervisor *s);

#endif
