# tests: interop
