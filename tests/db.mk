# tests: db
