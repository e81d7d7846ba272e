# tests: monitor
