// warden run --reload: watches the policy file and hands each new version
// to a callback, from a thread of its own. inotify on the file's directory
// (editors replace files by rename, which a watch on the file would miss);
// warden's own signals are forwarded to the program, so none is used here.
#ifndef WARDEN_SUPERVISOR_POLICY_RELOADER_H_
#define WARDEN_SUPERVISOR_POLICY_RELOADER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace warden::supervisor {

class PolicyReloader {
 public:
  // Called with the file's new content each time it changes (not when it
  // is rewritten unchanged), on the reloader's thread.
  using OnChange = std::function<void(const std::string& content)>;

  static absl::StatusOr<std::unique_ptr<PolicyReloader>> Start(const std::string& path,
                                                               std::string initial_content,
                                                               OnChange on_change);
  ~PolicyReloader();  // stops and joins the thread

 private:
  PolicyReloader() = default;
  void Loop();

  std::string path_, name_, content_;
  OnChange on_change_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: wakes the thread to stop
  std::thread thread_;
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_POLICY_RELOADER_H_
