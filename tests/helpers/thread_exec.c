// thread_exec MODE PATH:
//   one     a non-leader thread execs "thread_exec child PATH one"
//   two     two non-leader threads exec at the same moment (tags a, b)
//   zombie  the leader pthread_exits; once it is a zombie, a thread execs
//   child   (the exec'd image) creates PATH, writes "<tag> <pid>", exits 23
// Before exec'ing, prints "pid <pid>" and "tid <tid>" per exec'ing thread.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char* g_path;
static pid_t g_leader;
static pthread_barrier_t g_barrier;
static char g_exe[4096];  // /proc/self/exe stops resolving once the leader is a zombie

static void Say(const char* fmt, long v) {
  char buf[64];
  int n = snprintf(buf, sizeof buf, fmt, v);
  if (write(1, buf, (size_t)n) < 0) _exit(9);
}

static void ExecChild(const char* tag) {
  char* args[] = {"thread_exec", "child", (char*)g_path, (char*)tag, NULL};
  execv(g_exe, args);
  _exit(98);
}

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

static void* One(void* arg) {
  (void)arg;
  Say("tid %ld\n", gettid());
  ExecChild("one");
  return NULL;
}

static void* Two(void* arg) {
  Say("tid %ld\n", gettid());
  pthread_barrier_wait(&g_barrier);
  ExecChild((const char*)arg);
  return NULL;
}

static void* AfterLeader(void* arg) {
  (void)arg;
  Say("tid %ld\n", gettid());
  // Wait (bounded) until the leader has exited and sits as a zombie.
  for (int i = 0; i < 3000 && LeaderState() != 'Z'; ++i) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  Say("leader %ld\n", LeaderState());
  ExecChild("zombie");
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  g_path = argv[2];
  g_leader = getpid();
  if (strcmp(argv[1], "child") == 0) {
    int fd = open(g_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 10;
    dprintf(fd, "%s %d\n", argc > 3 ? argv[3] : "", getpid());
    close(fd);
    return 23;
  }
  ssize_t n = readlink("/proc/self/exe", g_exe, sizeof g_exe - 1);
  if (n <= 0) return 3;
  g_exe[n] = 0;
  Say("pid %ld\n", getpid());
  pthread_t t1, t2;
  if (strcmp(argv[1], "one") == 0) {
    pthread_create(&t1, NULL, One, NULL);
    pthread_join(t1, NULL);  // never returns: the exec replaces us
  } else if (strcmp(argv[1], "two") == 0) {
    pthread_barrier_init(&g_barrier, NULL, 2);
    pthread_create(&t1, NULL, Two, "a");
    pthread_create(&t2, NULL, Two, "b");
    pthread_join(t1, NULL);
  } else if (strcmp(argv[1], "zombie") == 0) {
    pthread_create(&t1, NULL, AfterLeader, NULL);
    pthread_exit(NULL);
  }
  return 97;
}
