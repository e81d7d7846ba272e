# libxsw: code that xsw-dbserver, xsw-switchd and xsw-ctl share.
noinst_LIBRARIES += lib/libxsw.a
lib_libxsw_a_SOURCES = \
	lib/ds.c lib/ds.h \
	lib/hash.c lib/hash.h \
	lib/hmap.c lib/hmap.h \
	lib/list.h \
	lib/shash.c lib/shash.h \
	lib/utf8.c lib/utf8.h \
	lib/timeval.h \
	lib/util.c lib/util.h \
	lib/uuid.c lib/uuid.h
# Data model (owned by the data-model work): add its sources here.
lib_libxsw_a_SOURCES += \
	lib/ovsdb-error.c lib/ovsdb-error.h \
	lib/ovsdb-types.c lib/ovsdb-types.h \
	lib/ovsdb-data.c lib/ovsdb-data.h \
	lib/ovsdb-schema.c lib/ovsdb-schema.h \
	lib/ovsdb-condition.c lib/ovsdb-condition.h \
	lib/ovsdb-mutation.c lib/ovsdb-mutation.h
# JSON-RPC, streams, logging, unixctl (owned by the rpc work): add here.
lib_libxsw_a_SOURCES += \
	lib/daemon.c lib/daemon.h \
	lib/idl.c lib/idl.h lib/idl-private.h lib/idl-txn.c \
	lib/json-in.c lib/json-in.h \
	lib/json-out.c lib/json-out.h \
	lib/jsonrpc.c lib/jsonrpc.h \
	lib/jsonrpc-client.c lib/jsonrpc-client.h \
	lib/stream.c lib/stream.h \
	lib/unixctl.c lib/unixctl.h \
	lib/vlog.c lib/vlog.h
# Network namespaces and rtnetlink: xsw-switchd's internal ports and
# xsw-cni's containers.
lib_libxsw_a_SOURCES += \
	lib/netns.c lib/netns.h \
	lib/rtnl.c lib/rtnl.h
# Event counters for coverage/show.
lib_libxsw_a_SOURCES += lib/coverage.c lib/coverage.h

# The Open_vSwitch schema, compiled in (see vswitch-schema.h).
lib_libxsw_a_SOURCES += lib/vswitch-schema.h
nodist_lib_libxsw_a_SOURCES = lib/vswitch-schema.c
lib/vswitch-schema.c: schema/vswitch.ovsschema
	$(AM_V_GEN){ echo '/* Generated from schema/vswitch.ovsschema. */'; \
	  echo '#include "vswitch-schema.h"'; \
	  echo 'const char xsw_vswitch_schema[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $<; \
	  echo '    ;'; } > $@.tmp && mv $@.tmp $@
CLEANFILES += lib/vswitch-schema.c

# Everything a program needs to link against libxsw.
# (Neither OpenSSL nor libsystemd: both are loaded only when used; see
# lib/openssl-dl.h and daemonize_complete() in lib/daemon.c.)
XSW_LIBS = lib/libxsw.a $(JANSSON_LIBS) $(LIBUV_LIBS)
# TLS (ssl:, pssl:).  No program links OpenSSL: openssl-dl.c loads it when
# TLS or an Open vSwitch file import first needs it (openssl-dl.h says why).
lib_libxsw_a_SOURCES += lib/tls.c lib/tls.h \
	lib/openssl-dl.c lib/openssl-dl.h \
	lib/dl-table.c lib/dl-table.h
# Prometheus metrics over HTTP (--metrics on the daemons).
lib_libxsw_a_SOURCES += lib/metrics.c lib/metrics.h
