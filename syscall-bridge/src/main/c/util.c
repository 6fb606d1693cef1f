#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void vsay(const char *fmt, va_list ap)
{
	char line[LINE_MAX_BYTES + 64];
	int head = snprintf(line, sizeof line, "ax run: ");
	int body = vsnprintf(line + head, sizeof line - (size_t)head - 1, fmt, ap);
	size_t len = (size_t)head + (body < 0 ? 0 : (size_t)body);
	if (len > sizeof line - 2)
		len = sizeof line - 2; /* truncated: still one line */
	line[len++] = '\n';
	/* Nothing sensible is left to do if stderr itself fails. */
	(void)write_all(STDERR_FILENO, line, len);
}

void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	_exit(EXIT_RUNTIME);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	_exit(EXIT_USAGE);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t read_line(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EWOULDBLOCK)
				errno = EAGAIN;
			return -1;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		if (c == '\n')
			break;
		if (len + 1 >= cap) {
			errno = EMSGSIZE;
			return -1;
		}
		buf[len++] = c;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

void printable(const char *text, char *out, size_t cap)
{
	size_t i = 0;
	for (; text[i] != '\0' && i + 1 < cap; i++) {
		unsigned char c = (unsigned char)text[i];
		out[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[i] = '\0';
}
