// callcost [N] : the C side of SocketCallBenchmark. On a connected AF_UNIX SOCK_SEQPACKET
// pair, on one thread: "ping" sends one 64-byte packet and receives it (two system calls,
// no wakeup); "pingBatch B" sends B such packets with one sendmmsg(2) and receives them with
// recvmmsg(2) and MSG_WAITFORONE into slots of 2048 bytes (ns per batch, as the Java benchmark
// reports it); "pollEmpty" is one recv(MSG_DONTWAIT) that finds nothing: the cost of entering
// the kernel on this machine. Prints ns per operation, the kernel's share of what the Java
// benchmark measures.
// Build: cc -O2 -o /tmp/callcost bench/c/callcost.c
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_BATCH 64
#define SLOT 2048

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static char msg[64], buf[1 << 20], slots[MAX_BATCH][SLOT];
static struct mmsghdr out[MAX_BATCH], in[MAX_BATCH];
static struct iovec out_iov[MAX_BATCH], in_iov[MAX_BATCH];

// One batch of `batch` packets through the pair: 0 on success.
static int ping_batch(int fds[2], int batch) {
  for (int sent = 0; sent < batch;) {
    int k = sendmmsg(fds[0], out + sent, batch - sent, 0);
    if (k < 0) { perror("sendmmsg"); return 1; }
    sent += k;
  }
  for (int got = 0; got < batch;) {
    int k = recvmmsg(fds[1], in, batch, MSG_WAITFORONE, NULL);
    if (k < 0) { perror("recvmmsg"); return 1; }
    got += k;
  }
  return 0;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 2000000;
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) < 0) { perror("socketpair"); return 1; }
  memset(msg, 'a', sizeof(msg));
  for (int i = 0; i < MAX_BATCH; i++) {
    out_iov[i].iov_base = msg; out_iov[i].iov_len = sizeof(msg);
    out[i].msg_hdr.msg_iov = &out_iov[i]; out[i].msg_hdr.msg_iovlen = 1;
    in_iov[i].iov_base = slots[i]; in_iov[i].iov_len = SLOT;
    in[i].msg_hdr.msg_iov = &in_iov[i]; in[i].msg_hdr.msg_iovlen = 1;
  }
  static const int batches[] = {16, 64};
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
    printf("round %d: ping %.0f ns/op, pollEmpty %.0f ns/op", round + 1, (t1 - t0) / n, (t2 - t1) / n);
    for (int b = 0; b < 2; b++) {
      long batchesRun = n / batches[b];
      double t3 = now_ns();
      for (long i = 0; i < batchesRun; i++) {
        if (ping_batch(fds, batches[b])) return 1;
      }
      printf(", pingBatch %d %.0f ns/op", batches[b], (now_ns() - t3) / batchesRun);
    }
    printf("\n");
  }
  return 0;
}
