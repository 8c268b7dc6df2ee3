// allow_all CMD [ARGS...]: runs CMD under libseccomp's allow-all filter
// (seccomp_init(SCMP_ACT_ALLOW), loaded with no_new_privs): the floor any
// seccomp filter puts under unwatched calls (the syscall entry slow path),
// against which bench/run.sh's mode `a` measures warden's unwatched calls.
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: allow_all CMD [ARGS...]\n");
    return 2;
  }
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == NULL || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    fprintf(stderr, "allow_all: cannot set up the filter: %s\n", strerror(errno));
    return 125;
  }
  int rc = seccomp_load(ctx);
  if (rc != 0) {
    fprintf(stderr, "allow_all: seccomp_load: %s\n", strerror(-rc));
    return 125;
  }
  seccomp_release(ctx);
  execvp(argv[1], argv + 1);
  fprintf(stderr, "allow_all: %s: %s\n", argv[1], strerror(errno));
  return 127;
}
