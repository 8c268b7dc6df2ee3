// fork_helper DIR N CODE: forks N children at once; child i creates DIR/f<i>
// as its very first action and exits with CODE. The parent waits for all,
// prints "child <i> <pid> <status>" and exits 0 when every child exited
// with CODE (1 otherwise).
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  int n = atoi(argv[2]), code = atoi(argv[3]);
  if (n < 1 || n > 64) return 2;
  char paths[64][4096];
  for (int i = 0; i < n; ++i) snprintf(paths[i], sizeof paths[i], "%s/f%d", argv[1], i);
  pid_t pids[64];
  for (int i = 0; i < n; ++i) {
    pids[i] = fork();
    if (pids[i] < 0) return 3;
    if (pids[i] == 0) {
      // Straight to the kernel: the open is the child's first watched call.
      long fd = syscall(SYS_openat, AT_FDCWD, paths[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
      _exit(fd >= 0 ? code : 99);
    }
  }
  int ok = 1;
  for (int i = 0; i < n; ++i) {
    int st = 0;
    if (waitpid(pids[i], &st, 0) != pids[i]) return 4;
    int c = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (c != code) ok = 0;
    printf("child %d %d %d\n", i, pids[i], c);
  }
  return ok ? 0 : 1;
}
