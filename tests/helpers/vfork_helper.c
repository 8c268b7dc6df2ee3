// vfork_helper PATH CODE: vfork; the child creates PATH (raw syscall, its
// first watched call) and _exits with CODE. Prints "child <pid> <status>".
// vfork_helper --exec CODE: the vfork child execs `sh -c 'exit CODE'`
// (the posix_spawn pattern); the parent exits with the child's status.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  int exec_mode = strcmp(argv[1], "--exec") == 0;
  int code = atoi(argv[2]);
  char script[64];
  snprintf(script, sizeof script, "exit %d", code);
  char* sh_argv[] = {"sh", "-c", script, NULL};
  pid_t pid = vfork();
  if (pid < 0) return 3;
  if (pid == 0) {
    if (exec_mode) {
      execv("/bin/sh", sh_argv);
      _exit(127);
    }
    long fd = syscall(SYS_openat, AT_FDCWD, argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    _exit(fd >= 0 ? code : 99);
  }
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return 4;
  int c = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  printf("child %d %d\n", pid, c);
  return exec_mode ? c : 0;
}
