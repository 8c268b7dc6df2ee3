// signals_helper MODE ...:
//   count        SIGUSR1 handler (SA_SIGINFO); kill() to self, sigqueue()
//                to self with value 42, and kill() from a child process.
//                Prints "count <n>" and what each siginfo said.
//   wait BASE    handlers for SIGINT/TERM/HUP/QUIT/USR1/USR2 that _exit
//                with BASE+signo; prints "ready <pid>" and waits.
//   stop GOFILE  prints "ready <pid>", then polls (every ms, with a
//                watched stat call) until GOFILE exists; exits 0.
//   sleep        forks one child; both wait for ever. Prints
//                "ready <pid> <child pid>".
//   fifo PATH    prints "ready <pid>", then blocks in open(PATH) of a FIFO
//                nobody opens for writing.
//   busy DIR     4 threads open DIR/b<i> in a loop for ever; prints
//                "ready <pid>" once they run.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t g_count;
static volatile int g_code[8], g_pid[8], g_val[8];
static int g_base;

static void OnUsr1(int sig, siginfo_t* si, void* ctx) {
  (void)sig;
  (void)ctx;
  int i = g_count;
  if (i < 8) {
    g_code[i] = si->si_code;
    g_pid[i] = si->si_pid;
    g_val[i] = si->si_code == SI_QUEUE ? si->si_value.sival_int : 0;
  }
  g_count = i + 1;
}

static void ExitWith(int sig) { _exit(g_base + sig); }

static void Ready(void) {
  printf("ready %d\n", getpid());
  fflush(stdout);
}

static const char* g_dir;
static volatile int g_running;

static void* Busy(void* arg) {
  char path[4096];
  snprintf(path, sizeof path, "%s/b%ld", g_dir, (long)arg);
  __sync_fetch_and_add(&g_running, 1);
  for (;;) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) close(fd);
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const char* mode = argv[1];
  if (strcmp(mode, "count") == 0) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = OnUsr1;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    pid_t me = getpid();
    kill(me, SIGUSR1);
    union sigval v;
    v.sival_int = 42;
    sigqueue(me, SIGUSR1, v);
    pid_t c = fork();
    if (c == 0) {
      kill(getppid(), SIGUSR1);
      _exit(0);
    }
    waitpid(c, NULL, 0);
    // Anything still in flight would arrive now.
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    printf("count %d\n", (int)g_count);
    for (int i = 0; i < g_count && i < 8; ++i)
      printf("info %d code %d pid %s val %d\n", i, g_code[i],
             g_pid[i] == me ? "self" : g_pid[i] == c ? "child" : "other", g_val[i]);
    return 0;
  }
  if (strcmp(mode, "wait") == 0 && argc == 3) {
    g_base = atoi(argv[2]);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; ++i) signal(sigs[i], ExitWith);
    Ready();
    for (;;) pause();
  }
  if (strcmp(mode, "stop") == 0 && argc == 3) {
    Ready();
    struct stat st;
    for (int i = 0; i < 20000; ++i) {
      if (stat(argv[2], &st) == 0) return 0;
      struct timespec ts = {0, 1000 * 1000};
      nanosleep(&ts, NULL);
    }
    return 1;
  }
  if (strcmp(mode, "sleep") == 0) {
    pid_t c = fork();
    if (c == 0) {
      for (;;) pause();
    }
    printf("ready %d %d\n", getpid(), c);
    fflush(stdout);
    for (;;) pause();
  }
  if (strcmp(mode, "fifo") == 0 && argc == 3) {
    Ready();
    int fd = open(argv[2], O_RDONLY);  // blocks: no writer
    return fd >= 0 ? 0 : 1;
  }
  if (strcmp(mode, "busy") == 0 && argc == 3) {
    g_dir = argv[2];
    for (long i = 0; i < 4; ++i) {
      pthread_t t;
      pthread_create(&t, NULL, Busy, (void*)i);
    }
    while (g_running < 4) sched_yield();
    Ready();
    for (;;) pause();
  }
  return 2;
}
