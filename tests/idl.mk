# tests: idl
