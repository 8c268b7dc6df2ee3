// path_calls DIR: the %file calls that name a path but are not opens or
// stats (fanotify_mark, quotactl, the new mount API, the *xattrat and
// file_*attr calls), each relative to a dirfd on DIR (quotactl: to the
// cwd) and made to fail harmlessly: nothing is marked, mounted or changed.
// The kernel reads the path at entry, and so does warden. Prints "done".
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/quota.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#define SYS_getxattrat 464
#define SYS_listxattrat 465
#define SYS_removexattrat 466
#endif
#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif
#ifndef SYS_file_getattr
#define SYS_file_getattr 468
#define SYS_file_setattr 469
#endif

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  int d = open(argv[1], O_RDONLY | O_DIRECTORY);
  if (d < 0) return 3;
  const unsigned long kBadFlags = 0xffffffffUL;  // EINVAL before anything happens
  syscall(SYS_fanotify_mark, -1, 1 /* FAN_MARK_ADD */, 0x20UL /* FAN_OPEN */, d, "fa");
  syscall(SYS_fanotify_mark, -1, 1, 0x20UL, d, NULL);  // NULL: the dirfd itself
  char buf[64];
  // QCMD() shifts an int past its sign bit for Q_GETINFO: build it unsigned.
  syscall(SYS_quotactl, ((unsigned)Q_GETINFO << 8) | USRQUOTA, "qdev", 0, buf);
  syscall(SYS_quotactl, ((unsigned)Q_SYNC << 8) | USRQUOTA, NULL, 0, NULL);  // no file: no event
  syscall(SYS_open_tree, d, "ot", kBadFlags);
  syscall(SYS_open_tree_attr, d, "ota", kBadFlags, NULL, 0);
  syscall(SYS_fspick, d, "fp", kBadFlags);
  syscall(SYS_mount_setattr, d, "ms", 0, NULL, 0);  // size 0: EINVAL
  syscall(SYS_move_mount, d, "from", AT_FDCWD, "to", kBadFlags);
  syscall(SYS_setxattrat, d, "sx", 0, "user.warden", NULL, 0);
  syscall(SYS_getxattrat, d, "gx", 0, "user.warden", NULL, 0);
  syscall(SYS_listxattrat, d, "lx", 0, NULL, 0);
  syscall(SYS_removexattrat, d, "rx", 0, "user.warden");
  syscall(SYS_file_getattr, d, "fg", NULL, 0, 0);
  syscall(SYS_file_setattr, d, "fs", NULL, 0, 0);
  syscall(SYS_faccessat2, d, "fa2", F_OK, AT_EACCESS);  // missing: ENOENT
  printf("done\n");
  return 0;
}
