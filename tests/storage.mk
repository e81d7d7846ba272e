# tests: storage
