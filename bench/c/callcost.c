// callcost [N] : the C side of SocketCallBenchmark. On a connected AF_UNIX SOCK_SEQPACKET
// pair, on one thread: "ping" sends one 64-byte packet and receives it (two system calls,
// no wakeup); "pollEmpty" is one recv(MSG_DONTWAIT) that finds nothing. Prints ns per
// operation, the kernel's share of what the Java benchmark measures.
// Build: cc -O2 -o /tmp/callcost bench/c/callcost.c
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 2000000;
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) < 0) { perror("socketpair"); return 1; }
  static char msg[64], buf[1 << 20];
  memset(msg, 'a', sizeof(msg));
  for (int round = 0; round < 3; round++) {
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
      if (send(fds[0], msg, sizeof(msg), 0) != sizeof(msg)) { perror("send"); return 1; }
      if (recv(fds[1], buf, sizeof(buf), 0) != sizeof(msg)) { perror("recv"); return 1; }
    }
    double t1 = now_ns();
    for (long i = 0; i < n; i++) {
      if (recv(fds[1], buf, sizeof(buf), MSG_DONTWAIT) != -1) { fprintf(stderr, "unexpected packet\n"); return 1; }
    }
    double t2 = now_ns();
    printf("round %d: ping %.0f ns/op, pollEmpty %.0f ns/op\n", round + 1, (t1 - t0) / n, (t2 - t1) / n);
  }
  return 0;
}
