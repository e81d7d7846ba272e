# cni: xsw-cni, the CNI plugin that attaches containers to xsw bridges
# through internal ports.  Installed where Debian's container runtimes look
# for CNI plugins.
cnidir = $(prefix)/lib/cni
cni_PROGRAMS = cni/xsw-cni
cni_xsw_cni_SOURCES = cni/xsw-cni.c
cni_xsw_cni_LDADD = $(XSW_LIBS)
