"""The Python IDL of Open vSwitch 3.1 (ovs.db.idl) against xsw-dbserver:
it reads, writes, and sees another client's change."""
import time

import ovs.db.idl

from xswenv import (DbServer, Checks, run, VSWITCH_SCHEMA,
                    idl_run_until)


def make_idl(remote, tables=None):
    helper = ovs.db.idl.SchemaHelper(VSWITCH_SCHEMA)
    if tables:
        for t in tables:
            helper.register_table(t)
    else:
        helper.register_all()
    idl = ovs.db.idl.Idl(remote, helper)
    return idl


def commit(idl, fn):
    """Runs fn(txn) in a transaction and commits it, returning the
    status."""
    txn = ovs.db.idl.Transaction(idl)
    fn(txn)
    return txn.commit_block(), txn


def test_idl(c):
    with DbServer() as db:
        db.vsctl("init", "--", "add-br", "br0")
        idl = make_idl(db.remote)
        c.ok(idl_run_until(idl, lambda: idl.has_ever_connected()
                           and any(r.name == "br0" for r in
                               idl.tables["Bridge"].rows.values())),
             "the IDL connects and reads bridge br0")

        def add_bridge(txn):
            ovs_row = next(iter(idl.tables["Open_vSwitch"].rows.values()))
            br = txn.insert(idl.tables["Bridge"])
            br.name = "br-idl"
            br.external_ids = {"made-by": "python-idl"}
            ovs_row.addvalue("bridges", br.uuid)

        status, txn = commit(idl, add_bridge)
        c.eq(status, ovs.db.idl.Transaction.SUCCESS,
             "an IDL transaction inserting a bridge commits")
        out = db.vsctl("--columns=external_ids", "list", "Bridge", "br-idl")
        c.ok("made-by" in out and "python-idl" in out,
             "ovs-vsctl sees the IDL's bridge", out)

        # Another client's change reaches the IDL through its monitor.
        db.vsctl("br-set-external-id", "br0", "seen", "yes")
        c.ok(idl_run_until(idl, lambda: any(
            r.name == "br0" and r.external_ids.get("seen") == "yes"
            for r in idl.tables["Bridge"].rows.values())),
            "the IDL sees another client's change")

        # A verify that fails makes the IDL retry, as ovs-vsctl relies on.
        def rename(txn):
            br = next(r for r in idl.tables["Bridge"].rows.values()
                      if r.name == "br0")
            br.verify("external_ids")
            db.vsctl("br-set-external-id", "br0", "race", "1")
            br.external_ids = {"overwritten": "1"}

        status, txn = commit(idl, rename)
        c.eq(status, ovs.db.idl.Transaction.TRY_AGAIN,
             "a transaction whose verify fails is told to try again")
        idl.close()


def bridge_names(idl):
    return sorted(r.name for r in idl.tables["Bridge"].rows.values())


def test_reconnect(c):
    for peer in ("ovs", "xsw"):
        with DbServer(peer=peer) as db:
            db.vsctl("init", "--", "add-br", "br0")
            idl = make_idl(db.remote, tables=["Open_vSwitch", "Bridge"])
            # Without its first sync asserted, this case passed when the
            # IDL first connected only after the restart.
            c.ok(idl_run_until(idl, lambda: idl.has_ever_connected()
                               and bridge_names(idl) == ["br0"]),
                 "%s: the IDL's first sync has br0" % peer)
            session = idl._session      # What reconnects, in ovs.db.idl.
            seqno = session.get_seqno()
            db.stop()
            db.start()
            db.vsctl("add-br", "br1")
            c.ok(idl_run_until(idl,
                               lambda: bridge_names(idl) == ["br0", "br1"]),
                 "%s: after a server restart the IDL reconnects and catches "
                 "up" % peer, "it has %s" % bridge_names(idl))
            # A jsonrpc session's seqno moves on each connect and
            # disconnect: at least a disconnect and a connect happened.
            c.ok(session.get_seqno() >= seqno + 2,
                 "%s: the IDL lost its connection and made a new one" % peer,
                 "session seqno %d, then %d" % (seqno, session.get_seqno()))
            idl.close()


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_idl)
    checks.run(test_reconnect)
    checks.finish()
