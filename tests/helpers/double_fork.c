// double_fork PATH MAIN_CODE ORPHAN_CODE: the classic daemon double fork.
// The middle child exits at once; the grandchild (an orphan, re-parented to
// the subreaper) waits until the main process has exited, then creates PATH
// and exits with ORPHAN_CODE. The main process prints "orphan <pid>" and
// exits with MAIN_CODE without waiting for the orphan.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char State(pid_t pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char* p = strrchr(buf, ')');
  return p && p[1] && p[2] ? p[2] : 0;
}

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  int main_code = atoi(argv[2]), orphan_code = atoi(argv[3]);
  pid_t main_pid = getpid();
  int p[2];
  if (pipe(p) != 0) return 3;
  pid_t mid = fork();
  if (mid == 0) {
    pid_t orphan = fork();
    if (orphan == 0) {
      close(p[0]);
      pid_t me = getpid();
      if (write(p[1], &me, sizeof me) != sizeof me) _exit(90);
      close(p[1]);
      for (int i = 0; i < 4000; ++i) {
        char s = State(main_pid);
        if (s == 0 || s == 'Z' || s == 'X') break;
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
      }
      int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) _exit(91);
      dprintf(fd, "ppid %d\n", getppid());
      close(fd);
      _exit(orphan_code);
    }
    _exit(0);
  }
  close(p[1]);
  pid_t orphan = 0;
  if (read(p[0], &orphan, sizeof orphan) != sizeof orphan) return 4;
  waitpid(mid, NULL, 0);
  printf("orphan %d\n", orphan);
  return main_code;
}
