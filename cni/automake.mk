# cni: xsw-cni, the CNI plugin that attaches containers to xsw bridges
# through internal ports.  Installed where Debian's container runtimes look
# for CNI plugins (configure --with-cni-dir; /usr/lib/cni in the Debian
# package).
cni_PROGRAMS = cni/xsw-cni
cni_xsw_cni_SOURCES = cni/xsw-cni.c
cni_xsw_cni_LDADD = $(XSW_LIBS)
dist_man_MANS += cni/xsw-cni.8
