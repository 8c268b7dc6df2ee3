// unreadable_helper: syscalls whose pointers the tracer cannot read, then a
// huge-argv exec. Prints "<case> <ret> <errno> <address>" per case:
//   null      openat(AT_FDCWD, NULL)
//   unmapped  openat on an unmapped page
//   cross     openat on a string that runs into an unmapped page
//   long      openat on a 6000-byte path (longer than PATH_MAX)
//   rename2   rename("unreadable-src", <unmapped>)
//   badargv   execve("/bin/sh", {"sh", <unmapped>, NULL})
// and finally execs /bin/sh -c 'exit 7' with 300 extra 1000-byte arguments
// (about 300 KB of argv), so the run ends with status 7.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char** environ;

static void Report(const char* name, long ret, const void* addr) {
  printf("%s %ld %d %p\n", name, ret, ret < 0 ? errno : 0, addr);
  fflush(stdout);
}

int main(void) {
  long r;
  errno = 0;
  r = syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY);
  Report("null", r, NULL);

  char* gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(gone, 4096);
  r = syscall(SYS_openat, AT_FDCWD, gone, O_RDONLY);
  Report("unmapped", r, gone);

  char* two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(two + 4096, 4096);
  char* s = two + 4096 - 16;
  memset(s, 'a', 16);  // no NUL before the unmapped page
  r = syscall(SYS_openat, AT_FDCWD, s, O_RDONLY);
  Report("cross", r, s);

  static char longpath[6001];
  memset(longpath, 'x', 6000);
  longpath[0] = '/';
  r = syscall(SYS_openat, AT_FDCWD, longpath, O_RDONLY);
  Report("long", r, longpath);

  r = syscall(SYS_rename, "unreadable-src", gone);
  Report("rename2", r, gone);

  char* bad_argv[] = {"sh", gone, NULL};
  r = syscall(SYS_execve, "/bin/sh", bad_argv, environ);
  Report("badargv", r, gone);

  enum { kExtra = 300, kLen = 1000 };
  static char big[kExtra][kLen];
  char* argv[kExtra + 4];
  argv[0] = "sh";
  argv[1] = "-c";
  argv[2] = "exit 7";
  for (int i = 0; i < kExtra; ++i) {
    memset(big[i], 'A' + i % 26, kLen - 1);
    big[i][kLen - 1] = 0;
    argv[3 + i] = big[i];
  }
  argv[kExtra + 3] = NULL;
  execve("/bin/sh", argv, environ);
  Report("bigargv", -1, NULL);
  return 1;
}
