# tests: data
