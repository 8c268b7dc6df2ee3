// placeholder until the seccomp library lands
