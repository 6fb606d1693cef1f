/*
 * A hostile program for the syscall bridge, run under `ax run` by HostileIT.
 *
 *   hostile SECRET_VIP SECRET_PORT SECRET_HOST_IP SECRET_HOST_PORT ALLOWED_VIP ALLOWED_PORT
 *
 * It passes bad pointers, short and huge lengths, IPv6 and odd families, and races a second
 * thread that rewrites the sockaddr while connect() is trapped, trying to reach SECRET (a
 * server its labels may not reach) through an address the daemon would allow. Each check prints
 * one line; the exit status is 0 only when every call got the expected answer and the secret
 * server was never reached.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int failures;

static void expect_errno(const char *what, int rc, int want) {
  if (rc == -1 && errno == want) {
    printf("ok   %s: %s\n", what, strerror(want));
  } else {
    printf("FAIL %s: rc=%d errno=%s, expected %s\n", what, rc, rc == -1 ? strerror(errno) : "-", strerror(want));
    failures++;
  }
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

static int tcp_socket(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    perror("socket");
    exit(2);
  }
  struct timeval tv = {.tv_sec = 5};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

/* Reads the server's answer to GET /id.txt: "secret" or "allowed". */
static int fetch(int fd, char *out, size_t cap) {
  const char *req = "GET /id.txt HTTP/1.0\r\n\r\n";
  if (write(fd, req, strlen(req)) < 0) {
    return -1;
  }
  size_t n = 0;
  ssize_t r;
  while (n + 1 < cap && (r = read(fd, out + n, cap - 1 - n)) > 0) {
    n += (size_t)r;
  }
  out[n] = 0;
  return (int)n;
}

static struct sockaddr_in shared;
static struct sockaddr_in allowed_addr, secret_addr;
static atomic_int stop_flipping;

static void *flipper(void *arg) {
  (void)arg;
  while (!atomic_load(&stop_flipping)) {
    shared = secret_addr;
    __asm__ volatile("" ::: "memory");
    shared = allowed_addr;
    __asm__ volatile("" ::: "memory");
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s SECRET_VIP SECRET_PORT SECRET_HOST_IP SECRET_HOST_PORT ALLOWED_VIP ALLOWED_PORT\n", argv[0]);
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  secret_addr = addr4(argv[1], atoi(argv[2]));
  struct sockaddr_in secret_host = addr4(argv[3], atoi(argv[4]));
  allowed_addr = addr4(argv[5], atoi(argv[6]));
  char buf[4096];

  int fd = tcp_socket();
  expect_errno("connect with a NULL address", connect(fd, NULL, sizeof(struct sockaddr_in)), EFAULT);
  expect_errno("connect with an unmapped address", connect(fd, (struct sockaddr *)0x10, sizeof(struct sockaddr_in)), EFAULT);
  expect_errno("connect with addrlen 3", connect(fd, (struct sockaddr *)&allowed_addr, 3), EINVAL);
  expect_errno("connect with addrlen 4096", connect(fd, (struct sockaddr *)&allowed_addr, 4096), EINVAL);
  struct sockaddr_in odd = allowed_addr;
  odd.sin_family = 99;
  expect_errno("connect with family 99", connect(fd, (struct sockaddr *)&odd, sizeof odd), EAFNOSUPPORT);
  expect_errno("bind with a NULL address", bind(fd, NULL, sizeof(struct sockaddr_in)), EFAULT);
  expect_errno("connect to the secret vIP", connect(fd, (struct sockaddr *)&secret_addr, sizeof secret_addr), ECONNREFUSED);
  close(fd);

  fd = tcp_socket();
  expect_errno("connect to the secret's real address", connect(fd, (struct sockaddr *)&secret_host, sizeof secret_host), ECONNREFUSED);
  close(fd);

  int fd6 = socket(AF_INET6, SOCK_STREAM, 0);
  struct sockaddr_in6 v6;
  memset(&v6, 0, sizeof v6);
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(80);
  inet_pton(AF_INET6, "2001:db8::1", &v6.sin6_addr);
  expect_errno("connect to a native IPv6 address", connect(fd6, (struct sockaddr *)&v6, sizeof v6), ENETUNREACH);
  expect_errno("connect an IPv6 socket with a short sockaddr_in6", connect(fd6, (struct sockaddr *)&v6, 20), EINVAL);
  close(fd6);

  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  expect_errno("sendto from an unmapped buffer", (int)sendto(udp, (void *)0x10, 10, 0, (struct sockaddr *)&allowed_addr, sizeof allowed_addr), EFAULT);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_name = &allowed_addr;
  msg.msg_namelen = sizeof allowed_addr;
  msg.msg_iovlen = 1u << 20;
  msg.msg_iov = (struct iovec *)buf;
  expect_errno("sendmsg with a million iovecs", (int)sendmsg(udp, &msg, 0), EMSGSIZE);
  close(udp);

  /* The race: rewrite the address while the daemon decides. */
  pthread_t t;
  shared = allowed_addr;
  if (pthread_create(&t, NULL, flipper, NULL) != 0) {
    perror("pthread_create");
    return 2;
  }
  int reached_allowed = 0, refused = 0, breaches = 0, other = 0;
  for (int i = 0; i < 300; i++) {
    fd = tcp_socket();
    if (connect(fd, (struct sockaddr *)&shared, sizeof shared) == 0) {
      if (fetch(fd, buf, sizeof buf) > 0) {
        if (strstr(buf, "secret")) {
          breaches++;
        } else if (strstr(buf, "allowed")) {
          reached_allowed++;
        } else {
          other++;
        }
      }
    } else if (errno == ECONNREFUSED) {
      refused++;
    } else {
      other++;
    }
    close(fd);
  }
  atomic_store(&stop_flipping, 1);
  pthread_join(t, NULL);
  printf("race: %d reached the allowed server, %d refused, %d other, %d reached the secret\n", reached_allowed, refused, other, breaches);
  if (breaches > 0 || reached_allowed == 0) {
    printf("FAIL race\n");
    failures++;
  }
  printf("%s\n", failures == 0 ? "all checks passed" : "some checks failed");
  return failures == 0 ? 0 : 1;
}
