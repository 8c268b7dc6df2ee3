// leader_exit DIR N: starts N threads, then the main thread pthread_exits.
// Once the leader is a zombie, each thread creates DIR/t<i> (several
// opens), prints "tid <i> <tid>"; when all are done the last one calls
// exit(5). Prints "pid <pid>" first.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char* g_dir;
static pid_t g_leader;
static pthread_barrier_t g_done;

static char LeaderState(void) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/task/%d/stat", g_leader, g_leader);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char* p = strrchr(buf, ')');
  return p && p[1] && p[2] ? p[2] : 0;
}

static void* Worker(void* arg) {
  long i = (long)arg;
  for (int k = 0; k < 3000 && LeaderState() != 'Z'; ++k) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/t%ld", g_dir, i);
  for (int k = 0; k < 3; ++k) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) exit(10);
    close(fd);
  }
  char line[64];
  int n = snprintf(line, sizeof line, "tid %ld %d %c\n", i, gettid(), LeaderState());
  if (write(1, line, (size_t)n) < 0) exit(11);
  if (pthread_barrier_wait(&g_done) == PTHREAD_BARRIER_SERIAL_THREAD) exit(5);
  for (;;) pause();
}

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  g_dir = argv[1];
  g_leader = getpid();
  int n = atoi(argv[2]);
  if (n < 1 || n > 32) return 2;
  printf("pid %d\n", getpid());
  fflush(stdout);
  pthread_barrier_init(&g_done, NULL, (unsigned)n);
  for (long i = 0; i < n; ++i) {
    pthread_t t;
    if (pthread_create(&t, NULL, Worker, (void*)i) != 0) return 3;
  }
  pthread_exit(NULL);
}
