/*
 * The cost of a send on a connected TCP socket, by system call, for ci/bench/sendmsg.sh.
 *
 *   sendbench IP N
 *
 * Listens on IP:9100, connects to itself, and times N calls of 64 bytes each way it is asked,
 * a thread draining the accepted side: send(2), sendmsg(2), and sendmsg(2) on a copy of the
 * socket moved to a high fd number (in ax's datagram range, where the filter traps sendmsg: what
 * every sendmsg cost before the range). Prints "WAY us_per_call=X" per way. Under `ax run` the
 * socket is the daemon's; natively the kernel's (IP 127.0.0.1).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void *drain(void *arg) {
  int fd = *(int *)arg;
  char buf[65536];
  while (recv(fd, buf, sizeof buf, 0) > 0) {
  }
  return NULL;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double run(int fd, int use_sendmsg, long n) {
  char buf[64];
  memset(buf, 'x', sizeof buf);
  struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  double t0 = now();
  for (long i = 0; i < n; i++) {
    ssize_t r = use_sendmsg ? sendmsg(fd, &msg, MSG_NOSIGNAL) : send(fd, buf, sizeof buf, MSG_NOSIGNAL);
    if (r != (ssize_t)sizeof buf) {
      perror("send");
      exit(1);
    }
  }
  return (now() - t0) / (double)n * 1e6;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: sendbench IP N\n");
    return 2;
  }
  long n = atol(argv[2]);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(9100);
  if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) {
    fprintf(stderr, "bad ip %s\n", argv[1]);
    return 2;
  }
  int srv = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(srv, (struct sockaddr *)&a, sizeof a) != 0 || listen(srv, 1) != 0) {
    perror("bind/listen");
    return 1;
  }
  int c = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(c, (struct sockaddr *)&a, sizeof a) != 0) {
    perror("connect");
    return 1;
  }
  int s = accept(srv, NULL, NULL);
  pthread_t t;
  pthread_create(&t, NULL, drain, &s);
  /* The top fd below min(soft limit, 1024): in ax's range, as the launcher computes it. */
  struct rlimit lim;
  getrlimit(RLIMIT_NOFILE, &lim);
  int high = (int)((lim.rlim_cur < 1024 ? lim.rlim_cur : 1024) - 1);
  if (dup2(c, high) != high) {
    perror("dup2");
    return 1;
  }
  run(c, 1, n / 10 + 1); /* warm-up */
  printf("send us_per_call=%.4f\n", run(c, 0, n));
  printf("sendmsg us_per_call=%.4f\n", run(c, 1, n));
  printf("sendmsg_high_fd us_per_call=%.4f\n", run(high, 1, n));
  shutdown(c, SHUT_WR);
  pthread_join(t, NULL);
  return 0;
}
