# ctl: xsw-ctl, the vsctl-style command-line client.
bin_PROGRAMS += ctl/xsw-ctl
ctl_xsw_ctl_SOURCES = \
	ctl/main.c ctl/ctl.h \
	ctl/cmdline.c ctl/cmdline.h \
	ctl/db-cmds.c \
	ctl/table.c ctl/table.h
# The Open vSwitch commands (bridge/port/interface work).
ctl_xsw_ctl_SOURCES += ctl/vsctl-cmds.c
# "trace": the datapath's decision for a frame, asked of xsw-switchd.
ctl_xsw_ctl_SOURCES += ctl/trace.c
ctl_xsw_ctl_LDADD = $(XSW_LIBS)
dist_man_MANS += ctl/xsw-ctl.8
# bash-completion loads <dir>/xsw-ctl.bash when "xsw-ctl " is first
# completed (configure --with-bash-completion-dir).
dist_bashcomp_DATA = ctl/xsw-ctl.bash
