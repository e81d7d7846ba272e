# tests: server
