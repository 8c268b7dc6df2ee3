// exec_fail NONEXEC: execve of a missing file and of NONEXEC (a file without
// execute permission; may be relative); both must fail. Prints
// "missing <errno>", "nonexec <errno>"; exits 0 when both failed as expected.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

extern char** environ;

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  char* args[] = {"missing-prog", "arg1", NULL};
  execve("/nonexistent/dir/missing-prog", args, environ);
  int e1 = errno;
  char* args2[] = {argv[1], "arg2", NULL};
  execve(argv[1], args2, environ);
  int e2 = errno;
  printf("missing %d\nnonexec %d\n", e1, e2);
  return e1 == ENOENT && e2 == EACCES ? 0 : 1;
}
