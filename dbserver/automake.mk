# dbserver
# libdbserver: xsw-dbserver's database engine, linked by the server and by
# the unit tests.  Each module adds its own sources below.
noinst_LIBRARIES += dbserver/libdbserver.a
dbserver_libdbserver_a_SOURCES = \
	dbserver/db.c dbserver/db.h \
	dbserver/transact.c dbserver/transact.h
# SQLite storage (storage work).
dbserver_libdbserver_a_SOURCES += dbserver/storage.c dbserver/storage.h
# The backends' interface (backend.h) and the SQLite backend.
dbserver_libdbserver_a_SOURCES += dbserver/backend.c dbserver/backend.h \
	dbserver/backend-sqlite.c
# The etcd backend (docs/storage-etcd.md), its client of etcd's JSON
# gateway, and transactions as JSON records (also read by ovs-file.c).
dbserver_libdbserver_a_SOURCES += dbserver/backend-etcd.c \
	dbserver/etcd-client.c dbserver/etcd-client.h \
	dbserver/etcd-lock.c dbserver/etcd-lock.h \
	dbserver/curl-dl.c dbserver/curl-dl.h \
	dbserver/txn-record.c dbserver/txn-record.h
# Schema conversion and whole-database files (convert work).
dbserver_libdbserver_a_SOURCES += dbserver/convert.c dbserver/convert.h
# Reading Open vSwitch's standalone database files (convert work).
dbserver_libdbserver_a_SOURCES += dbserver/ovs-file.c dbserver/ovs-file.h
# Monitors (monitor work).
dbserver_libdbserver_a_SOURCES += dbserver/monitor.c dbserver/monitor.h

# xsw-dbserver: the program (owned by the lead).
sbin_PROGRAMS += dbserver/xsw-dbserver
dbserver_xsw_dbserver_SOURCES = \
	dbserver/main.c \
	dbserver/server.c dbserver/server.h \
	dbserver/remotes.c dbserver/remotes.h
# (Not libcurl: the etcd backend loads it when used; see curl-dl.h.)
dbserver_xsw_dbserver_LDADD = dbserver/libdbserver.a $(XSW_LIBS) \
	$(SQLITE3_LIBS)
dist_man_MANS += dbserver/xsw-dbserver.8

# xsw-dbtool: ovsdb-tool's commands on xsw database files (convert work).
# It links the server's engine (libdbserver), not a copy of it.
bin_PROGRAMS += dbserver/xsw-dbtool
dbserver_xsw_dbtool_SOURCES = dbserver/dbtool.c
dbserver_xsw_dbtool_LDADD = dbserver/libdbserver.a $(XSW_LIBS) \
	$(SQLITE3_LIBS)
dist_man_MANS += dbserver/xsw-dbtool.8
