"""Loopback network workload of bench/fidelity.sh: deterministic peers.

An HTTP server thread on 127.0.0.1:$FID_PORT answers one GET from curl (a
child process; urllib when curl is missing); then a UDP datagram to
[::1]:$FID_PORT+1 with sendto/recvfrom, the same with sendmsg/recvmsg, a
refused TCP connect to [::1]:$FID_PORT+2, a name lookup of "localhost", an
AF_UNIX stream socket pair through a path in the current directory and one
through an abstract name.
"""
import os
import shutil
import socket
import subprocess
import threading
import urllib.request

port = int(os.environ.get("FID_PORT", "47311"))

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(4)


def serve():
    conn, _ = srv.accept()
    conn.recv(4096)
    body = b"hello\n"
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    conn.close()


t = threading.Thread(target=serve)
t.start()
url = "http://127.0.0.1:%d/" % port
if shutil.which("curl"):
    subprocess.run(["curl", "-s", "-o", "curl.out", url], check=True)
else:
    urllib.request.urlopen(url).read()
t.join()
srv.close()

# UDP over IPv6 loopback, addresses on every datagram.
u1 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u1.bind(("::1", port + 1))
u2 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u2.sendto(b"ping", ("::1", port + 1))
data, peer = u1.recvfrom(16)
u2.sendmsg([b"again"], [], 0, ("::1", port + 1))
u1.recvmsg(16)
u1.close()
u2.close()

# A refused connect, and a lookup (nss: /etc/hosts, maybe nscd's socket).
r = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
try:
    r.connect(("::1", port + 2))
except OSError:
    pass
r.close()
socket.getaddrinfo("localhost", port, proto=socket.IPPROTO_TCP)

# Abstract AF_UNIX name.
ab = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
ab.bind("\0warden-fidelity-%d" % port)
ab.close()

# AF_UNIX stream socket through a path.
path = "fid.sock"
if os.path.exists(path):
    os.unlink(path)
us = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
us.bind(path)
us.listen(1)
uc = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
uc.connect(path)
a, _ = us.accept()
uc.sendall(b"x")
a.recv(1)
for s in (a, uc, us):
    s.close()
os.unlink(path)
