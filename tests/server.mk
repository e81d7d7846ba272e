# xsw-dbserver as a program: access control and input limits.
TESTS += tests/server/limits.py
TESTS += tests/server/unixctl.py
