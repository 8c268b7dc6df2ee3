// dirfd_helper DIR: path resolution the tracer has to follow. Every call is
// checked; a failure exits with the line number. See dirfd_test.cc for the
// absolute path each call must be recorded with.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(x) do { if ((x) < 0) { fprintf(stderr, "line %d: %s failed\n", __LINE__, #x); exit(__LINE__ % 200 + 1); } } while (0)

static void Create(int dirfd, const char* name) {
  int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd);
  close(fd);
}

static const char* g_top;

static void* UnsharedChdirThread(void* arg) {
  (void)arg;
  // From here on this thread has its own cwd: its chdir is not the
  // process's.
  CHECK(unshare(CLONE_FS));
  CHECK(chdir(g_top));
  Create(AT_FDCWD, "u1");  // DIR/u1
  return NULL;
}

static void* ChdirThread(void* arg) {
  (void)arg;
  CHECK(chdir("b"));  // threads share the cwd (CLONE_FS)
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  CHECK(chdir(argv[1]));
  CHECK(mkdir("a", 0755));
  CHECK(mkdir("a/b", 0755));
  CHECK(chdir("a"));
  Create(AT_FDCWD, "f1");
  int dfd = open("b", O_RDONLY | O_DIRECTORY);
  CHECK(dfd);
  Create(dfd, "f2");
  CHECK(fchdir(dfd));
  Create(AT_FDCWD, "f3");
  CHECK(chdir(".."));
  Create(AT_FDCWD, "f4");
  CHECK(dup2(dfd, 50));
  Create(50, "f5");
  CHECK(dup3(dfd, 51, O_CLOEXEC));
  Create(51, "f6");
  int d7 = fcntl(dfd, F_DUPFD, 60);
  CHECK(d7);
  Create(d7, "f7");
  int d7d = dup(dfd);
  CHECK(d7d);
  Create(d7d, "f7d");
  close(dfd);
  int top = open(argv[1], O_RDONLY | O_DIRECTORY);  // likely reuses dfd's number
  CHECK(top);
  Create(top, "f8");
  int fd = open("../a/./f1", O_RDONLY);
  CHECK(fd);
  close(fd);

  pthread_t t;
  pthread_create(&t, NULL, ChdirThread, NULL);
  pthread_join(t, NULL);
  Create(AT_FDCWD, "g1");  // in a/b: the thread moved us
  CHECK(chdir(".."));

  g_top = argv[1];
  pthread_create(&t, NULL, UnsharedChdirThread, NULL);
  pthread_join(t, NULL);
  Create(AT_FDCWD, "u2");  // still in a

  pid_t c = fork();
  if (c == 0) {
    if (chdir("/") != 0) _exit(1);
    int cfd = syscall(SYS_openat, top, "c1", O_WRONLY | O_CREAT | O_TRUNC, 0644);  // inherited dirfd
    _exit(cfd < 0);
  }
  int st;
  CHECK(waitpid(c, &st, 0));
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return 3;
  Create(AT_FDCWD, "f9");  // the child's chdir is not ours

  CHECK(rename("f4", "f4r"));
  CHECK(renameat(top, "f8", AT_FDCWD, "f8r"));
  CHECK(link("f1", "f1l"));
  CHECK(linkat(top, "a/f1", top, "f1top", 0));
  CHECK(symlink("some/target", "sl"));
  CHECK(symlinkat("/abs/target", top, "sl2"));
  CHECK(unlink("f1l"));
  CHECK(mkdir("m", 0755));
  CHECK(rmdir("m"));
  CHECK(mkdirat(top, "m2", 0755));
  CHECK(unlinkat(top, "m2", AT_REMOVEDIR));
  CHECK(unlinkat(top, "f1top", 0));
  // A descriptor number warden saw for a/b (cwd is a), closed (close is not traced)
  // and reused by a descriptor for DIR received over SCM_RIGHTS.
  int sv[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  int stale = open("b", O_RDONLY | O_DIRECTORY);
  CHECK(stale);
  close(stale);
  {
    char byte = 'x';
    struct iovec iov = {&byte, 1};
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    struct cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &top, sizeof(int));
    CHECK(sendmsg(sv[0], &m, 0));
    memset(u.buf, 0, sizeof u.buf);
    m.msg_controllen = sizeof u.buf;
    CHECK(recvmsg(sv[1], &m, 0));
    int got;
    memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
    if (got != stale) return 4;  // the test relies on the number being reused
    Create(got, "scm1");  // in DIR, not in a/b
  }
  // The cwd renamed under us: the kernel's cwd keeps following it.
  CHECK(mkdir("ren", 0755));
  CHECK(chdir("ren"));
  CHECK(rename("../ren", "../ren2"));
  Create(AT_FDCWD, "r1");  // a/ren2/r1
  CHECK(chdir(".."));
  fd = open("/etc/../etc/./passwd", O_RDONLY);
  CHECK(fd);
  close(fd);
  puts("done");
  return 0;
}
