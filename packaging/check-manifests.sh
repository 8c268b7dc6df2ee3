#!/usr/bin/env bash
# Lints the Kubernetes manifests in examples/kubernetes (no cluster here):
# yamllint (Debian's package, installed when missing) for the YAML, then the
# claims the manifests make, checked on every container of every document:
# non-root, no privilege escalation, every capability dropped, the runtime's
# default seccomp profile, warden's database on a volume. The same settings
# are run for real by packaging/container-test.sh (case no-caps).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v yamllint >/dev/null; then
  echo "check-manifests: installing yamllint" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq yamllint >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq yamllint >/dev/null; }
fi
yamllint -s -d '{extends: default, rules: {line-length: {max: 110}, document-start: disable}}' \
  "$root"/examples/kubernetes/*.yaml
python3 - "$root"/examples/kubernetes/*.yaml <<'PY'
import sys, yaml
bad = []
for path in sys.argv[1:]:
    for doc in yaml.safe_load_all(open(path)):
        kind = doc.get("kind")
        spec = doc["spec"]["template"]["spec"] if kind == "Deployment" else doc["spec"]
        if kind == "Deployment" and doc["spec"]["selector"]["matchLabels"].items() - \
                doc["spec"]["template"]["metadata"]["labels"].items():
            bad.append(f"{path}: the selector does not match the template's labels")
        pod = spec.get("securityContext", {})
        if pod.get("runAsNonRoot") is not True or not pod.get("runAsUser"):
            bad.append(f"{path}: the pod may run as root")
        if pod.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            bad.append(f"{path}: no RuntimeDefault seccomp profile")
        volumes = {v["name"] for v in spec.get("volumes", [])}
        for c in spec["containers"]:
            sc = c.get("securityContext", {})
            name = f"{path}: container {c['name']}"
            if sc.get("allowPrivilegeEscalation") is not False:
                bad.append(f"{name}: privilege escalation allowed")
            if sc.get("capabilities", {}).get("drop") != ["ALL"] or sc.get("capabilities", {}).get("add"):
                bad.append(f"{name}: capabilities not all dropped")
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            if mounts.get("/var/lib/warden") not in volumes:
                bad.append(f"{name}: /var/lib/warden is not on a volume")
            if not c["image"].endswith("-stub"):
                bad.append(f"{name}: the image is not a warden stub")
for b in bad:
    print("check-manifests:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
echo "check-manifests: examples/kubernetes OK" >&2
