#!/usr/bin/env python3
"""Compares what warden recorded with what strace saw, for one workload.

    fidelity.py compare --name NAME --strace OUT --db DB --cwd DIR
                        [--command TEXT] [--details FILE] [--json FILE]
    fidelity.py table RESULT.json...      # the markdown table of bench/README.md
    fidelity.py strace OUT --cwd DIR      # the items parsed from strace (debugging)

OUT is the output of `strace -f -qq -yy -s 65535 -e signal=none -e
trace=%file,%process,%network,fchdir -o OUT CMD` run in DIR; DB the database
of `warden run --db DB -- CMD` run in the same DIR (recreated in between, so
both runs see the same absolute paths). Python 3 standard library only.

Compared (see bench/README.md, "Fidelity"):
  file  (absolute path, "ok" or errno name) of every path a %file call named
        (rename and link: both paths; symlink: the link, not its target text)
  exec  (absolute path, argv, "ok" or errno name) of every execve/execveat
  net   (call, family, address, port, "ok" or errno name) of connect, bind,
        listen, accept, accept4 and of sendto/sendmsg/recvfrom/recvmsg with
        an address
  procs number of processes and of threads (a count, not a set)
and, as "other differences": how many times each item was seen, the file
items keyed by (path, op, result) and by (exe, path, result), and the number
of calls of each syscall name. Known, accepted differences are counted apart
("set aside"). Successful opens of a path with ".." that names another file
lexically than in the kernel (warden(1), BUGS) are counted too.

strace prints paths as given: relative ones are resolved against the dirfd
(-yy prints its path), the AT_FDCWD annotation (-yy prints the cwd) or the
cwd tracked through chdir/fchdir and inherited at clone. Paths through
/proc/self/{fd/N,cwd,exe,root} and /dev/fd/N are rewritten to the file they
name, as warden records them. Random temporary names, pids and ephemeral
ports are normalized on both sides.
"""

import argparse
import errno as errno_mod
import json
import os
import re
import sqlite3
import sys
from collections import Counter

# ---------------------------------------------------------------------------
# Which argument of each %file call is a path (mirrors supervisor/effects.cc):
# name -> list of (dirfd index or None, path index). AT_EMPTY_PATH / NULL
# handling is done in StraceModel.walk.
PATH_ARGS = {
    "open": [(None, 0)], "openat": [(0, 1)], "creat": [(None, 0)], "openat2": [(0, 1)],
    "stat": [(None, 0)], "lstat": [(None, 0)], "newfstatat": [(0, 1)], "statx": [(0, 1)],
    "statfs": [(None, 0)], "name_to_handle_at": [(0, 1)],
    "access": [(None, 0)], "faccessat": [(0, 1)], "faccessat2": [(0, 1)],
    "readlink": [(None, 0)], "readlinkat": [(0, 1)],
    "unlink": [(None, 0)], "unlinkat": [(0, 1)], "rmdir": [(None, 0)],
    "mkdir": [(None, 0)], "mkdirat": [(0, 1)], "mknod": [(None, 0)], "mknodat": [(0, 1)],
    "chmod": [(None, 0)], "fchmodat": [(0, 1)], "fchmodat2": [(0, 1)],
    "chown": [(None, 0)], "lchown": [(None, 0)], "fchownat": [(0, 1)],
    "truncate": [(None, 0)], "utime": [(None, 0)], "utimes": [(None, 0)],
    "futimesat": [(0, 1)], "utimensat": [(0, 1)],
    "getxattr": [(None, 0)], "lgetxattr": [(None, 0)], "setxattr": [(None, 0)],
    "lsetxattr": [(None, 0)], "listxattr": [(None, 0)], "llistxattr": [(None, 0)],
    "removexattr": [(None, 0)], "lremovexattr": [(None, 0)],
    "chroot": [(None, 0)], "chdir": [(None, 0)], "inotify_add_watch": [(None, 1)],
    "mount": [(None, 1)], "umount2": [(None, 0)], "swapon": [(None, 0)],
    "swapoff": [(None, 0)], "acct": [(None, 0)],
    "rename": [(None, 0), (None, 1)], "renameat": [(0, 1), (2, 3)],
    "renameat2": [(0, 1), (2, 3)], "link": [(None, 0), (None, 1)],
    "linkat": [(0, 1), (2, 3)], "pivot_root": [(None, 0), (None, 1)],
    "symlink": [(None, 1)], "symlinkat": [(1, 2)],
    "execve": [(None, 0)], "execveat": [(0, 1)],
    "fanotify_mark": [(3, 4)], "quotactl": [(None, 1)], "open_tree": [(0, 1)],
    "fspick": [(0, 1)], "mount_setattr": [(0, 1)], "move_mount": [(0, 1), (2, 3)],
}
# The file operation warden names for each call (man/warden.1, "file_events"),
# derived from strace's decoded flags for open*; checked as the "op" set.
FIXED_OP = {
    "creat": "create", "stat": "stat", "lstat": "stat", "newfstatat": "stat", "statx": "stat",
    "statfs": "stat", "name_to_handle_at": "stat", "access": "access", "faccessat": "access",
    "faccessat2": "access", "readlink": "readlink", "readlinkat": "readlink",
    "unlink": "unlink", "unlinkat": "unlink", "rmdir": "rmdir", "mkdir": "mkdir",
    "mkdirat": "mkdir", "mknod": "mknod", "mknodat": "mknod", "chmod": "chmod",
    "fchmodat": "chmod", "fchmodat2": "chmod", "chown": "chown", "lchown": "chown",
    "fchownat": "chown", "truncate": "truncate", "utime": "utime", "utimes": "utime",
    "futimesat": "utime", "utimensat": "utime", "chroot": "chroot", "chdir": "chdir",
    "inotify_add_watch": "watch", "mount": "mount", "umount2": "umount", "rename": "rename",
    "renameat": "rename", "renameat2": "rename", "link": "link", "linkat": "link",
    "symlink": "symlink", "symlinkat": "symlink", "execve": "exec", "execveat": "exec",
    "fanotify_mark": "watch", "quotactl": "quota", "open_tree": "mount", "fspick": "mount",
    "mount_setattr": "mount", "move_mount": "mount",
}
for _n in ("getxattr", "lgetxattr", "setxattr", "lsetxattr", "listxattr", "llistxattr",
           "removexattr", "lremovexattr"):
    FIXED_OP[_n] = "xattr"


def file_op(c):
    """The op of a %file call from strace's decoded arguments."""
    if c.name in ("open", "openat", "openat2"):
        i = {"open": 1, "openat": 2, "openat2": 2}[c.name]
        flags = c.args[i] if i < len(c.args) else ""
        words = set(re.findall(r"O_[A-Z]+", flags))
        if "O_PATH" in words:
            return "stat"
        if "O_CREAT" in words:
            return "create"
        if "O_TRUNC" in words:
            return "truncate"
        if words & {"O_WRONLY", "O_RDWR"}:
            return "write"
        return "read"
    if c.name == "unlinkat" and len(c.args) > 2 and "AT_REMOVEDIR" in c.args[2]:
        return "rmdir"
    return FIXED_OP.get(c.name, c.name)


# Index of the flags argument, where AT_EMPTY_PATH means "the dirfd itself".
FLAGS_ARG = {"newfstatat": 3, "statx": 2, "fchownat": 4, "linkat": 4, "execveat": 4,
             "name_to_handle_at": 4, "faccessat2": 3, "utimensat": 3, "fchmodat2": 3}
NET_CALLS = {"connect": 1, "bind": 1, "accept": 1, "accept4": 1, "sendto": 4, "recvfrom": 4}

# ---------------------------------------------------------------------------
# Normalization shared by both sides: names that differ from run to run.
TEMP_NAMES = [
    (re.compile(r"^/proc/\d+/task/\d+(?=/|$)"), "/proc/PID/task/TID"),
    (re.compile(r"^/proc/\d+(?=/|$)"), "/proc/PID"),
    (re.compile(r"/cc[A-Za-z0-9]{6}(\.[a-z.]+)$"), r"/ccXXXXXX\1"),  # gcc temporaries
    (re.compile(r"/tmp_obj_[A-Za-z0-9]{6}$"), "/tmp_obj_XXXXXX"),  # git loose objects
    (re.compile(r"/\.git/t[A-Za-z0-9]{6}$"), "/.git/tXXXXXX"),      # git's probe files
    (re.compile(r"/(tmp_pack|tmp_idx)_[A-Za-z0-9]{6}$"), r"/\1_XXXXXX"),
    (re.compile(r"\.pyc\.\d+$"), ".pyc.N"),                        # python's atomic .pyc write
    (re.compile(r"/tmp/(sh-thd|tmp)[.A-Za-z0-9_-]{6,}$"), r"/tmp/\1XXXXXX"),
    (re.compile(r"/tmp/pymp-[a-z0-9_]+"), "/tmp/pymp-XXXXXX"),
    (re.compile(r"^/dev/shm/sem\.[A-Za-z0-9]{6}$"), "/dev/shm/sem.XXXXXX"),  # sem_open
    (re.compile(r"^/dev/shm/sem\.mp-[a-z0-9_]{8}$"), "/dev/shm/sem.mp-XXXXXXXX"),  # multiprocessing
    (re.compile(r"/tmp[a-z0-9_]{8}(?=/|$)"), "/tmpXXXXXXXX"),        # python's tempfile
]


# A path through a magic link of procfs (or /dev/fd): the kernel jumps it.
PROC_LINK = r"^/(dev/fd/\d+|proc/(self|thread-self|\d+)(/task/\d+)?/(fd/\d+|cwd|root|exe))"


def nofollow(name, flags):
    """Whether the call acts on the last symlink of its path itself."""
    return name in ("readlink", "readlinkat", "lstat", "lstat64") or "AT_SYMLINK_NOFOLLOW" in flags


def norm_path(p):
    for rx, rep in TEMP_NAMES:
        p = rx.sub(rep, p)
    return p


def _port_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = map(int, f.read().split())
        return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


EPHEMERAL = _port_range()


def norm_port(port):
    if port is None:
        return None
    return "eph" if EPHEMERAL[0] <= port <= EPHEMERAL[1] else port


def lexical(p):
    """Like warden's NormalizePath: '.' and '..' removed textually."""
    out = []
    for part in p.split("/"):
        if part == "..":
            if out:
                out.pop()
        elif part and part != ".":
            out.append(part)
    return "/" + "/".join(out)


def resolve(base, path):
    if path.startswith("/"):
        return lexical(path)
    if path == "":
        return lexical(base)
    return lexical(base + "/" + path)


# Where two names share a number, the one strace prints.
STRACE_ERRNO = {errno_mod.EOPNOTSUPP: "EOPNOTSUPP", errno_mod.EDEADLK: "EDEADLK",
                errno_mod.EAGAIN: "EAGAIN"}


def errname(e):
    return STRACE_ERRNO.get(e) or errno_mod.errorcode.get(e, "E%d" % e)


# ---------------------------------------------------------------------------
# strace output parsing.

def unescape(s):
    """A C-escaped string body as strace prints it (no surrounding quotes)."""
    out = bytearray()
    i = 0
    simple = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, "\\": 92, '"': 34, "'": 39, "a": 7,
              "b": 8}
    while i < len(s):
        c = s[i]
        if c != "\\" or i + 1 >= len(s):
            out += c.encode()
            i += 1
            continue
        n = s[i + 1]
        if n in simple:
            out.append(simple[n])
            i += 2
        elif n == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif n in "01234567":
            j = i + 1
            while j < len(s) and j < i + 4 and s[j] in "01234567":
                j += 1
            out.append(int(s[i + 1:j], 8) & 0xFF)
            i = j
        else:
            out += n.encode()
            i += 2
    return out.decode("utf-8", "surrogateescape")


def split_top(s):
    """Splits an argument list at top-level commas (outside strings,
    brackets, braces, parentheses and <...> fd annotations)."""
    parts, depth, ann, cur, i = [], 0, 0, [], 0
    while i < len(s):
        c = s[i]
        if ann:
            if c == "\\":
                cur.append(s[i:i + 2])
                i += 2
                continue
            ann += c == "<"
            ann -= c == ">" and s[i - 1] != "-"  # "->" of a socket pair: not a closer
        elif c == '"':
            j = i + 1
            while j < len(s) and s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            cur.append(s[i:j + 1])
            i = j + 1
            continue
        elif c == "<":
            ann = 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def close_paren(s, start):
    """Index of the ')' closing the '(' at s[start-1]; -1 if none."""
    depth, ann, i = 1, 0, start
    while i < len(s):
        c = s[i]
        if ann:
            if c == "\\":
                i += 2
                continue
            ann += c == "<"
            ann -= c == ">" and s[i - 1] != "-"
        elif c == '"':
            i += 1
            while i < len(s) and s[i] != '"':
                i += 2 if s[i] == "\\" else 1
        elif c == "<":
            ann = 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def annotation(arg):
    """'3</usr/include>' -> (3, '/usr/include'); 'AT_FDCWD</x>' -> ('AT_FDCWD', '/x')."""
    m = re.match(r"^(-?\d+|AT_FDCWD)<(.*)>$", arg, re.S)
    if not m:
        return None
    head = int(m.group(1)) if m.group(1) != "AT_FDCWD" else "AT_FDCWD"
    body = m.group(2)
    # Character devices and sockets carry a nested annotation: "/dev/null<char 1:3>".
    body = re.sub(r"<[^<>]*>$", "", body)
    return head, unescape(body)


def string_arg(arg):
    """The value of a quoted string argument; None for NULL/pointers."""
    m = re.match(r'^"(.*)"(\.\.\.)?$', arg, re.S)
    return unescape(m.group(1)) if m else None


class Call:
    __slots__ = ("seq", "pid", "name", "args", "ret", "ret_ann", "err")

    def __init__(self, seq, pid, name, args, ret, ret_ann, err):
        self.seq, self.pid, self.name, self.args = seq, pid, name, args
        self.ret, self.ret_ann, self.err = ret, ret_ann, err

    def status(self):
        if self.ret is None:
            return "?"
        return self.err if self.err else "ok"


CALL_RE = re.compile(r"^([a-z0-9_]+)\((.*)$", re.S)


def parse_strace(path):
    """The calls of an strace -f output, ordered by where they started,
    unfinished/resumed pairs joined."""
    pending = {}  # pid -> (seq, text before '<unfinished ...>')
    calls = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for seq, line in enumerate(f):
            line = line.rstrip("\n")
            m = re.match(r"^(\d+)\s+(.*)$", line)
            if not m:
                continue
            pid, text = int(m.group(1)), m.group(2)
            sm = re.match(r"^\+\+\+ superseded by execve in pid (\d+) \+\+\+$", text)
            if sm:
                # A non-leader thread's execve: it resumes under the leader's pid.
                if int(sm.group(1)) in pending:
                    pending[pid] = pending.pop(int(sm.group(1)))
                continue
            um = re.search(r" ?<(unfinished|pid changed to \d+) \.\.\.>$", text)
            if um:
                # What was printed so far, trailing ", " included: the
                # resumed part continues it verbatim.
                pending[pid] = (seq, text[: um.start()] + (" " if text[um.start()] == " " else ""))
                continue
            rm = re.match(r"^<\.\.\. ([a-z0-9_]+) resumed>(.*)$", text, re.S)
            if rm:
                if pid not in pending:
                    continue
                seq, head = pending.pop(pid)
                text = head + rm.group(2)
            c = parse_call(seq, pid, text)
            if c is not None:
                calls.append(c)
    # Calls cut off by the process's death: no result.
    for pid, (seq, head) in pending.items():
        c = parse_call(seq, pid, head.rstrip().rstrip(",") + ") = ?")
        if c is not None:
            calls.append(c)
    calls.sort(key=lambda c: c.seq)
    return calls


def parse_call(seq, pid, text):
    m = CALL_RE.match(text)
    if not m:
        return None
    name, rest = m.group(1), m.group(2)
    end = close_paren(rest, 0)
    if end < 0:
        return None
    args = split_top(rest[:end])
    rm = re.match(r"^\s*=\s*(-?\d+|0x[0-9a-f]+|\?)(.*)$", rest[end + 1:], re.S)
    ret, ann, err = None, None, None
    if rm:
        if rm.group(1) != "?":
            ret = int(rm.group(1), 0)
        tail = rm.group(2)
        if tail.startswith("<"):
            a = annotation("0" + tail.split(" (")[0].split(" E")[0])
            ann = a[1] if a else None
        em = re.match(r"^\s*(E[A-Z0-9]+)", tail)
        if ret == -1 and em:
            err = em.group(1)
    return Call(seq, pid, name, args, ret, ann, err)


def image_of(path, depth=0):
    """What /proc/PID/exe names after exec of `path`: the file, or for a
    #! script its interpreter."""
    real = os.path.realpath(path)
    try:
        with open(real, "rb") as f:
            head = f.read(256)
    except OSError:
        return real
    if head.startswith(b"#!") and depth < 4:
        interp = head[2:].split(b"\n")[0].strip().split()
        if interp:
            return image_of(interp[0].decode("utf-8", "surrogateescape"), depth + 1)
    return real


class StraceModel:
    """Per-process state rebuilt from the strace output: cwd (shared with
    CLONE_FS), fd paths (shared with CLONE_FILES), current exe."""

    def __init__(self, calls, root_cwd):
        self.calls = calls
        self.parent = {}  # child -> (parent, clone flags text)
        for c in calls:
            if c.name in ("clone", "clone3", "fork", "vfork") and c.ret and c.ret > 0:
                flags = " ".join(c.args)
                self.parent[c.ret] = (c.pid, flags)
        self.fs = {}      # pid -> shared dict {"cwd": ...}
        self.files = {}   # pid -> shared dict fd -> path
        self.exe = {}     # tgid-ish: pid -> exe
        self.tgid = {}
        self.root_cwd = root_cwd

    def ensure(self, pid):
        if pid in self.fs:
            return
        par = self.parent.get(pid)
        if par is None or par[0] not in self.fs:
            self.fs[pid] = {"cwd": self.root_cwd}
            self.files[pid] = {}
            self.exe[pid] = None
            self.tgid[pid] = pid
            return
        ppid, flags = par
        self.fs[pid] = self.fs[ppid] if "CLONE_FS" in flags else dict(self.fs[ppid])
        self.files[pid] = self.files[ppid] if "CLONE_FILES" in flags else dict(self.files[ppid])
        thread = "CLONE_THREAD" in flags
        self.tgid[pid] = self.tgid[ppid] if thread else pid
        self.exe[pid] = self.exe[ppid]

    def proc_link(self, pid, path):
        """Mirror of warden's SplitProcLink + readlink: /proc/self/fd/N,
        /dev/fd/N, /proc/{self,thread-self,PID}/{cwd,root,exe} -> the file."""
        given = path
        m = re.match(r"^/dev/fd/(\d+)(/.*)?$", path)
        if m:
            path = "/proc/self/fd/" + m.group(1) + (m.group(2) or "")
        m = re.match(r"^/proc/(self|thread-self|\d+)(/task/\d+)?/(fd/(\d+)|cwd|root|exe)(/.*)?$", path)
        if not m:
            return given
        who = m.group(1)
        other = pid if who in ("self", "thread-self") else int(who)
        if other not in self.fs:
            return given
        rest = m.group(5) or ""
        if m.group(4):
            target = self.files[other].get(int(m.group(4)))
        elif m.group(3) == "cwd":
            target = self.fs[other]["cwd"]
        elif m.group(3) == "root":
            target = "/"
        else:
            target = self.exe.get(other)
        if not target or not target.startswith("/"):
            return given
        return lexical(target + rest)

    def note_fds(self, c):
        for a in c.args:
            an = annotation(a)
            if an and an[0] != "AT_FDCWD":
                if an[1].startswith("/"):
                    self.files[c.pid][an[0]] = an[1]
            elif an:
                self.fs[c.pid]["cwd"] = an[1]
        if c.ret is not None and c.ret >= 0 and c.ret_ann and c.name.startswith(("open", "creat")):
            self.files[c.pid][c.ret] = c.ret_ann

    def base(self, c, dirfd_i):
        if dirfd_i is not None and dirfd_i < len(c.args):
            an = annotation(c.args[dirfd_i])
            if an:
                return an[1].removesuffix(" (deleted)")
            if c.args[dirfd_i] != "AT_FDCWD":
                try:
                    fd = int(c.args[dirfd_i])
                    if fd in self.files[c.pid]:
                        return self.files[c.pid][fd]
                except ValueError:
                    pass
        return self.fs[c.pid]["cwd"]

    def walk(self):
        """Yields (call, [(absolute path, raw path)], extra) per call."""
        for c in self.calls:
            self.ensure(c.pid)
            self.note_fds(c)
            paths = []
            spec = PATH_ARGS.get(c.name)
            if spec:
                flags = c.args[FLAGS_ARG[c.name]] if c.name in FLAGS_ARG and FLAGS_ARG[c.name] < len(c.args) else ""
                for dirfd_i, path_i in spec:
                    if path_i >= len(c.args):
                        continue
                    raw = string_arg(c.args[path_i])
                    if raw is None:
                        if c.args[path_i] == "NULL" and c.name in ("utimensat", "futimesat") \
                                and c.args[dirfd_i] != "AT_FDCWD":
                            raw = ""
                        elif c.args[path_i] == "NULL" and c.name == "fanotify_mark":
                            raw = ""  # the dirfd (or cwd) itself
                        elif c.args[path_i] == "NULL" and c.name == "quotactl":
                            continue  # Q_SYNC of every filesystem: no file
                        else:
                            paths.append(("<unreadable 0x0>" if c.args[path_i] == "NULL"
                                          else "<unreadable>", c.args[path_i]))
                            continue
                    p = resolve(self.base(c, dirfd_i), raw)
                    if (c.name.startswith("open") and c.ret_ann and c.ret_ann.startswith("/")
                            and re.match(r"^/(dev/fd|proc/[^/]+(/task/\d+)?/fd)/\d+$", p)):
                        # An open through /dev/fd/N: -yy names the file opened,
                        # which the fd map may not know (dup2 is not traced).
                        p = c.ret_ann
                    elif not (nofollow(c.name, flags) and re.match(PROC_LINK + "$", p)):
                        # A call that does not follow the last link acts
                        # on the magic link itself, as warden records it.
                        p = self.proc_link(c.pid, p)
                    paths.append((p, raw if "AT_EMPTY_PATH" not in flags or raw else "<empty>"))
            yield c, paths
            # State changes at completion.
            if c.ret == 0 and c.name == "chdir" and paths:
                self.fs[c.pid]["cwd"] = paths[0][0]
            if c.ret == 0 and c.name == "fchdir":
                an = annotation(c.args[0])
                if an:
                    self.fs[c.pid]["cwd"] = an[1]
            if c.ret == 0 and c.name in ("execve", "execveat") and paths:
                self.exe[c.pid] = image_of(paths[0][0])
                # exec closes O_CLOEXEC fds; we do not know which: keep the map.


def strace_items(path, cwd):
    calls = parse_strace(path)
    model = StraceModel(calls, cwd)
    files, execs, nets, ops, byexe = Counter(), Counter(), Counter(), Counter(), Counter()
    accepted = Counter()  # items warden is known not to record, by reason
    lexical_differs = []
    per_call = Counter()
    procs, threads = 1, 0
    for c, paths in model.walk():
        name = c.name
        st = c.status()
        flags_i = FLAGS_ARG.get(name)
        flags = c.args[flags_i] if flags_i is not None and flags_i < len(c.args) else ""
        fstat_like = name in ("newfstatat", "statx") and "AT_EMPTY_PATH" in flags
        # sendto/recvfrom without an address use the connected peer: BPF
        # lets them run without a stop (supervisor/watch.cc).
        unaddressed = name in ("sendto", "recvfrom") and len(c.args) > 4 and c.args[4] == "NULL"
        if fstat_like:
            accepted[("fstat-style %s(fd, \"\", AT_EMPTY_PATH): filtered in BPF" % name,)] += 1
        elif unaddressed:
            accepted[("%s without an address: filtered in BPF" % name,)] += 1
        else:
            per_call[name] += 1
        if name in ("clone", "clone3", "fork", "vfork") and c.ret and c.ret > 0:
            if "CLONE_THREAD" in " ".join(c.args):
                threads += 1
            else:
                procs += 1
        if paths and not fstat_like:
            for p, _raw in paths:
                files[(norm_path(p), st)] += 1
            ops[(norm_path(paths[0][0]), file_op(c), st)] += 1
            # The documented limit (warden(1), BUGS): a ".." after a symlink
            # names another file lexically than in the kernel. -yy shows the
            # file an open really opened; count the opens where they differ.
            if (c.name.startswith("open") and st == "ok" and c.ret_ann
                    and c.ret_ann.startswith("/") and "/.." in paths[0][1]
                    and os.path.realpath(paths[0][0]) != os.path.realpath(c.ret_ann)):
                lexical_differs.append((paths[0][1], paths[0][0], c.ret_ann))
            exe = model.exe.get(c.pid) or "?"
            byexe[(exe, norm_path(paths[0][0]), st)] += 1
        if name in ("execve", "execveat") and paths:
            argv_i = 1 if name == "execve" else 2
            argv = parse_string_array(c.args[argv_i]) if argv_i < len(c.args) else []
            execs[(norm_path(paths[0][0]), json.dumps([norm_path(a) for a in argv]), st)] += 1
        if name in NET_CALLS or name in ("listen", "sendmsg", "recvmsg"):
            item = strace_net(c, model.fs[c.pid]["cwd"])
            if item is not None:
                nets[item + (st,)] += 1
    return {"file": files, "exec": execs, "net": nets, "op": ops, "exe": byexe, "procs": procs,
            "threads": threads, "calls": per_call, "accepted": accepted,
            "lexical_differs": lexical_differs}


def parse_string_array(arg):
    if not arg.startswith("["):
        return []
    out = []
    for a in split_top(arg[1:-1]):
        s = string_arg(a)
        if s is not None:
            out.append(s)
    return out


def parse_sockaddr(text):
    """strace's {sa_family=..., ...} -> (family, address, port) or None."""
    fm = re.search(r"sa_family=(AF_[A-Z0-9]+)", text)
    if not fm:
        return None
    fam = fm.group(1)
    if fam == "AF_INET":
        port = re.search(r"sin_port=htons\((\d+)\)", text)
        addr = re.search(r'sin_addr=inet_addr\("([^"]*)"\)', text)
        return fam, addr.group(1) if addr else "", int(port.group(1)) if port else None
    if fam == "AF_INET6":
        port = re.search(r"sin6_port=htons\((\d+)\)", text)
        addr = re.search(r'inet_pton\(AF_INET6, "([^"]*)"', text)
        return fam, addr.group(1) if addr else "", int(port.group(1)) if port else None
    if fam == "AF_UNIX":
        m = re.search(r'sun_path=@?"((?:[^"\\]|\\.)*)"', text)
        if not m:
            return fam, "", None
        p = unescape(m.group(1))
        if re.search(r'sun_path=@"', text):
            p = "@" + p
        return fam, p, None
    if fam == "AF_NETLINK":
        pid = re.search(r"nl_pid=(\d+)", text)
        groups = re.search(r"nl_groups=([0-9a-fx]+)", text)
        g = int(groups.group(1), 16) if groups else 0
        return fam, "pid=%s,groups=%#x" % (pid.group(1) if pid else "0", g), None
    return fam, "", None


def unix_path(p, cwd):
    """warden records a relative AF_UNIX path resolved against the cwd of
    the process that names it (bind, connect, send), like file paths."""
    if p == "" or p.startswith(("/", "@")):
        return p
    return resolve(cwd, p)


def strace_net(c, cwd):
    """(call, family, address, port) of a network call, None without one.
    `cwd`: the caller's cwd, for relative AF_UNIX paths it names."""
    name = c.name
    if name == "listen":
        an = annotation(c.args[0]) if c.args else None
        if not an:
            return None
        um = re.match(r'^UNIX(-[A-Z]+)?:\[\d+,"(.*)"\]$', an[1])
        if um:
            return (name, "AF_UNIX", unix_path(unescape(um.group(2)), cwd), None)
        m = re.match(r"^(TCP|TCPv6|UDP|UDPv6):\[(.*)\]$", an[1])
        if not m:
            return None
        loc = m.group(2).split("->")[0]
        hp = re.match(r"^\[?(.*?)\]?:(\d+)$", loc)
        if not hp:
            return None
        fam = "AF_INET6" if m.group(1).endswith("v6") else "AF_INET"
        return (name, fam, hp.group(1), norm_port(int(hp.group(2))))
    if name in ("sendmsg", "recvmsg"):
        if len(c.args) < 2 or "msg_name={" not in c.args[1]:
            return None
        sa = parse_sockaddr(c.args[1].split("msg_name=", 1)[1])
    else:
        i = NET_CALLS[name]
        if i >= len(c.args) or not c.args[i].startswith("{"):
            return None
        sa = parse_sockaddr(c.args[i])
    if sa is None:
        return None
    fam, addr, port = sa
    if addr == "" and port is None:
        return None  # unnamed (an AF_UNIX peer): warden records no address
    if fam == "AF_UNIX" and name in ("connect", "bind", "sendto", "sendmsg"):
        addr = unix_path(addr, cwd)
    op = "accept" if name == "accept4" else name
    return (op, fam, addr, norm_port(port))


# ---------------------------------------------------------------------------
# warden side.

def warden_items(db):
    con = sqlite3.connect(db)
    run = con.execute("SELECT max(id) FROM runs").fetchone()[0]
    files, execs, nets, per_call, ops = Counter(), Counter(), Counter(), Counter(), Counter()
    byexe = Counter()
    accepted = Counter()
    # warden starts CMD with execvp in the forked child, after the filter is
    # loaded: its failed PATH-search attempts are recorded; strace searches
    # PATH itself and execs the found file. Those attempts (failed execve of
    # the first process before its first successful exec) are set aside.
    root = con.execute("SELECT pid FROM processes WHERE run_id=? ORDER BY id LIMIT 1",
                       (run,)).fetchone()[0]
    first_exec = con.execute(
        "SELECT min(ts_ns) FROM exec_events WHERE run_id=? AND pid=? AND result=0",
        (run, root)).fetchone()[0] or 0

    def launcher(pid, ts, sc, result):
        return pid == root and ts < first_exec and sc == "execve" and result is not None \
            and result < 0

    def status(result, err):
        if result is None:
            return "?"
        return errname(err) if err else "ok"

    for pid, ts, sc, named, found, path2, op, result, err, exe in con.execute(
            # strace prints the name the program wrote; warden's path is the
            # file found, and `named` that name when it differs.
            "SELECT pid, ts_ns, syscall, named, path, path2, op, result, errno, exe "
            "FROM file_events WHERE run_id=?", (run,)):
        # The name, except through a magic link (/proc/self/fd/N, /dev/fd/N,
        # .../cwd, exe, root): the strace side is rewritten to the file
        # found there (Strace.proc_link), which is warden's path.
        path = named if named is not None and not re.match(PROC_LINK, named) else found
        if launcher(pid, ts, sc, result):
            accepted[("warden's launcher: execvp PATH search of CMD (file_events)",)] += 1
            continue
        st = status(result, err)
        files[(norm_path(path), st)] += 1
        ops[(norm_path(path), op, st)] += 1
        # Before its first exec the first process is warden's forked
        # launcher; strace has no name for it either.
        byexe[("?" if pid == root and ts <= first_exec else exe or "?", norm_path(path), st)] += 1
        if path2 is not None and not sc.startswith("symlink"):
            files[(norm_path(path2), st)] += 1
    for pid, ts, path, argv, result, err in con.execute(
            "SELECT e.pid, e.ts_ns, coalesce((SELECT f.named FROM file_events f WHERE "
            "f.run_id = e.run_id AND f.pid = e.pid AND f.ts_ns = e.ts_ns AND f.op = 'exec' "
            "LIMIT 1), e.path), e.argv, e.result, e.errno FROM exec_events e WHERE e.run_id=?",
            (run,)):
        if launcher(pid, ts, "execve", result):
            accepted[("warden's launcher: execvp PATH search of CMD (exec_events)",)] += 1
            continue
        argv = [norm_path(a) for a in json.loads(argv)]
        execs[(norm_path(path), json.dumps(argv), status(result, err))] += 1
    for sc, fam, addr, port, result, err in con.execute(
            "SELECT syscall, family, address, port, result, errno FROM net_events WHERE run_id=?",
            (run,)):
        if sc not in NET_CALLS and sc not in ("listen", "sendmsg", "recvmsg"):
            continue
        if not fam or (addr in (None, "") and port in (None, 0) and sc != "bind"):
            continue  # no address: a connected send/recv
        if fam not in ("AF_INET", "AF_INET6", "AF_UNIX", "AF_NETLINK"):
            addr, port = "", None
        if fam in ("AF_UNIX", "AF_NETLINK"):
            port = None
        op = "accept" if sc == "accept4" else sc
        nets[(op, fam, addr or "", norm_port(port), status(result, err))] += 1
    for pid, ts, name, result in con.execute(
            "SELECT pid, ts_ns, name, result FROM syscall_events WHERE run_id=?", (run,)):
        if not launcher(pid, ts, name, result):
            per_call[name] += 1
    procs, threads = con.execute(
        "SELECT count(*) - coalesce(sum(is_thread), 0), coalesce(sum(is_thread), 0) "
        "FROM processes WHERE run_id=?", (run,)).fetchone()
    return {"file": files, "exec": execs, "net": nets, "op": ops, "exe": byexe, "procs": procs,
            "threads": threads, "calls": per_call, "accepted": accepted}


# ---------------------------------------------------------------------------

def compare(args):
    s = strace_items(args.strace, args.cwd)
    w = warden_items(args.db)
    result = {"name": args.name, "command": args.command or ""}
    lines = ["# %s: %s" % (args.name, args.command or "")]
    for kind in ("file", "exec", "net", "op", "exe"):
        ss, ws = set(s[kind]), set(w[kind])
        only_s, only_w = sorted(ss - ws, key=str), sorted(ws - ss, key=str)
        # Items both saw, but not as many times (a call recorded twice or
        # once too few): the sets alone would hide it.
        recount = sorted((it for it in ss & ws if s[kind][it] != w[kind][it]), key=str)
        result[kind] = {"matched": len(ss & ws), "only_strace": len(only_s),
                        "only_warden": len(only_w), "count_differs": len(recount)}
        lines.append("## %s: matched %d, only strace %d, only warden %d, "
                     "matched with another count %d" %
                     (kind, len(ss & ws), len(only_s), len(only_w), len(recount)))
        for it in only_s:
            lines.append("  strace-only x%d %s" % (s[kind][it], it))
        for it in only_w:
            lines.append("  warden-only x%d %s" % (w[kind][it], it))
        for it in recount:
            lines.append("  count strace %d warden %d %s" % (s[kind][it], w[kind][it], it))
    result["procs"] = {"strace": [s["procs"], s["threads"]], "warden": [w["procs"], w["threads"]]}
    lines.append("## processes+threads: strace %d+%d, warden %d+%d" %
                 (s["procs"], s["threads"], w["procs"], w["threads"]))
    diff = {}
    for name in sorted(set(s["calls"])):
        if name.startswith("syscall_0x"):
            continue  # newer than this strace: it has no name, warden has
        if s["calls"][name] != w["calls"].get(name, 0):
            diff[name] = [s["calls"][name], w["calls"].get(name, 0)]
    result["calls_differ"] = diff
    lines.append("## calls per syscall name where the counts differ (strace, warden): %s" %
                 json.dumps(diff))
    lines.append("## successful opens of a path with '..' where the lexical path is not the "
                 "file opened (warden(1) BUGS): %d" % len(s["lexical_differs"]))
    for raw, lex, real in s["lexical_differs"]:
        lines.append("  %r -> recorded %s, opened %s" % (raw, lex, real))
    result["lexical_differs"] = len(s["lexical_differs"])
    lines.append("## set aside: known, accepted differences (not in the sets above):")
    for side, acc in (("strace", s["accepted"]), ("warden", w["accepted"])):
        for (reason,), n in sorted(acc.items()):
            lines.append("  %s x%d %s" % (side, n, reason))
    result["accepted"] = {"strace": sum(s["accepted"].values()),
                          "warden": sum(w["accepted"].values())}
    text = "\n".join(lines) + "\n"
    if args.details:
        with open(args.details, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f)
    return 0


def table(args):
    print("| workload | file: matched / only strace / only warden | exec | net "
          "| processes+threads strace / warden | other differences | set aside strace / warden |")
    print("|---|---|---|---|---|---|---|")
    for path in args.results:
        r = json.load(open(path))
        cells = []
        for kind in ("file", "exec", "net"):
            k = r[kind]
            cells.append("%d / %d / %d" % (k["matched"], k["only_strace"], k["only_warden"]))
        p = r["procs"]
        cells.append("%d+%d / %d+%d" % (p["strace"][0], p["strace"][1], p["warden"][0],
                                        p["warden"][1]))
        # Items matched with another count, the op and exe sets, and the
        # per-syscall call counts: 0 when warden saw exactly what strace saw.
        other = sum(r[k]["count_differs"] for k in ("file", "exec", "net"))
        other += sum(r[k]["only_strace"] + r[k]["only_warden"] + r[k]["count_differs"]
                     for k in ("op", "exe"))
        other += len(r["calls_differ"])
        cells.append(str(other))
        cells.append("%d / %d" % (r["accepted"]["strace"], r["accepted"]["warden"]))
        print("| `%s` | %s |" % (r["name"], " | ".join(cells)))
    return 0


def dump_strace(args):
    s = strace_items(args.strace, args.cwd)
    for kind in ("file", "exec", "net"):
        for it, n in sorted(s[kind].items(), key=str):
            print(kind, n, it)
    print("procs", s["procs"], "threads", s["threads"])
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--name", required=True)
    c.add_argument("--command")
    c.add_argument("--strace", required=True)
    c.add_argument("--db", required=True)
    c.add_argument("--cwd", required=True)
    c.add_argument("--details")
    c.add_argument("--json")
    t = sub.add_parser("table")
    t.add_argument("results", nargs="+")
    d = sub.add_parser("strace")
    d.add_argument("strace")
    d.add_argument("--cwd", required=True)
    a = ap.parse_args()
    return {"compare": compare, "table": table, "strace": dump_strace}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
