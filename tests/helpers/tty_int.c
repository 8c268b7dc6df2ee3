// tty_int: counts SIGINTs. Prints "pid P pgrp G fg F" (F: the terminal's
// foreground group) and "ready", waits for the first SIGINT (at most 2 s)
// and 200 ms more for a duplicate, then prints "count N".
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t g_count;
static void OnInt(int sig) {
  (void)sig;
  g_count++;
}

int main(void) {
  struct sigaction sa = {0};
  sa.sa_handler = OnInt;
  sigaction(SIGINT, &sa, NULL);
  printf("pid %d pgrp %d fg %d\n", (int)getpid(), (int)getpgrp(), (int)tcgetpgrp(0));
  printf("ready\n");
  fflush(stdout);
  for (int i = 0; i < 200 && g_count == 0; ++i) usleep(10000);
  usleep(200000);
  printf("count %d\n", (int)g_count);
  fflush(stdout);
  return 0;
}
