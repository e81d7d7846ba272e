# tests: fault
