# tests: packaging
# make install into a DESTDIR: the layout, the installed daemons started by
# their systemd units' command lines, systemd-analyze verify, the manual
# pages, the bash completion and logrotate.  (The .deb itself is built and
# installed by ./setup.sh package, which takes minutes.)
TESTS += tests/packaging/install.sh
EXTRA_DIST += tests/packaging/install.sh tests/packaging/deb.sh \
	tests/packaging/lib.sh
