"""xsw-dbserver --import: an Open vSwitch database file, as ovsdb-server
wrote it while ovs-vsctl configured bridges, ports, VLANs (tag, trunks,
vlan_mode) and external_ids, then changed and deleted some (diff records,
deleted rows), becomes an xsw database whose `ovsdb-client dump` and
`ovs-vsctl show` equal ovsdb-server's on the original file, UUIDs
included.  Also the compacted form (ovsdb-tool compact), a torn last
record, a damaged record, a clustered file and an existing target; and
another schema: OVN's northbound database as ovn-nbctl built it."""
import os
import shutil
import subprocess

from xswenv import DbServer, Checks, run, XSW_DBSERVER, VSWITCH_SCHEMA

OVN_NB_SCHEMA = "/usr/share/ovn/ovn-nb.ovsschema"


def configure(db):
    v = db.vsctl
    v("init")
    v("add-br", "br0", "--", "set", "Bridge", "br0",
      "external_ids:owner=xt", "other_config:hwaddr=02:00:00:00:00:01")
    v("add-br", "br1")
    v("add-port", "br0", "p1", "tag=10", "--",
      "set", "Port", "p1", "external_ids:vm=xt-vm1")
    v("add-port", "br0", "p2", "trunks=10,20,30", "vlan_mode=trunk")
    v("add-port", "br0", "p3", "tag=5", "trunks=7,8",
      "vlan_mode=native-untagged")
    v("add-port", "br1", "p4", "--", "set", "Interface", "p4",
      "type=internal", "external_ids:iface-id=xt-4", "mtu_request=1400")
    v("add-port", "br1", "xt-gone")
    # Changes recorded as differences, and deletions.
    v("set", "Port", "p1", "tag=11")
    v("set", "Port", "p2", "trunks=20,30,40")
    v("remove", "Bridge", "br0", "external_ids", "owner")
    v("set", "Bridge", "br0", "external_ids:site=xt-lab")
    v("clear", "Port", "p3", "trunks")
    v("del-port", "br1", "xt-gone")
    v("add-br", "xt-br-tmp")
    v("del-br", "xt-br-tmp")


def views(db):
    return (db.client("dump", "@REMOTE", "Open_vSwitch"),
            db.vsctl("show"))


def serve_file(peer, path, remote_dir):
    """Serves copy 'path' with 'peer' (its schema comes from the file) and
    returns (dump, show)."""
    # DbServer creates its own file; replace it before starting.
    db = DbServer(peer=peer)
    db.__enter__()
    try:
        db.stop()
        shutil.copy(path, db.db)
        db.start()
        return views(db)
    finally:
        db.__exit__(None, None, None)


def import_file(src, dst):
    return subprocess.run([XSW_DBSERVER, "--import", src, dst],
                          capture_output=True, text=True)


def test_import(c):
    with DbServer(peer="ovs") as ovs:
        configure(ovs)
        want = views(ovs)
        ovs.stop()
        work = ovs.dir
        log_form = os.path.join(work, "xt-log.db")
        shutil.copy(ovs.db, log_form)
        c.ok(b'"_is_diff":true' in open(log_form, "rb").read()
             and b':null' in open(log_form, "rb").read(),
             "the Open vSwitch file holds diff records and deleted rows")

        # The log as ovsdb-server wrote it.
        out = os.path.join(work, "xt-imported.db")
        p = import_file(log_form, out)
        c.eq((p.returncode, p.stderr), (0, ""), "--import succeeds quietly")
        got = serve_file("xsw", out, work)
        c.eq(got[0], want[0], "ovsdb-client dump of the import equals "
             "ovsdb-server's, UUIDs included")
        c.eq(got[1], want[1], "ovs-vsctl show equals ovsdb-server's")

        # The compacted form.
        compact = os.path.join(work, "xt-compact.db")
        run(["ovsdb-tool", "compact", log_form, compact])
        out2 = os.path.join(work, "xt-imported2.db")
        p = import_file(compact, out2)
        c.eq(p.returncode, 0, "--import of a compacted file succeeds")
        c.eq(serve_file("xsw", out2, work)[0], want[0],
             "the compacted file imports to the same contents")

        # A last record cut short: ovsdb-server ignores it, so do we.
        torn = os.path.join(work, "xt-torn.db")
        shutil.copy(log_form, torn)
        with open(torn, "ab") as f:
            f.write(b'OVSDB JSON 300 0123456789012345678901234567890123456789'
                    b'\n{"Port":{')
        ovs_view = serve_file("ovs", torn, work)
        out3 = os.path.join(work, "xt-imported3.db")
        p = import_file(torn, out3)
        c.ok(p.returncode == 0 and "incomplete last record" in p.stderr,
             "a torn last record is ignored with a warning", p.stderr)
        c.eq(serve_file("xsw", out3, work)[0], ovs_view[0],
             "a torn file imports to what ovsdb-server serves from it")

        # A damaged record fails, and leaves nothing behind.
        bad = os.path.join(work, "xt-bad.db")
        data = bytearray(open(log_form, "rb").read())
        i = data.index(b"xt-vm1")
        data[i] = ord("X")
        open(bad, "wb").write(bytes(data))
        out4 = os.path.join(work, "xt-imported4.db")
        p = import_file(bad, out4)
        c.ok(p.returncode != 0 and "SHA-1" in p.stderr
             and not os.path.exists(out4),
             "a damaged record fails, naming the problem; no file is made",
             p.stderr)

        # An existing target is never overwritten.
        before = open(out, "rb").read()
        p = import_file(log_form, out)
        c.ok(p.returncode != 0 and "already exists" in p.stderr
             and open(out, "rb").read() == before,
             "--import refuses to overwrite an existing database", p.stderr)

        # A clustered database is refused with a way out.
        clustered = os.path.join(work, "xt-clustered.db")
        run(["ovsdb-tool", "create-cluster", clustered, VSWITCH_SCHEMA,
             "unix:" + os.path.join(work, "xt-raft.sock")])
        out5 = os.path.join(work, "xt-imported5.db")
        p = import_file(clustered, out5)
        c.ok(p.returncode != 0 and "clustered" in p.stderr
             and "cluster-to-standalone" in p.stderr
             and not os.path.exists(out5),
             "a clustered file is refused, saying what to do", p.stderr)

        # An Open vSwitch file handed to the server or the tool as is: they
        # say to import it.
        p = subprocess.run([XSW_DBSERVER, "--remote=punix:" + os.path.join(
            work, "xt-no.sock"), log_form], capture_output=True, text=True,
            timeout=30)
        c.ok(p.returncode != 0 and "--import" in p.stderr,
             "xsw-dbserver on an Open vSwitch file says to import it",
             p.stderr)
        p = subprocess.run([os.path.join(os.path.dirname(XSW_DBSERVER),
                                         "xsw-dbtool"), "db-version",
                            log_form], capture_output=True, text=True)
        c.ok(p.returncode == 1 and "--import" in p.stderr,
             "xsw-dbtool on an Open vSwitch file says to import it", p.stderr)

        # Not an OVSDB file at all.
        p = import_file(VSWITCH_SCHEMA, out5)
        c.ok(p.returncode != 0 and "record header" in p.stderr,
             "a file that is not a database is refused", p.stderr)


def test_ovn_nb(c):
    """OVN's northbound database, with switches, ports, ACLs, a router,
    NAT, a load balancer and a port group, some of them deleted again."""
    with DbServer(peer="ovs", schema=OVN_NB_SCHEMA) as ovs:
        nb = ["ovn-nbctl", "--db=" + ovs.remote, "--timeout=20"]
        for args in (["ls-add", "sw0"], ["lsp-add", "sw0", "p1"],
                     ["lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1"],
                     ["lsp-add", "sw0", "p2"],
                     ["acl-add", "sw0", "to-lport", "100",
                      "ip4.src==10.0.0.2", "drop"],
                     ["acl-add", "sw0", "from-lport", "200", "ip4", "allow"],
                     ["lr-add", "r0"],
                     ["lrp-add", "r0", "rp0", "00:00:00:00:01:01",
                      "10.0.0.254/24"],
                     ["lb-add", "lb0", "10.0.0.100:80", "10.0.0.1:80", "tcp"],
                     ["ls-lb-add", "sw0", "lb0"],
                     ["lr-nat-add", "r0", "snat", "172.16.0.1", "10.0.0.0/24"],
                     ["pg-add", "pg0", "p1", "p2"],
                     ["lsp-del", "p1"],
                     ["acl-del", "sw0", "to-lport", "100",
                      "ip4.src==10.0.0.2"]):
            run(nb + args)
        want = ovs.client("dump", "@REMOTE", "OVN_Northbound")
        want_show = run(nb + ["show"])[0]
        ovs.stop()
        out = os.path.join(ovs.dir, "xt-nb.db")
        p = import_file(ovs.db, out)
        c.eq((p.returncode, p.stderr), (0, ""), "--import of an OVN "
             "northbound file succeeds")
        db = DbServer(peer="xsw", schema=OVN_NB_SCHEMA)
        db.__enter__()
        try:
            db.stop()
            shutil.copy(out, db.db)
            db.start()
            got = db.client("dump", "@REMOTE", "OVN_Northbound")
            got_show = run(["ovn-nbctl", "--db=" + db.remote,
                            "--timeout=20", "show"])[0]
        finally:
            db.__exit__(None, None, None)
        c.eq(got, want, "ovsdb-client dump of the OVN import equals "
             "ovsdb-server's, UUIDs included")
        c.eq(got_show, want_show, "ovn-nbctl show equals ovsdb-server's")


def main():
    c = Checks()
    c.run(test_import)
    c.run(test_ovn_nb)
    c.finish()


if __name__ == "__main__":
    main()
