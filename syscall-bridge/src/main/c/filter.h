/* The seccomp filter that hands an app's network system calls to the ax daemon. */
#ifndef AX_FILTER_H
#define AX_FILTER_H

/* The first fd number of the app's datagram range (see filter.c), from the caller's
 * RLIMIT_NOFILE soft limit: the launcher computes it once and hands the same value to the filter
 * and to the daemon. Dies when the limit is too low to run anything. */
unsigned filter_fd_base(void);

/* Sets PR_SET_NO_NEW_PRIVS and installs the filter on the calling process with a user
 * notification listener. Returns the listener fd; dies on failure. From then on the caller must
 * not call socket/connect/sendto/sendmsg: they would wait for a daemon that has no listener yet. */
int filter_install(unsigned fd_base);

#endif
