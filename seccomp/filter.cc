#include "seccomp/filter.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "fmt/format.h"

namespace warden::seccomp {
namespace {

using Ctx = std::unique_ptr<void, Filter::CtxDeleter>;

absl::Status Check(int rc, std::string_view what) {
  if (rc == 0) return absl::OkStatus();
  return absl::InternalError(fmt::format("seccomp: {}: {}", what, strerror(-rc)));
}

std::vector<scmp_arg_cmp> Comparisons(const std::vector<ArgCondition>& conditions) {
  std::vector<scmp_arg_cmp> cmps;
  for (const auto& c : conditions)
    cmps.push_back(c.not_equal ? SCMP_CMP64(static_cast<unsigned>(c.index), SCMP_CMP_NE, c.value)
                               : SCMP_CMP64(static_cast<unsigned>(c.index), SCMP_CMP_MASKED_EQ, c.mask, c.value));
  return cmps;
}

absl::Status AddTrace(void* ctx, const TraceRule& r) {
  auto cmps = Comparisons(r.conditions);
  int rc = seccomp_rule_add_exact_array(ctx, SCMP_ACT_TRACE(kTraceWatched), r.nr,
                                        cmps.size(), cmps.data());
  return Check(rc, fmt::format("trace rule for syscall {}", r.nr));
}

absl::Status AddDeny(void* ctx, const DenyRule& d) {
  auto cmps = Comparisons(d.conditions);
  int rc = seccomp_rule_add_exact_array(ctx, SCMP_ACT_ERRNO(d.errno_value), d.nr, cmps.size(),
                                        cmps.data());
  return Check(rc, fmt::format("deny rule for syscall {}", d.nr));
}

// libseccomp 2.5 exports only to a file descriptor: a memfd, which needs
// no writable filesystem (a container with a read-only root, no /tmp).
// The bytes written, or nullopt.
std::optional<std::string> ExportVia(void* ctx, int (*exporter)(const scmp_filter_ctx, int)) {
  int fd = memfd_create("warden-seccomp", MFD_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> out;
  if (exporter(ctx, fd) == 0 && lseek(fd, 0, SEEK_SET) == 0) {
    out.emplace();
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) out->append(buf, static_cast<size_t>(n));
    if (n < 0) out.reset();
  }
  close(fd);
  return out;
}

// Reads the filter back from libseccomp as BPF bytes.
absl::StatusOr<std::vector<unsigned char>> ExportBpf(void* ctx) {
  auto bytes = ExportVia(ctx, seccomp_export_bpf);
  if (!bytes) return absl::InternalError(fmt::format("seccomp: cannot export the filter: {}", strerror(errno)));
  return std::vector<unsigned char>(bytes->begin(), bytes->end());
}

// The deny filter: x86_64 only; other arches pass through it (ALLOW) to the
// trace filter's bad-arch TRACE, so i386 calls are judged by the tracer.
absl::StatusOr<std::vector<unsigned char>> BuildDenyFilter(const std::vector<DenyRule>& rules) {
  if (rules.empty()) return std::vector<unsigned char>{};
  Ctx ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return absl::InternalError("seccomp: seccomp_init failed");
  if (auto s = Check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW),
                     "badarch");
      !s.ok())
    return s;
  for (const auto& d : rules)
    if (auto s = AddDeny(ctx.get(), d); !s.ok()) return s;
  return ExportBpf(ctx.get());
}

std::string ExportPfc(void* ctx) { return ExportVia(ctx, seccomp_export_pfc).value_or(""); }

}  // namespace

absl::StatusOr<Filter> Filter::Build(const FilterSpec& spec) {
  Ctx ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return absl::InternalError("seccomp: seccomp_init failed");
  // Only the native x86_64 arch is in the filter. Any other arch (i386 via
  // int $0x80) and x32 numbers (libseccomp checks the x32 bit for x86_64)
  // take the bad-arch action: a trace stop tagged kTraceForeignArch, so the
  // tracer decodes them with the i386 table (or kills x32) -- never unseen.
  if (auto s = Check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH,
                                      SCMP_ACT_TRACE(kTraceForeignArch)), "badarch");
      !s.ok())
    return s;
  for (const auto& r : spec.trace)
    if (auto s = AddTrace(ctx.get(), r); !s.ok()) return s;
  Filter f;
  auto bpf = ExportBpf(ctx.get());
  if (!bpf.ok()) return bpf.status();
  auto deny = BuildDenyFilter(spec.deny);
  if (!deny.ok()) return deny.status();
  f.bpf_ = std::move(*bpf);
  f.deny_bpf_ = std::move(*deny);
  f.ctx_ = std::move(ctx);
  return f;
}

Filter::Filter(Filter&&) noexcept = default;
Filter& Filter::operator=(Filter&&) noexcept = default;
Filter::~Filter() = default;

namespace {

int LoadOne(const std::vector<unsigned char>& bpf) {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(bpf.size() / sizeof(sock_filter));
  prog.filter = reinterpret_cast<sock_filter*>(const_cast<unsigned char*>(bpf.data()));
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0) return 0;
  if (errno != EACCES) return -errno;
  // Without CAP_SYS_ADMIN the kernel requires no_new_privs.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0) return 0;
  return -errno;
}

}  // namespace

int Filter::Load() const {
  if (int rc = LoadOne(bpf_); rc != 0) return rc;
  return deny_bpf_.empty() ? 0 : LoadOne(deny_bpf_);
}

std::string Filter::Pfc() const { return ExportPfc(ctx_.get()); }

void Filter::CtxDeleter::operator()(void* ctx) const { seccomp_release(ctx); }

}  // namespace warden::seccomp
