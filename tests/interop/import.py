"""xsw-dbserver --import: an Open vSwitch database file, as ovsdb-server
wrote it while ovs-vsctl configured bridges, ports, VLANs (tag, trunks,
vlan_mode) and external_ids, then changed and deleted some (diff records,
deleted rows), becomes an xsw database whose `ovsdb-client dump` and
`ovs-vsctl show` equal ovsdb-server's on the original file, UUIDs
included.  Also the compacted form (ovsdb-tool compact), a torn last
record, a damaged record, a clustered file and an existing target."""
import os
import shutil
import subprocess

from xswenv import DbServer, Checks, run, XSW_DBSERVER, VSWITCH_SCHEMA


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

        # Not an OVSDB file at all.
        p = import_file(VSWITCH_SCHEMA, out5)
        c.ok(p.returncode != 0 and "record header" in p.stderr,
             "a file that is not a database is refused", p.stderr)


def main():
    c = Checks()
    c.run(test_import)
    c.finish()


if __name__ == "__main__":
    main()
