# switchd

# The datapath: packets, port drivers, parsing, offloads, the learning
# switch and its forwarding threads.  Port drivers add their files to the
# second list.
noinst_LIBRARIES += switchd/libdatapath.a
switchd_libdatapath_a_SOURCES = \
	switchd/packet.c switchd/packet.h \
	switchd/netdev.c switchd/netdev.h \
	switchd/netdev-dummy.c switchd/netdev-dummy.h \
	switchd/flow.c switchd/flow.h \
	switchd/csum.c switchd/csum.h \
	switchd/gso.c switchd/gso.h \
	switchd/fdb.c switchd/fdb.h \
	switchd/vlan.c switchd/vlan.h \
	switchd/bond.c switchd/bond.h \
	switchd/dp.c switchd/dp.h
switchd_libdatapath_a_SOURCES += \
	switchd/netdev-tap.c switchd/netdev-tap.h \
	switchd/netdev-afxdp.c switchd/netdev-afxdp.h \
	switchd/netdev-afpacket.c switchd/netdev-afpacket.h

# xsw-switchd, the daemon: reconciliation (bridge.c) and state write-back
# (iface-state.c) around the datapath.
sbin_PROGRAMS += switchd/xsw-switchd
switchd_xsw_switchd_SOURCES = \
	switchd/main.c \
	switchd/bridge.c switchd/bridge.h \
	switchd/fail-mode.c switchd/fail-mode.h \
	switchd/iface-state.c switchd/iface-state.h \
	switchd/report.c switchd/report.h \
	switchd/switch-metrics.c switchd/switch-metrics.h
switchd_xsw_switchd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/switchd
switchd_xsw_switchd_LDADD = switchd/libdatapath.a $(XSW_LIBS) \
	$(LIBXDP_LIBS) $(LIBBPF_LIBS)
dist_man_MANS += switchd/xsw-switchd.8
