# tests: switchd-daemon
