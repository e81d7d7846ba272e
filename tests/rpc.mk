# tests: rpc
