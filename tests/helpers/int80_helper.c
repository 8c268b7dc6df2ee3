// int80_helper open: from this 64-bit process, the i386 ABI through
//   int $0x80: open("/etc/passwd", O_RDONLY) (eax=5) and getpid (eax=20);
//   then an x32 call, syscall(0x40000000|39) (x32 getpid).
//   Prints "open <ret>", "getpid <ret> <real pid>", "x32 <ret> <errno>".
// int80_helper exit CODE: i386 exit(CODE) (eax=1).
// int80_helper socketcall: a 64-bit TCP listener on 127.0.0.1, then i386
//   socketcall(SYS_SOCKET) and socketcall(SYS_CONNECT) to it (eax=102).
//   Prints "port <port>" and "connect <ret>".
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
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
  if (strcmp(argv[1], "socketcall") == 0) {
    int srv = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(srv, (struct sockaddr*)&a, sizeof a) || listen(srv, 1) ||
        getsockname(srv, (struct sockaddr*)&a, &len))
      return 4;
    printf("port %d\n", ntohs(a.sin_port));
    // socketcall's argument array and the sockaddr, below 4 GiB.
    unsigned* args = (unsigned*)low;
    struct sockaddr_in* peer = (struct sockaddr_in*)(low + 64);
    *peer = a;
    args[0] = AF_INET, args[1] = SOCK_STREAM, args[2] = 0;
    long fd = Int80(102, 1 /* SYS_SOCKET */, (long)args, 0);
    args[0] = (unsigned)fd, args[1] = (unsigned)(unsigned long)peer, args[2] = sizeof *peer;
    printf("connect %ld\n", Int80(102, 3 /* SYS_CONNECT */, (long)args, 0));
    return 0;
  }
  if (strcmp(argv[1], "exit") == 0 && argc == 3) {
    fflush(stdout);
    Int80(1, atoi(argv[2]), 0, 0);
    return 99;  // not reached
  }
  return 2;
}
