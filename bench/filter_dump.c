// bench/filter_dump.c: an LD_PRELOAD shim that saves every seccomp filter a
// process installs through libc's syscall(SYS_seccomp, SET_MODE_FILTER, ...)
// -- how warden's child loads its filters -- as raw struct sock_filter[]
// bytes, to $FILTER_DUMP_DIR/filter-PID-N.bpf, then installs it as asked.
// bench/unwatched.sh uses it to replay warden's exact filters in its
// experiments; warden itself is not changed.
//
//   gcc -shared -fPIC -O2 -o filter_dump.so filter_dump.c -ldl
//   FILTER_DUMP_DIR=DIR LD_PRELOAD=$PWD/filter_dump.so warden run -- true
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long (*real_syscall)(long, ...);

__attribute__((constructor)) static void init(void) {
  // Resolved here, not in the forked child that loads the filter.
  real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
}

// Only async-signal-safe calls: warden calls this between fork and exec.
// Written before the filter is in (afterwards these calls could be traced);
// removed again when the kernel refuses it (warden retries with
// no_new_privs), so that N counts the filters installed.
static int n;
static char path[4096];

static int dump(const struct sock_fprog *prog) {
  const char *dir = getenv("FILTER_DUMP_DIR");
  if (dir == NULL || prog == NULL) return 0;
  if (snprintf(path, sizeof path, "%s/filter-%d-%d.bpf", dir, (int)getpid(), n) >=
      (int)sizeof path)
    return 0;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return 0;
  size_t len = prog->len * sizeof(struct sock_filter);
  const char *p = (const char *)prog->filter;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w <= 0) break;
    p += w;
    len -= (size_t)w;
  }
  close(fd);
  return 1;
}

long syscall(long nr, ...) {
  va_list ap;
  long a[6];
  va_start(ap, nr);
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  int dumped = nr == SYS_seccomp && a[0] == SECCOMP_SET_MODE_FILTER &&
               dump((const struct sock_fprog *)a[2]);
  long rc = real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  if (dumped) {
    if (rc == 0) n++;
    else {
      int err = errno;  // the caller looks at the seccomp call's errno
      unlink(path);
      errno = err;
    }
  }
  return rc;
}
