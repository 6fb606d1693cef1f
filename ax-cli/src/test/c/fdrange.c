/*
 * sendmsg under `ax run`, for FdRangeIT: which sockets the filter traps, by fd number.
 *
 *   fdrange checks VIP           the datagram range's rules (prints "ok ..." / "FAIL ...")
 *   fdrange tcp VIP GO-FILE N    a TCP connection to itself at VIP; once GO-FILE exists, N
 *                                sendmsg calls on it, each echoed back by the accepted side
 *
 * The range's base is computed as the launcher does: the upper quarter below
 * min(RLIMIT_NOFILE soft limit, FD_SETSIZE). Exit status 0 when every check passed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(const char *what, int ok, const char *detail) {
  printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", what, detail ? ": " : "", detail ? detail : "");
  fflush(stdout);
  if (!ok) {
    failures++;
  }
}

static int fd_base(void) {
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) {
    perror("getrlimit");
    exit(2);
  }
  rlim_t top = lim.rlim_cur < FD_SETSIZE ? lim.rlim_cur : FD_SETSIZE;
  return (int)(top - top / 4);
}

static struct sockaddr_in addr4(const char *ip, int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
    fprintf(stderr, "bad ip %s\n", ip);
    exit(2);
  }
  return a;
}

static void timeouts(int fd) {
  struct timeval tv = {.tv_sec = 5};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/* One datagram by sendmsg with a destination, from udp (bound to VIP:port) to itself. */
static int udp_roundtrip(int udp, const char *vip, int port, const char *payload) {
  struct sockaddr_in to = addr4(vip, port);
  struct iovec iov = {.iov_base = (void *)payload, .iov_len = strlen(payload)};
  struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1};
  if (sendmsg(udp, &msg, 0) != (ssize_t)strlen(payload)) {
    return 0;
  }
  char buf[64];
  ssize_t n = recv(udp, buf, sizeof buf - 1, 0);
  return n == (ssize_t)strlen(payload) && memcmp(buf, payload, (size_t)n) == 0;
}

static int checks(const char *vip) {
  int base = fd_base();
  char d[128];
  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  snprintf(d, sizeof d, "fd %d, base %d", udp, base);
  check("a UDP socket is in the range", udp >= base, d);
  timeouts(udp);
  struct sockaddr_in me = addr4(vip, 7001);
  check("bind UDP to the vIP", bind(udp, (struct sockaddr *)&me, sizeof me) == 0, strerror(errno));
  check("sendmsg to the vIP reaches the socket bound there", udp_roundtrip(udp, vip, 7001, "one"), NULL);

  int tcp = socket(AF_INET, SOCK_STREAM, 0);
  snprintf(d, sizeof d, "fd %d", tcp);
  check("a TCP socket gets the lowest free number", tcp >= 0 && tcp < base, d);

  int copy = dup(udp);
  snprintf(d, sizeof d, "fd %d", copy);
  check("dup of the UDP socket stays in the range", copy >= base, d);
  check("sendmsg on the dup is still the daemon's", udp_roundtrip(copy, vip, 7001, "two"), NULL);
  close(copy);
  copy = fcntl(udp, F_DUPFD_CLOEXEC, 3);
  snprintf(d, sizeof d, "fd %d", copy);
  check("F_DUPFD_CLOEXEC of the UDP socket stays in the range", copy >= base, d);
  check("... and is close-on-exec", copy >= 0 && (fcntl(copy, F_GETFD) & FD_CLOEXEC) != 0, NULL);
  close(copy);
  errno = 0;
  int r = dup2(udp, 20);
  snprintf(d, sizeof d, "rc %d, %s", r, strerror(errno));
  check("dup2 of the UDP socket below the range is EBADF", r == -1 && errno == EBADF, d);
  r = dup3(udp, base + 1, O_CLOEXEC);
  snprintf(d, sizeof d, "rc %d", r);
  check("dup3 of the UDP socket within the range works", r == base + 1, d);
  close(base + 1);
  int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
  errno = 0;
  r = (int)syscall(SYS_pidfd_getfd, pidfd, udp, 0);
  snprintf(d, sizeof d, "rc %d, %s", r, strerror(errno));
  check("pidfd_getfd is refused", r == -1 && errno == EPERM, d);
  close(pidfd);
  /* A seccomp listener of the app's own (whose ADDFD could place a datagram socket anywhere) is
   * refused; a filter without one is the app's business. Both allow everything. */
  struct sock_filter allow_all[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  struct sock_fprog prog = {.len = 1, .filter = allow_all};
  errno = 0;
  r = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  snprintf(d, sizeof d, "rc %d, %s", r, strerror(errno));
  check("a seccomp filter with a listener of its own is refused", r == -1 && errno == EPERM, d);
  r = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
  snprintf(d, sizeof d, "rc %d, %s", r, strerror(errno));
  check("a seccomp filter without a listener is installed", r == 0, d);

  /* A stream socket moved into the range and back: the copy is the kernel's as for any fd. */
  r = dup2(tcp, base + 2);
  check("dup2 of a TCP socket into the range works", r == base + 2, NULL);
  copy = dup(base + 2);
  snprintf(d, sizeof d, "fd %d", copy);
  check("dup of a TCP socket from the range gets the lowest free number", copy >= 0 && copy < base, d);
  int file = open("/dev/null", O_RDONLY);
  r = dup2(file, base + 3);
  copy = fcntl(base + 3, F_DUPFD, 5);
  snprintf(d, sizeof d, "fd %d", copy);
  check("F_DUPFD of a file from the range honours its lower bound", copy >= 5 && copy < base, d);
  return failures == 0 ? 0 : 1;
}

static int tcp(const char *vip, const char *go, long n) {
  int base = fd_base();
  int srv = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in me = addr4(vip, 7000);
  if (bind(srv, (struct sockaddr *)&me, sizeof me) != 0 || listen(srv, 4) != 0) {
    perror("bind/listen");
    return 2;
  }
  int c = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(c, (struct sockaddr *)&me, sizeof me) != 0) {
    perror("connect");
    return 2;
  }
  int a = accept(srv, NULL, NULL);
  timeouts(a);
  char d[64];
  snprintf(d, sizeof d, "fd %d, base %d", c, base);
  check("connected; the TCP socket is below the range", c < base, d);
  for (int i = 0; i < 6000 && access(go, F_OK) != 0; i++) {
    usleep(10000);
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  char buf[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
  struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  long i;
  for (i = 0; i < n; i++) {
    if (sendmsg(c, &msg, MSG_NOSIGNAL) != (ssize_t)sizeof buf) {
      break;
    }
    char in[64];
    ssize_t got = 0;
    while (got < (ssize_t)sizeof in) {
      ssize_t k = recv(a, in + got, sizeof in - (size_t)got, 0);
      if (k <= 0) {
        break;
      }
      got += k;
    }
    if (got != (ssize_t)sizeof in) {
      break;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  snprintf(d, sizeof d, "%ld of %ld in %.3f s", i, n, secs);
  check("sendmsg on the connected TCP socket", i == n, d);
  return failures == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 3 && strcmp(argv[1], "checks") == 0) {
    return checks(argv[2]);
  }
  if (argc == 5 && strcmp(argv[1], "tcp") == 0) {
    return tcp(argv[2], argv[3], atol(argv[4]));
  }
  fprintf(stderr, "usage: fdrange checks VIP | fdrange tcp VIP GO-FILE N\n");
  return 2;
}
