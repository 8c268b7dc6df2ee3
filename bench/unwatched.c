// bench/unwatched.c: what an unwatched syscall costs. Times N getppid()
// calls and N 1-byte read()s from /dev/zero (clock_gettime(CLOCK_MONOTONIC)
// around each loop) and prints the ns per call on one line:
//
//   getppid_ns=52.1 read_ns=140.3 getppid_best_ns=50.2 read_best_ns=137.9
//   getppid_cpu_ns=51.9 read_cpu_ns=139.8 filters=1     (one line)
//
// (whole loop, wall-clock; the fastest of 20 slices of it, in CPU time;
// whole loop, this thread's CPU time; filters: Seccomp_filters from
// /proc/self/status).
// Built and run by bench/unwatched.sh, which explains the modes:
//
//   unwatched [-n N] [--allow-all-filter] [--filter KIND]... [PARENT]
//   unwatched --emulate FILE      (which syscalls a BPF file lets the kernel cache)
//
// --filter loads one seccomp filter each time it is given, in order (so
// two of them stack). KIND is
//   allow     seccomp_init(SCMP_ACT_ALLOW), nothing else (= --allow-all-filter)
//   badarch   allow, with the bad-arch action SCMP_ACT_TRACE(1) (as warden's)
//   rules100  badarch, plus 100 SCMP_ACT_TRACE(0) rules for syscalls this
//             program does not make (4 of them with argument conditions)
//   deny      allow, with ERRNO rules like warden's protections filter
//             (ptrace, process_vm_writev, pidfd_getfd, clone & CLONE_UNTRACED)
//   bpf:FILE  a raw struct sock_filter[] (e.g. warden's own, dumped by
//             bench/filter_dump.c)
// PARENT forks: the child loads the filters and measures, the parent
//   --seize       PTRACE_SEIZEs it with warden's options and waits for it
//                 in waitpid() (resuming any stop);
//   --seize-spin  the same, polling waitpid(WNOHANG) without a pause;
//   --spin-wait   does not trace it, polls waitpid(WNOHANG) (control);
//   --spin-sys    does not trace it, calls getppid() in a loop (control: a
//                 CPU next door busy with system calls, none of them waits);
//   --spin-user   does not trace it, spins in user space (control: a busy
//                 CPU next door, no system calls).
// A filter with TRACE rules for a call the program makes needs a tracer:
// without one that call fails with ENOSYS (see rules100's exclusions).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILTERS 8

static void die(const char *what) {
  fprintf(stderr, "unwatched: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void dief(const char *what, int rc) {  // libseccomp returns -errno
  fprintf(stderr, "unwatched: %s: %s\n", what, strerror(-rc));
  exit(1);
}

static double clock_ns(clockid_t clock) {
  struct timespec ts;
  if (clock_gettime(clock, &ts) != 0) die("clock_gettime");
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void load_ctx(scmp_filter_ctx ctx) {
  int rc = seccomp_load(ctx);  // sets no_new_privs (SCMP_FLTATR_CTL_NNP defaults on)
  if (rc != 0) dief("seccomp_load", rc);
  seccomp_release(ctx);
}

static scmp_filter_ctx new_ctx(int badarch_trace) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == NULL) die("seccomp_init");
  if (badarch_trace) {
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRACE(1));
    if (rc != 0) dief("seccomp_attr_set(BADARCH)", rc);
  }
  return ctx;
}

// Calls this program (and glibc's exit) makes once the filters are in.
static int used_by_us(int nr) {
  static const int used[] = {
      SYS_read, SYS_write, SYS_close, SYS_fstat, SYS_newfstatat, SYS_openat, SYS_open,
      SYS_lseek, SYS_mmap, SYS_munmap, SYS_brk, SYS_mprotect, SYS_exit, SYS_exit_group,
      SYS_getppid, SYS_clock_gettime, SYS_rt_sigreturn, SYS_rt_sigprocmask, SYS_getpid,
      SYS_gettid, SYS_tgkill, SYS_kill, SYS_restart_syscall, SYS_seccomp, SYS_prctl,
      SYS_futex, SYS_sched_yield, SYS_ioctl};
  for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
    if (used[i] == nr) return 1;
  return 0;
}

static void load_rules100(void) {
  scmp_filter_ctx ctx = new_ctx(1);
  // Four rules with argument conditions, as warden narrows some calls.
  struct {
    int nr;
    struct scmp_arg_cmp cmp;
  } cond[] = {
      {SYS_sendto, SCMP_A4_64(SCMP_CMP_NE, 0)},
      {SYS_recvfrom, SCMP_A4_64(SCMP_CMP_NE, 0)},
      {SYS_statx, SCMP_A2_64(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, 0)},
      {SYS_creat, SCMP_A1_64(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_WRONLY)},
  };
  int n = 0;
  for (size_t i = 0; i < sizeof cond / sizeof cond[0]; i++, n++) {
    int rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), cond[i].nr, 1, cond[i].cmp);
    if (rc != 0) dief("seccomp_rule_add (with argument)", rc);
  }
  for (int nr = 0; nr < 450 && n < 100; nr++) {
    if (used_by_us(nr) || nr == SYS_sendto || nr == SYS_recvfrom || nr == SYS_statx ||
        nr == SYS_creat)
      continue;
    char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    if (name == NULL) continue;  // a hole in the table
    free(name);
    int rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), nr, 0);
    if (rc != 0) dief("seccomp_rule_add", rc);
    n++;
  }
  load_ctx(ctx);
}

static void load_deny(void) {
  scmp_filter_ctx ctx = new_ctx(0);
  const int plain[] = {SYS_ptrace, SYS_process_vm_writev, SYS_pidfd_getfd};
  for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
    int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), plain[i], 0);
    if (rc != 0) dief("seccomp_rule_add (deny)", rc);
  }
  int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SYS_clone, 1,
                            SCMP_A0_64(SCMP_CMP_MASKED_EQ, 0x00800000, 0x00800000));
  if (rc != 0) dief("seccomp_rule_add (deny clone)", rc);
  load_ctx(ctx);
}

static struct sock_filter *read_bpf(const char *path, unsigned short *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) die(path);
  static struct sock_filter buf[BPF_MAXINSNS];
  size_t n = fread(buf, sizeof buf[0], BPF_MAXINSNS, f);
  if (ferror(f) || n == 0) {
    fprintf(stderr, "unwatched: %s: empty or unreadable BPF\n", path);
    exit(1);
  }
  fclose(f);
  *len = (unsigned short)n;
  struct sock_filter *copy = malloc(n * sizeof buf[0]);
  if (copy == NULL) die("malloc");
  memcpy(copy, buf, n * sizeof buf[0]);
  return copy;
}

static void load_bpf(const char *path) {
  struct sock_fprog prog;
  prog.filter = read_bpf(path, &prog.len);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("prctl(NO_NEW_PRIVS)");
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) die(path);
  free(prog.filter);
}

static void load_filter(const char *kind) {
  if (strcmp(kind, "allow") == 0) {
    load_ctx(new_ctx(0));
  } else if (strcmp(kind, "badarch") == 0) {
    load_ctx(new_ctx(1));
  } else if (strcmp(kind, "rules100") == 0) {
    load_rules100();
  } else if (strcmp(kind, "deny") == 0) {
    load_deny();
  } else if (strncmp(kind, "bpf:", 4) == 0) {
    load_bpf(kind + 4);
  } else {
    fprintf(stderr, "unwatched: unknown filter kind '%s'\n", kind);
    exit(2);
  }
}

// The kernel's seccomp_is_const_allow() (kernel/seccomp.c, Linux >= 5.11):
// a syscall whose filter result is ALLOW from nr and arch alone goes into
// the action cache, and then runs without executing the BPF at all.
// Returns 1 (cached), 0 (runs the BPF each call).
static int const_allow(const struct sock_filter *f, unsigned len, uint32_t nr, uint32_t arch) {
  uint32_t a = 0;
  for (unsigned pc = 0; pc < len; pc++) {
    const struct sock_filter *in = &f[pc];
    switch (in->code) {
      case BPF_LD | BPF_W | BPF_ABS:
        if (in->k == offsetof(struct seccomp_data, nr)) a = nr;
        else if (in->k == offsetof(struct seccomp_data, arch)) a = arch;
        else return 0;  // an argument or the IP: not constant
        break;
      case BPF_RET | BPF_K: return in->k == SECCOMP_RET_ALLOW;
      case BPF_JMP | BPF_JA: pc += in->k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += (a == in->k) ? in->jt : in->jf; break;
      case BPF_JMP | BPF_JGE | BPF_K: pc += (a >= in->k) ? in->jt : in->jf; break;
      case BPF_JMP | BPF_JGT | BPF_K: pc += (a > in->k) ? in->jt : in->jf; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (a & in->k) ? in->jt : in->jf; break;
      case BPF_ALU | BPF_AND | BPF_K: a &= in->k; break;
      default: return 0;
    }
  }
  return 0;
}

static int emulate(const char *path) {
  unsigned short len;
  struct sock_filter *f = read_bpf(path, &len);
  const uint32_t arch = 0xc000003e;  // AUDIT_ARCH_X86_64
  int cached = 0, total = 0;
  for (uint32_t nr = 0; nr < 470; nr++) {
    char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr);
    if (name == NULL) continue;
    free(name);
    total++;
    cached += const_allow(f, len, nr, arch);
  }
  printf("%s: %u instructions; getppid %s, read %s; %d of %d x86_64 syscalls cached\n", path,
         len, const_allow(f, len, SYS_getppid, arch) ? "cached" : "NOT cached",
         const_allow(f, len, SYS_read, arch) ? "cached" : "NOT cached", cached, total);
  free(f);
  return 0;
}

// Seccomp_filters from /proc/self/status, or -1.
static int filter_count(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL) return -1;
  char line[256];
  int n = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "Seccomp_filters: %d", &n) == 1) break;
  fclose(f);
  return n;
}

// Each loop is timed whole -- wall-clock (CLOCK_MONOTONIC) and this
// thread's CPU time, which leaves out time spent waiting for a CPU -- and
// in SLICES equal slices by CPU time, of which the fastest is kept: on a
// shared or virtual machine a loop runs through slow phases (another
// tenant, a compile next door) that the fastest slice mostly escapes.
#define SLICES 20

struct sample {
  double wall, cpu, best;  // ns per call
};

static int nop_call(int fd) {
  (void)fd;
  return syscall(SYS_getppid) > 0;
}

static int read_call(int fd) {
  char c;
  return read(fd, &c, 1) == 1;
}

static struct sample time_loop(int (*call)(int), int fd, long n) {
  const long per = n / SLICES > 0 ? n / SLICES : 1;
  struct sample s = {0, 0, 1e18};
  double w0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
  long done = 0;
  while (done < n) {
    long todo = n - done < per ? n - done : per;
    double t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    for (long i = 0; i < todo; i++)
      if (!call(fd)) die("the timed call failed");
    double t = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0) / todo;
    if (todo == per && t < s.best) s.best = t;
    done += todo;
  }
  s.wall = (clock_ns(CLOCK_MONOTONIC) - w0) / n;
  s.cpu = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / n;
  return s;
}

static void measure(long n) {
  int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("/dev/zero");
  int filters = filter_count();
  // A short warm-up, so that the first loop does not pay for cold caches.
  for (long i = 0; i < n / 50; i++) syscall(SYS_getppid);
  struct sample g = time_loop(nop_call, fd, n);
  struct sample r = time_loop(read_call, fd, n);
  close(fd);
  printf("getppid_ns=%.1f read_ns=%.1f getppid_best_ns=%.1f read_best_ns=%.1f "
         "getppid_cpu_ns=%.1f read_cpu_ns=%.1f filters=%d\n",
         g.wall, r.wall, g.best, r.best, g.cpu, r.cpu, filters);
  if (fflush(stdout) != 0) die("stdout");
}

enum parent { NO_PARENT, SEIZE, SEIZE_SPIN, SPIN_WAIT, SPIN_SYS, SPIN_USER };

// The parent's side: resumes every stop (when tracing) until the child
// ends; returns the exit status to pass on.
static int parent_loop(pid_t pid, enum parent mode, volatile int *done) {
  if (mode == SPIN_USER)
    while (!*done) {
    }
  if (mode == SPIN_SYS)
    while (!*done) syscall(SYS_getppid);
  const int spin = mode == SEIZE_SPIN || mode == SPIN_WAIT;
  for (;;) {
    int st;
    pid_t r;
    do r = waitpid(pid, &st, __WALL | (spin ? WNOHANG : 0));
    while (r == 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("waitpid");
    }
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    if (!WIFSTOPPED(st)) continue;
    int sig = WSTOPSIG(st), inject = 0;
    if ((st >> 16) == 0 && sig != (SIGTRAP | 0x80)) inject = sig;  // a signal-delivery stop
    if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)inject) != 0 && errno != ESRCH)
      die("PTRACE_CONT");
  }
}

int main(int argc, char **argv) {
  long n = 5000000;
  const char *filters[MAX_FILTERS];
  int nfilters = 0;
  enum parent parent = NO_PARENT;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-n") == 0 && i + 1 < argc) {
      char *end;
      n = strtol(argv[++i], &end, 10);
      if (*end != '\0' || n <= 0) {
        fprintf(stderr, "unwatched: bad -n '%s'\n", argv[i]);
        return 2;
      }
    } else if (strcmp(a, "--allow-all-filter") == 0 || (strcmp(a, "--filter") == 0 && i + 1 < argc)) {
      if (nfilters == MAX_FILTERS) {
        fprintf(stderr, "unwatched: at most %d filters\n", MAX_FILTERS);
        return 2;
      }
      filters[nfilters++] = a[2] == 'a' ? "allow" : argv[++i];
    } else if (strcmp(a, "--seize") == 0) {
      parent = SEIZE;
    } else if (strcmp(a, "--seize-spin") == 0) {
      parent = SEIZE_SPIN;
    } else if (strcmp(a, "--spin-wait") == 0) {
      parent = SPIN_WAIT;
    } else if (strcmp(a, "--spin-sys") == 0) {
      parent = SPIN_SYS;
    } else if (strcmp(a, "--spin-user") == 0) {
      parent = SPIN_USER;
    } else if (strcmp(a, "--emulate") == 0 && i + 1 < argc) {
      return emulate(argv[++i]);
    } else {
      fprintf(stderr,
              "usage: unwatched [-n N] [--allow-all-filter] [--filter KIND]... "
              "[--seize|--seize-spin|--spin-wait|--spin-sys|--spin-user]\n       unwatched --emulate BPF_FILE\n");
      return 2;
    }
  }

  volatile int *done = NULL;  // set by the child when it has measured
  if (parent != NO_PARENT) {
    void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) die("mmap");
    done = page;
    int go[2];
    if (pipe2(go, O_CLOEXEC) != 0) die("pipe");
    if (fflush(stdout) != 0) die("stdout");
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {  // wait until the parent is ready (seized), as warden's child does
      char b;
      close(go[1]);
      if (read(go[0], &b, 1) != 1) _exit(126);
      close(go[0]);
    } else {
      close(go[0]);
      if (parent == SEIZE || parent == SEIZE_SPIN) {
        long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                    PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |
                    PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL;
        if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)opts) != 0) die("PTRACE_SEIZE");
      }
      if (write(go[1], "g", 1) != 1) die("write");
      close(go[1]);
      return parent_loop(pid, parent, done);
    }
  }
  for (int i = 0; i < nfilters; i++) load_filter(filters[i]);
  measure(n);
  if (done != NULL) *done = 1;
  return 0;
}
