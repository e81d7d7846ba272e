"""The Python IDL of Open vSwitch 3.1 (ovs.db.idl) against xsw-dbserver:
it reads, writes, and sees another client's change."""
import time

import ovs.db.idl
import ovs.poller

from xswenv import DbServer, Checks, run, VSWITCH_SCHEMA


def make_idl(remote, tables=None):
    helper = ovs.db.idl.SchemaHelper(VSWITCH_SCHEMA)
    if tables:
        for t in tables:
            helper.register_table(t)
    else:
        helper.register_all()
    idl = ovs.db.idl.Idl(remote, helper)
    return idl


def run_until(idl, cond, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        idl.run()
        if cond():
            return True
        poller = ovs.poller.Poller()
        idl.wait(poller)
        poller.timer_wait(100)
        poller.block()
    return False


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
        c.ok(run_until(idl, lambda: idl.has_ever_connected()
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
        c.ok(run_until(idl, lambda: any(
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


def test_reconnect(c):
    with DbServer() as db:
        db.vsctl("init", "--", "add-br", "br0")
        idl = make_idl(db.remote, tables=["Open_vSwitch", "Bridge"])
        run_until(idl, lambda: len(idl.tables["Bridge"].rows) == 1)
        db.stop()
        db.start()
        db.vsctl("add-br", "br1")
        c.ok(run_until(idl, lambda: sorted(
            r.name for r in idl.tables["Bridge"].rows.values())
            == ["br0", "br1"], timeout=20),
            "after a server restart the IDL reconnects and catches up")
        idl.close()


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_idl)
    checks.run(test_reconnect)
    checks.finish()
