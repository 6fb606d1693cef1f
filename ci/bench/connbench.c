/*
 * connbench: the connection-setup benchmark of ci/bench/bridge.sh.
 *
 *   connbench server PORT         accept and close connections forever
 *   connbench client IP PORT N    N sequential connect()+close(); prints one line:
 *                                 conns=N seconds=S cps=C p50_us=A p99_us=B
 *
 * The latency is that of connect() alone (clock_gettime around it), which is what ax adds to:
 * under ax the call is trapped, decided and performed by the daemon.
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

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return (x > y) - (x < y);
}

static int serve(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4096) != 0) {
    perror("connbench server");
    return 1;
  }
  for (;;) {
    int c = accept(fd, NULL, NULL);
    if (c >= 0) {
      close(c);
    }
  }
}

static int client(const char *ip, int port, int n) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
    fprintf(stderr, "connbench: bad ip %s\n", ip);
    return 2;
  }
  long long *lat = calloc((size_t)n, sizeof *lat);
  if (!lat) {
    return 2;
  }
  long long start = now_ns();
  for (int i = 0; i < n; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
      perror("socket");
      return 1;
    }
    /* No TIME_WAIT pile-up on the client side: reset on close. */
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    long long t0 = now_ns();
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
      fprintf(stderr, "connbench: connect %d failed: %s\n", i, strerror(errno));
      return 1;
    }
    lat[i] = now_ns() - t0;
    close(fd);
  }
  double seconds = (double)(now_ns() - start) / 1e9;
  qsort(lat, (size_t)n, sizeof *lat, cmp);
  printf("conns=%d seconds=%.3f cps=%.0f p50_us=%.1f p99_us=%.1f\n", n, seconds, n / seconds, lat[n / 2] / 1e3, lat[(n * 99) / 100] / 1e3);
  free(lat);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "server") == 0) {
    return serve(atoi(argv[2]));
  }
  if (argc == 5 && strcmp(argv[1], "client") == 0) {
    return client(argv[2], atoi(argv[3]), atoi(argv[4]));
  }
  fprintf(stderr, "usage: connbench server PORT | connbench client IP PORT N\n");
  return 2;
}
