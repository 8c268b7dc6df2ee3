// threads DIR N: N threads (started together) each create DIR/t<i>; the
// main thread creates DIR/main. Prints "main <pid>" and "tid <i> <tid>".
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char* g_dir;
static pthread_barrier_t g_start;
static pid_t g_tids[64];

static void* Worker(void* arg) {
  long i = (long)arg;
  g_tids[i] = gettid();
  pthread_barrier_wait(&g_start);
  char path[4096];
  snprintf(path, sizeof path, "%s/t%ld", g_dir, i);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) exit(10);
  close(fd);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  g_dir = argv[1];
  int n = atoi(argv[2]);
  if (n < 1 || n > 64) return 2;
  pthread_barrier_init(&g_start, NULL, (unsigned)n);
  pthread_t th[64];
  for (long i = 0; i < n; ++i)
    if (pthread_create(&th[i], NULL, Worker, (void*)i) != 0) return 3;
  char path[4096];
  snprintf(path, sizeof path, "%s/main", g_dir);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 4;
  close(fd);
  for (int i = 0; i < n; ++i) pthread_join(th[i], NULL);
  printf("main %d\n", getpid());
  for (int i = 0; i < n; ++i) printf("tid %d %d\n", i, g_tids[i]);
  return 0;
}
