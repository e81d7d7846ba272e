# systemd: the units that start xsw-dbserver and xsw-switchd (configure
# --with-systemdsystemunitdir).  The units name the installed programs and
# schema, so they are made from templates with this build's directories.
systemdsystemunit_DATA = systemd/xsw-dbserver.service \
	systemd/xsw-switchd.service
EXTRA_DIST += systemd/xsw-dbserver.service.in \
	systemd/xsw-switchd.service.in
CLEANFILES += $(systemdsystemunit_DATA)

# As autoconf's manual says to do for installation directories: in make,
# not configure, so that "make prefix=..." is honoured.
edit_unit = sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@bindir[@]|$(bindir)|g' -e 's|@pkgdatadir[@]|$(pkgdatadir)|g'
systemd/xsw-dbserver.service: systemd/xsw-dbserver.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(edit_unit) \
	  $(srcdir)/systemd/xsw-dbserver.service.in >$@.tmp && mv $@.tmp $@
systemd/xsw-switchd.service: systemd/xsw-switchd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(edit_unit) \
	  $(srcdir)/systemd/xsw-switchd.service.in >$@.tmp && mv $@.tmp $@
