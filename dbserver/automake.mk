# dbserver
# libdbserver: xsw-dbserver's database engine, linked by the server and by
# the unit tests.  Each module adds its own sources below.
noinst_LIBRARIES += dbserver/libdbserver.a
dbserver_libdbserver_a_SOURCES = \
	dbserver/db.c dbserver/db.h \
	dbserver/transact.c dbserver/transact.h
# SQLite storage (storage work).
dbserver_libdbserver_a_SOURCES += dbserver/storage.c dbserver/storage.h
# Monitors (monitor work).
dbserver_libdbserver_a_SOURCES += dbserver/monitor.c dbserver/monitor.h

# xsw-dbserver: the program (owned by the lead).
sbin_PROGRAMS += dbserver/xsw-dbserver
dbserver_xsw_dbserver_SOURCES = \
	dbserver/main.c \
	dbserver/server.c dbserver/server.h
nodist_dbserver_xsw_dbserver_SOURCES = dbserver/vswitch-schema.c
dbserver_xsw_dbserver_LDADD = dbserver/libdbserver.a $(XSW_LIBS) \
	$(SQLITE3_LIBS)
# The Open_vSwitch schema is compiled in, so that the default database can
# be created wherever the binary runs.
dbserver/vswitch-schema.c: schema/vswitch.ovsschema
	$(AM_V_GEN){ echo '/* Generated from schema/vswitch.ovsschema. */'; \
	  echo 'const char xsw_vswitch_schema[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $<; \
	  echo '    ;'; } > $@.tmp && mv $@.tmp $@
CLEANFILES += dbserver/vswitch-schema.c
