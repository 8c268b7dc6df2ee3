// int80_helper open: from this 64-bit process, the i386 ABI through
//   int $0x80: open("/etc/passwd", O_RDONLY) (eax=5) and getpid (eax=20);
//   then an x32 call, syscall(0x40000000|39) (x32 getpid).
//   Prints "open <ret>", "getpid <ret> <real pid>", "x32 <ret> <errno>".
// int80_helper exit CODE: i386 exit(CODE) (eax=1).
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static long Int80(long nr, long a, long b, long c) {
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return ret;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  // i386 pointers are 32 bits: the path must live below 4 GiB.
  char* low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (low == MAP_FAILED) return 3;
  if (strcmp(argv[1], "open") == 0) {
    strcpy(low, "/etc/passwd");
    long fd = Int80(5, (long)low, 0, 0);
    printf("open %ld\n", fd);
    printf("getpid %ld %d\n", Int80(20, 0, 0, 0), getpid());
    errno = 0;
    long r = syscall(0x40000000 | 39);
    printf("x32 %ld %d\n", r, errno);
    return 0;
  }
  if (strcmp(argv[1], "exit") == 0 && argc == 3) {
    fflush(stdout);
    Int80(1, atoi(argv[2]), 0, 0);
    return 99;  // not reached
  }
  return 2;
}
