// notif_helper listener PATH: the USER_NOTIF detour (issue 12, 1). Installs
// a seccomp filter of its own that sends openat to a listener (one of its
// own threads, answering CONTINUE), then opens PATH read-only. The kernel
// ranks USER_NOTIF above TRACE: were the filter installed, the open would
// run without stopping in warden. Prints "seccomp ok|err ERRNO" and
// "open ok|err ERRNO".
// notif_helper prctl: installs an allow-all filter with
// prctl(PR_SET_SECCOMP); prints "prctl ok|err ERRNO".
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char* what, long rc) {
  if (rc < 0) printf("%s err %s\n", what, strerrorname_np(errno));
  else printf("%s ok\n", what);
  fflush(stdout);
}

static void* answer(void* arg) {
  int fd = *(int*)arg;
  for (;;) {
    struct seccomp_notif req;
    memset(&req, 0, sizeof req);
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return NULL;
    struct seccomp_notif_resp resp;
    memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  }
}

int main(int argc, char** argv) {
  if (argc >= 2 && strcmp(argv[1], "prctl") == 0) {
    struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    struct sock_fprog prog = {1, allow};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    report("prctl", prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog));
    return 0;
  }
  if (argc != 3 || strcmp(argv[1], "listener") != 0) return 2;
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {sizeof filter / sizeof filter[0], filter};
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  static int listener;
  listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  report("seccomp", listener);
  if (listener >= 0) {
    pthread_t t;
    pthread_create(&t, NULL, answer, &listener);
  }
  report("open", syscall(SYS_openat, AT_FDCWD, argv[2], O_RDONLY));
  return 0;
}
