/* The seccomp filter that hands an app's network system calls to the ax daemon. */
#ifndef AX_FILTER_H
#define AX_FILTER_H

/* Sets PR_SET_NO_NEW_PRIVS and installs the filter on the calling process with a user
 * notification listener. Returns the listener fd; dies on failure. From then on the caller must
 * not call socket/connect/sendto/sendmsg: they would wait for a daemon that has no listener yet. */
int filter_install(void);

#endif
