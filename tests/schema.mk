# tests: schema
