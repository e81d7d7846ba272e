# tests: system
