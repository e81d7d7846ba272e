# tests: switchd
