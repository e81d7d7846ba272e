# tests: ctl
