// bench/pfind.c: a parallel `find`, for the `pfind` benchmark workload
// (bench/workloads.sh). THREADS threads (default 2) walk ROOT (default
// /usr) at the same time, PASSES times over (default 1). The directories to read are shared through one
// work stack, so each thread walks about its share of the tree (/usr's
// subtrees are very uneven: one can be a third of it). Per directory:
// openat, getdents64 until empty, close; per entry a newfstatat by name,
// relative to the directory's fd (as find does for -type or -size). The
// opens and path stats are calls warden watches, made by two threads at
// once: a tracer that serialises its tracees on one CPU shows it here.
//
//   pfind [-t THREADS] [-p PASSES] [ROOT]
//
// Prints one line of counts; exits 1 when a call fails other than with
// ENOENT (an entry removed while walking) or EACCES.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_THREADS 64

struct linux_dirent64 {
  unsigned long long d_ino;
  long long d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

struct paths {
  char **v;
  size_t n, cap;
};

struct counts {
  long dirs, entries, headers, errors;
};

// The directories still to read; `busy` threads may add more.
static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct paths todo;
  int busy;
} work = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {NULL, 0, 0}, 0};

static void oom(void) {
  fputs("pfind: out of memory\n", stderr);
  exit(1);
}

static void push(struct paths *p, char *s) {
  if (p->n == p->cap) {
    p->cap = p->cap ? 2 * p->cap : 64;
    p->v = realloc(p->v, p->cap * sizeof *p->v);
    if (p->v == NULL) oom();
  }
  p->v[p->n++] = s;
}

static void fail(struct counts *c, const char *call, const char *dir, const char *name) {
  if (errno == ENOENT || errno == EACCES) return;
  fprintf(stderr, "pfind: %s %s%s%s: %s\n", call, dir, name ? "/" : "", name ? name : "",
          strerror(errno));
  c->errors++;
}

static int is_header(const char *name) {
  size_t n = strlen(name);
  return n > 2 && strcmp(name + n - 2, ".h") == 0;
}

// Reads one directory: stats every entry, adds the subdirectories to `sub`.
static void read_dir(const char *path, struct counts *c, struct paths *sub) {
  int fd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail(c, "openat", path, NULL);
  c->dirs++;
  char buf[32768];
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n < 0) fail(c, "getdents64", path, NULL);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
      off += d->d_reclen;
      const char *name = d->d_name;
      if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
      struct stat st;
      if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        fail(c, "newfstatat", path, name);
        continue;
      }
      c->entries++;
      if (S_ISDIR(st.st_mode)) {
        char *child;
        if (asprintf(&child, "%s/%s", path, name) < 0) oom();
        push(sub, child);
      } else if (is_header(name)) {
        c->headers++;
      }
    }
  }
  close(fd);
}

static void *worker(void *arg) {
  struct counts *c = arg;
  struct paths sub = {NULL, 0, 0};
  pthread_mutex_lock(&work.mu);
  for (;;) {
    while (work.todo.n == 0 && work.busy > 0) pthread_cond_wait(&work.cv, &work.mu);
    if (work.todo.n == 0) break;  // nothing left, and nobody can add more
    char *path = work.todo.v[--work.todo.n];
    work.busy++;
    pthread_mutex_unlock(&work.mu);

    sub.n = 0;
    read_dir(path, c, &sub);
    free(path);

    pthread_mutex_lock(&work.mu);
    for (size_t i = 0; i < sub.n; i++) push(&work.todo, sub.v[i]);
    work.busy--;
    if (sub.n > 0 || work.busy == 0) pthread_cond_broadcast(&work.cv);
  }
  pthread_mutex_unlock(&work.mu);
  free(sub.v);
  return NULL;
}

int main(int argc, char **argv) {
  int nthreads = 2, passes = 1;
  int opt;
  while ((opt = getopt(argc, argv, "t:p:")) != -1) {
    if (opt == 't' && (nthreads = atoi(optarg)) >= 1 && nthreads <= MAX_THREADS) continue;
    if (opt == 'p' && (passes = atoi(optarg)) >= 1) continue;
    fprintf(stderr, "usage: pfind [-t THREADS (1-%d)] [-p PASSES] [ROOT]\n", MAX_THREADS);
    return 2;
  }
  const char *root = optind < argc ? argv[optind] : "/usr";

  pthread_t tid[MAX_THREADS];
  struct counts per[MAX_THREADS];
  memset(per, 0, sizeof per);
  for (int pass = 0; pass < passes; pass++) {
    char *first = strdup(root);
    if (first == NULL) oom();
    push(&work.todo, first);
    for (int i = 0; i < nthreads; i++) {
      int rc = pthread_create(&tid[i], NULL, worker, &per[i]);
      if (rc != 0) {
        fprintf(stderr, "pfind: pthread_create: %s\n", strerror(rc));
        return 1;
      }
    }
    for (int i = 0; i < nthreads; i++) {
      int rc = pthread_join(tid[i], NULL);
      if (rc != 0) {
        fprintf(stderr, "pfind: pthread_join: %s\n", strerror(rc));
        return 1;
      }
    }
  }
  struct counts sum = {0};
  for (int i = 0; i < nthreads; i++) {
    sum.dirs += per[i].dirs;
    sum.entries += per[i].entries;
    sum.headers += per[i].headers;
    sum.errors += per[i].errors;
  }
  if (sum.dirs == 0) {
    fprintf(stderr, "pfind: could not read %s\n", root);
    return 1;
  }
  printf("pfind %s: %d threads, %d passes, %ld dirs, %ld entries, %ld *.h; entries per thread:",
         root, nthreads, passes, sum.dirs, sum.entries, sum.headers);
  for (int i = 0; i < nthreads; i++) printf(" %ld", per[i].entries);
  printf("\n");
  free(work.todo.v);
  return sum.errors ? 1 : 0;
}
