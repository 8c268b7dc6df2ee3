// connect_helper tcp: a loopback TCP listener on 127.0.0.1:0, a client that
//   connects to it, accept, send/recv both ways; then UDP: sendto a bound
//   127.0.0.1 socket and recvfrom it. Prints "port <listen port>",
//   "client <client port>", "udp <udp port>", "sender <udp sender port>".
// connect_helper nullpeer: TCP as above, accepted with accept4(fd, NULL,
//   NULL, SOCK_CLOEXEC) as Node/libuv does; prints "port" and "client".
// connect_helper unix: the same over an abstract AF_UNIX socket; prints
//   "name @<name>".
// connect_helper path: AF_UNIX sockets named by relative paths: bind
//   "sub/s.sock" and listen, chdir("sub"), connect "s.sock", then sendto a
//   datagram socket bound to "./d.sock" through "../sub/d.sock".
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int Port(int fd) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr*)&a, &len) != 0) return -1;
  return ntohs(a.sin_port);
}

static int PingPong(int client, int server_side) {
  char buf[8] = {0};
  if (send(client, "ping", 4, 0) != 4) return 1;
  if (recv(server_side, buf, 4, MSG_WAITALL) != 4 || memcmp(buf, "ping", 4) != 0) return 1;
  if (send(server_side, "pong", 4, 0) != 4) return 1;
  if (recv(client, buf, 4, MSG_WAITALL) != 4 || memcmp(buf, "pong", 4) != 0) return 1;
  return 0;
}

// A TCP listener on 127.0.0.1 (port 0: the kernel's choice) and a client
// connected to it; *a is the listener's address. 0, or the exit status.
static int Connected(int* srv, int* cli, struct sockaddr_in* a) {
  *srv = socket(AF_INET, SOCK_STREAM, 0);
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(*srv, (struct sockaddr*)a, sizeof *a) != 0 || listen(*srv, 4) != 0) return 3;
  a->sin_port = htons((unsigned short)Port(*srv));
  *cli = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(*cli, (struct sockaddr*)a, sizeof *a) != 0) return 4;
  return 0;
}

static int Tcp(void) {
  int srv, cli;
  struct sockaddr_in a;
  int rc = Connected(&srv, &cli, &a);
  if (rc != 0) return rc;
  int port = ntohs(a.sin_port);
  struct sockaddr_in peer;
  socklen_t plen = sizeof peer;
  int conn = accept(srv, (struct sockaddr*)&peer, &plen);
  if (conn < 0) return 5;
  if (PingPong(cli, conn) != 0) return 6;
  printf("port %d\nclient %d\n", port, Port(cli));

  int u = socket(AF_INET, SOCK_DGRAM, 0);
  a.sin_port = 0;
  if (bind(u, (struct sockaddr*)&a, sizeof a) != 0) return 7;
  int uport = Port(u);
  a.sin_port = htons((unsigned short)uport);
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (sendto(s, "dgram", 5, 0, (struct sockaddr*)&a, sizeof a) != 5) return 8;
  char buf[16];
  struct sockaddr_in from;
  socklen_t flen = sizeof from;
  if (recvfrom(u, buf, sizeof buf, 0, (struct sockaddr*)&from, &flen) != 5) return 9;
  printf("udp %d\nsender %d\n", uport, Port(s));
  return 0;
}

static int Unix(void) {
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  char name[64];
  int n = snprintf(name, sizeof name, "warden-itest-%d", getpid());
  memcpy(a.sun_path + 1, name, (size_t)n);  // sun_path[0] = 0: abstract
  socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
  int srv = socket(AF_UNIX, SOCK_STREAM, 0);
  if (bind(srv, (struct sockaddr*)&a, len) != 0 || listen(srv, 4) != 0) return 3;
  int cli = socket(AF_UNIX, SOCK_STREAM, 0);
  if (connect(cli, (struct sockaddr*)&a, len) != 0) return 4;
  int conn = accept(srv, NULL, NULL);
  if (conn < 0) return 5;
  if (PingPong(cli, conn) != 0) return 6;
  printf("name @%s\n", name);
  return 0;
}

static socklen_t UnixAddr(struct sockaddr_un* a, const char* path) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  strncpy(a->sun_path, path, sizeof a->sun_path - 1);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static int UnixPath(void) {
  struct sockaddr_un a;
  if (mkdir("sub", 0755) != 0) return 3;
  int srv = socket(AF_UNIX, SOCK_STREAM, 0);
  socklen_t len = UnixAddr(&a, "sub/s.sock");
  if (bind(srv, (struct sockaddr*)&a, len) != 0 || listen(srv, 4) != 0) return 4;
  if (chdir("sub") != 0) return 5;
  int cli = socket(AF_UNIX, SOCK_STREAM, 0);
  len = UnixAddr(&a, "s.sock");
  if (connect(cli, (struct sockaddr*)&a, len) != 0) return 6;
  int conn = accept(srv, NULL, NULL);
  if (conn < 0 || PingPong(cli, conn) != 0) return 7;
  int d = socket(AF_UNIX, SOCK_DGRAM, 0);
  len = UnixAddr(&a, "./d.sock");
  if (bind(d, (struct sockaddr*)&a, len) != 0) return 8;
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);
  len = UnixAddr(&a, "../sub/d.sock");
  if (sendto(s, "dgram", 5, 0, (struct sockaddr*)&a, len) != 5) return 9;
  printf("done\n");
  return 0;
}

static int NullPeer(void) {
  int srv, cli;
  struct sockaddr_in a;
  int rc = Connected(&srv, &cli, &a);
  if (rc != 0) return rc;
  int port = ntohs(a.sin_port);
  int conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0) return 5;
  if (PingPong(cli, conn) != 0) return 6;
  printf("port %d\nclient %d\n", port, Port(cli));
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  if (strcmp(argv[1], "tcp") == 0) return Tcp();
  if (strcmp(argv[1], "unix") == 0) return Unix();
  if (strcmp(argv[1], "nullpeer") == 0) return NullPeer();
  if (strcmp(argv[1], "path") == 0) return UnixPath();
  return 2;
}
