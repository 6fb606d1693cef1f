/* Small helpers shared by the launcher: one-line errors, whole writes, bounded line reads. */
#ifndef AX_UTIL_H
#define AX_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Exit codes: usage errors are the caller's to fix; runtime failures are ours or the system's. */
#define EXIT_USAGE 2
#define EXIT_RUNTIME 1

/* Longest line we read from the daemon or a pipe, newline included (the protocol's bound). */
#define LINE_MAX_BYTES 4096

/* Writes "ax run: <message>\n" to stderr in one write(2), so lines from processes never mix.
 * Safe after the seccomp filter is installed: it formats in a stack buffer and only calls write. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* say() then _exit(EXIT_RUNTIME) or _exit(EXIT_USAGE). _exit: nothing buffered needs flushing,
 * and a forked child must not run the parent's exit handlers. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes all of buf, retrying on EINTR and partial writes. Sockets are written with
 * MSG_NOSIGNAL so a dead peer is an EPIPE error rather than a signal. 0 or -1 with errno. */
int write_all(int fd, const void *buf, size_t len);
int send_all(int fd, const void *buf, size_t len);

/* Reads one '\n'-terminated line of at most cap-1 bytes (newline excluded) into buf, one byte at
 * a time so nothing after the line is consumed. Returns the length, or -1 with errno:
 * EPIPE for end of file, EMSGSIZE for an overlong line, EAGAIN for a socket timeout. */
ssize_t read_line(int fd, char *buf, size_t cap);

/* Copies text into out with anything unprintable replaced by '?', for quoting untrusted text in
 * an error line. */
void printable(const char *text, char *out, size_t cap);

#endif
