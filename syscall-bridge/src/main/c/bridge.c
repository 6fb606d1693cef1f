#include "bridge.h"

#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

int bridge_connect(const char *path, char err[BRIDGE_ERR_BYTES])
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof addr.sun_path) {
		snprintf(err, BRIDGE_ERR_BYTES, "the daemon's socket path '%s' is longer than %zu bytes",
			 path, sizeof addr.sun_path - 1);
		return -1;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, BRIDGE_ERR_BYTES, "cannot create a unix socket: %s", strerror(errno));
		return -1;
	}
	struct timeval timeout = { .tv_sec = BRIDGE_REPLY_TIMEOUT_S };
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout) != 0) {
		snprintf(err, BRIDGE_ERR_BYTES, "cannot set socket timeouts: %s", strerror(errno));
		(void)close(fd);
		return -1;
	}
	/* A unix connect does not block long; EINTR cannot happen with our signals blocked. */
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
		snprintf(err, BRIDGE_ERR_BYTES,
			 "cannot reach the ax daemon at %s: %s (is 'ax daemon' running?)", path,
			 strerror(errno));
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* Reads the daemon's one-line answer; "ok[ rest]" returns 0 and the rest, "error <m>" -1. */
static int read_reply(int fd, const char *step, char line[LINE_MAX_BYTES], const char **rest,
		      char err[BRIDGE_ERR_BYTES])
{
	if (read_line(fd, line, LINE_MAX_BYTES) < 0) {
		if (errno == EAGAIN)
			snprintf(err, BRIDGE_ERR_BYTES, "the ax daemon did not answer the %s within %d s",
				 step, BRIDGE_REPLY_TIMEOUT_S);
		else if (errno == EPIPE)
			snprintf(err, BRIDGE_ERR_BYTES, "the ax daemon closed the connection during the %s",
				 step);
		else if (errno == EMSGSIZE)
			snprintf(err, BRIDGE_ERR_BYTES,
				 "the ax daemon's answer to the %s is longer than %d bytes", step,
				 LINE_MAX_BYTES);
		else
			snprintf(err, BRIDGE_ERR_BYTES, "cannot read the ax daemon's answer to the %s: %s",
				 step, strerror(errno));
		return -1;
	}
	char shown[LINE_MAX_BYTES];
	if (strncmp(line, "error ", 6) == 0) {
		printable(line + 6, err, BRIDGE_ERR_BYTES);
		return -1;
	}
	if (strcmp(line, "ok") == 0 || strncmp(line, "ok ", 3) == 0) {
		*rest = line[2] == ' ' ? line + 3 : line + 2;
		return 0;
	}
	printable(line, shown, sizeof shown);
	snprintf(err, BRIDGE_ERR_BYTES, "unexpected answer from the ax daemon to the %s: '%.200s'", step,
		 shown);
	return -1;
}

static int is_hex8(const char *s)
{
	for (int i = 0; i < 8; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return s[8] == '\0';
}

/* Parses "appid=<8 hex> ip=<a.b.c.d>", exactly. */
static int parse_registered(const char *rest, struct bridge_reply *reply)
{
	char appid[16], ip[32];
	int end = 0;
	if (sscanf(rest, "appid=%15[^ ] ip=%31[^ ]%n", appid, ip, &end) != 2 ||
	    rest[end] != '\0' || !is_hex8(appid))
		return -1;
	unsigned char bytes[4];
	if (!parse_ipv4(ip, bytes))
		return -1;
	memcpy(reply->appid, appid, sizeof reply->appid);
	memcpy(reply->ip, ip, strlen(ip) + 1);
	return 0;
}

static int build_header(const struct bridge_app *app, char **text, size_t *len)
{
	const struct run_flags *f = app->flags;
	FILE *out = open_memstream(text, len);
	if (out == NULL)
		return -1;
	fprintf(out, "version=%d\npid=%ld\nip=%s\nname=%s\nlabels=%s\n", BRIDGE_VERSION,
		(long)app->pid, f->ip, f->name, f->labels);
	for (size_t i = 0; i < f->n_expose; i++)
		fprintf(out, "expose=%s\n", f->expose[i]);
	fprintf(out, "user=%s\nnetns=%s\nfdbase=%u\n", f->user, f->new_netns ? "new" : "host",
		app->fd_base);
	if (app->appid[0] != '\0')
		fprintf(out, "appid=%s\n", app->appid);
	fputc('\n', out);
	/* A memstream fails only for lack of memory; fclose reports it. */
	int failed = ferror(out);
	if (fclose(out) != 0 || failed) {
		free(*text);
		return -1;
	}
	return 0;
}

int bridge_register(int fd, const struct bridge_app *app, struct bridge_reply *reply,
		    char err[BRIDGE_ERR_BYTES])
{
	char *header = NULL;
	size_t len = 0;
	if (build_header(app, &header, &len) != 0) {
		snprintf(err, BRIDGE_ERR_BYTES, "out of memory");
		return -1;
	}
	int sent = send_all(fd, header, len);
	int saved = errno;
	free(header);
	if (sent != 0) {
		snprintf(err, BRIDGE_ERR_BYTES, "cannot register with the ax daemon: %s",
			 strerror(saved));
		return -1;
	}

	char line[LINE_MAX_BYTES];
	const char *rest;
	if (read_reply(fd, "registration", line, &rest, err) != 0)
		return -1;
	if (parse_registered(rest, reply) != 0) {
		char shown[LINE_MAX_BYTES];
		printable(line, shown, sizeof shown);
		snprintf(err, BRIDGE_ERR_BYTES,
			 "unexpected answer from the ax daemon to the registration: '%.200s' (expected "
			 "'ok appid=<8 hex digits> ip=<a.b.c.d>')",
			 shown);
		return -1;
	}
	return 0;
}

int bridge_send_listener(int fd, int listener, char err[BRIDGE_ERR_BYTES])
{
	static const char msg[] = "listener\n";
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	memset(&control, 0, sizeof control);
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = sizeof msg - 1 };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof control.buf,
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &listener, sizeof listener);

	ssize_t n;
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	/* The fd travels with the first byte; a short write only leaves text to finish. */
	if (n < 0 || send_all(fd, msg + n, sizeof msg - 1 - (size_t)n) != 0) {
		snprintf(err, BRIDGE_ERR_BYTES, "cannot hand the app's listener to the ax daemon: %s",
			 strerror(errno));
		return -1;
	}

	char line[LINE_MAX_BYTES];
	const char *rest;
	if (read_reply(fd, "listener", line, &rest, err) != 0)
		return -1;
	if (*rest != '\0') {
		char shown[LINE_MAX_BYTES];
		printable(line, shown, sizeof shown);
		snprintf(err, BRIDGE_ERR_BYTES,
			 "unexpected answer from the ax daemon to the listener: '%.200s' (expected 'ok')",
			 shown);
		return -1;
	}
	return 0;
}
