// clone_helper MODE PATH CODE, MODE one of
//   sigchld  raw clone(SIGCHLD)
//   vfork    raw clone(CLONE_VFORK|CLONE_VM|SIGCHLD)
//   clone3   raw clone3({.exit_signal = SIGCHLD})
// The child runs straight-line assembly: openat(PATH, O_WRONLY|O_CREAT|
// O_TRUNC) -- its very first syscall -- then exit(CODE). It never touches
// the stack, so sharing the parent's (CLONE_VM) is safe. The parent prints
// "child <pid> <status>".
#define _GNU_SOURCE
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static long CloneAndOpen(long nr, long a0, long a1, const char* path, long code) {
  long ret;
  register long r10 __asm__("r10") = 0;
  register long r8 __asm__("r8") = 0;
  register const char* r12 __asm__("r12") = path;
  register long r13 __asm__("r13") = code;
  __asm__ volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      // Child: openat(AT_FDCWD, path, O_WRONLY|O_CREAT|O_TRUNC, 0644).
      "mov $257, %%eax\n\t"
      "mov $-100, %%rdi\n\t"
      "mov %%r12, %%rsi\n\t"
      "mov $0x241, %%edx\n\t"
      "mov $0x1a4, %%r10d\n\t"
      "syscall\n\t"
      // exit(code): the only task of the child.
      "mov $60, %%eax\n\t"
      "mov %%r13, %%rdi\n\t"
      "syscall\n\t"
      "hlt\n\t"
      "1:\n\t"
      : "=a"(ret), "+r"(r10), "+r"(r8)
      : "a"(nr), "D"(a0), "S"(a1), "d"(0L), "r"(r12), "r"(r13)
      : "rcx", "r11", "memory");
  return ret;
}

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const char* mode = argv[1];
  const char* path = argv[2];
  long code = atol(argv[3]);
  long pid;
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.exit_signal = SIGCHLD;
  if (strcmp(mode, "sigchld") == 0) pid = CloneAndOpen(56, SIGCHLD, 0, path, code);
  else if (strcmp(mode, "vfork") == 0)
    pid = CloneAndOpen(56, CLONE_VFORK | CLONE_VM | SIGCHLD, 0, path, code);
  else if (strcmp(mode, "clone3") == 0)
    pid = CloneAndOpen(435, (long)&args, CLONE_ARGS_SIZE_VER0, path, code);
  else return 2;
  if (pid < 0) {
    printf("clone failed %ld\n", pid);
    return 3;
  }
  int st = 0;
  if (waitpid((pid_t)pid, &st, 0) != pid) return 4;
  int c = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  printf("child %ld %d\n", pid, c);
  return 0;
}
