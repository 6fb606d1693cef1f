/*
 * connbench: the connection-setup benchmark of ci/bench/datapath.sh.
 *
 *   connbench server PORT             accept and close connections forever
 *   connbench echo-server PORT        accept, answer one byte with one byte, close once the client has
 *   connbench client IP PORT N        N sequential connect()+close()
 *   connbench first-byte IP PORT N    N sequential connect()+1-byte request+1-byte reply+close()
 *
 * Both clients print one line: conns=N seconds=S cps=C p50_us=A p99_us=B
 *
 * `client` times connect() alone (clock_gettime around it), which is what ax adds to: under ax the
 * call is trapped, decided and performed by the daemon. Through a TCP proxy connect() completes
 * against the proxy, before the proxy has reached the server, so `first-byte` times connect() to
 * the reply's arrival: what a user waits for on a new connection, whatever sits on the path.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { CONNECT_ONLY, FIRST_BYTE };

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return (x > y) - (x < y);
}

static int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    perror("connbench server: socket");
    return -1;
  }
  int one = 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
      listen(fd, 4096) != 0) {
    perror("connbench server");
    close(fd);
    return -1;
  }
  return fd;
}

/* One connection of the echo server: the byte back, then wait for the client's close, so that the
 * client closes first (with a reset, see client()) and neither side keeps a TIME_WAIT entry. A
 * client that stays silent costs at most the receive timeout, not the server. */
static void echo_one(int c) {
  struct timeval tv = {.tv_sec = 5};
  char b;
  if (setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 && recv(c, &b, 1, 0) == 1 && send(c, &b, 1, MSG_NOSIGNAL) == 1) {
    while (recv(c, &b, 1, 0) > 0) {
    }
  }
}

static int serve(int port, enum mode mode) {
  int fd = listen_on(port);
  if (fd < 0) {
    return 1;
  }
  for (;;) {
    int c = accept(fd, NULL, NULL);
    if (c < 0) {
      continue;
    }
    if (mode == FIRST_BYTE) {
      echo_one(c);
    }
    close(c);
  }
}

static int client(const char *ip, int port, int n, enum mode mode) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  if (inet_pton(AF_INET, ip, &a.sin_addr) != 1 || n < 1) {
    fprintf(stderr, "connbench: bad ip %s or count %d\n", ip, n);
    return 2;
  }
  long long *lat = calloc((size_t)n, sizeof *lat);
  if (!lat) {
    return 2;
  }
  long long start = now_ns();
  for (int i = 0; i < n; i++) {
    /* first-byte is what a new connection costs a user: from socket(), which ax traps too. */
    long long t_socket = now_ns();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
      perror("socket");
      return 1;
    }
    /* No TIME_WAIT pile-up on the client side: reset on close. */
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0) {
      perror("setsockopt");
      return 1;
    }
    long long t0 = now_ns();
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
      fprintf(stderr, "connbench: connect %d failed: %s\n", i, strerror(errno));
      return 1;
    }
    if (mode == FIRST_BYTE) {
      char b = 'x';
      ssize_t got = -1;
      if (send(fd, &b, 1, MSG_NOSIGNAL) != 1 || (got = recv(fd, &b, 1, 0)) != 1) {
        fprintf(stderr, "connbench: connection %d: no reply (%s)\n", i, got == 0 ? "closed" : strerror(errno));
        return 1;
      }
    }
    lat[i] = now_ns() - (mode == FIRST_BYTE ? t_socket : t0);
    close(fd);
  }
  double seconds = (double)(now_ns() - start) / 1e9;
  qsort(lat, (size_t)n, sizeof *lat, cmp);
  printf("conns=%d seconds=%.3f cps=%.0f p50_us=%.1f p99_us=%.1f\n", n, seconds, n / seconds, lat[(n - 1) / 2] / 1e3, lat[(n * 99 + 99) / 100 - 1] / 1e3); /* nearest rank */
  free(lat);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "server") == 0) {
    return serve(atoi(argv[2]), CONNECT_ONLY);
  }
  if (argc == 3 && strcmp(argv[1], "echo-server") == 0) {
    return serve(atoi(argv[2]), FIRST_BYTE);
  }
  if (argc == 5 && strcmp(argv[1], "client") == 0) {
    return client(argv[2], atoi(argv[3]), atoi(argv[4]), CONNECT_ONLY);
  }
  if (argc == 5 && strcmp(argv[1], "first-byte") == 0) {
    return client(argv[2], atoi(argv[3]), atoi(argv[4]), FIRST_BYTE);
  }
  fprintf(stderr, "usage: connbench server|echo-server PORT | connbench client|first-byte IP PORT N\n");
  return 2;
}
