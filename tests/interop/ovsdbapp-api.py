"""ovsdbapp's Open_vSwitch API (python3-ovsdbapp, as OpenStack uses it)
against xsw-dbserver: add_br, add_port, db_set, db_find, in one
transaction and in several.

ovsdbapp increments Open_vSwitch.next_cfg on every transaction and waits
until a switch daemon reports cur_cfg >= next_cfg.  This test is about the
database server, so a small stand-in plays that daemon's part: a separate
IDL client that copies next_cfg to cur_cfg (xsw-switchd's own behaviour is
tested by the system tests)."""
import sys

from ovsdbapp.backend.ovs_idl import connection
from ovsdbapp.schema.open_vswitch import impl_idl

from xswenv import DbServer, Checks, CurCfgFollower

sys.path.insert(0, __file__.rsplit("/", 1)[0])


def test_ovsdbapp(c):
    with DbServer() as db:
        db.vsctl("init")
        follower = CurCfgFollower(db.remote)
        follower.start()
        try:
            idl = connection.OvsdbIdl.from_server(db.remote, "Open_vSwitch")
            conn = connection.Connection(idl=idl, timeout=20)
            api = impl_idl.OvsdbIdl(conn)

            with api.transaction(check_error=True) as txn:
                txn.add(api.add_br("br-int"))
                txn.add(api.add_port("br-int", "tap1"))
                txn.add(api.db_set("Interface", "tap1",
                                   ("type", "internal"),
                                   ("external_ids", {"iface-id": "vm1"})))
                txn.add(api.db_set("Port", "tap1", ("tag", 1000)))
            c.eq(sorted(api.list_br().execute(check_error=True)),
                 ["br-int"], "add_br in one transaction: list_br shows it")
            c.eq(api.list_ports("br-int").execute(check_error=True),
                 ["tap1"], "add_port in the same transaction")
            rows = api.db_find("Interface",
                               ("external_ids", "=", {"iface-id": "vm1"}),
                               columns=["name", "type"]).execute(
                                   check_error=True)
            c.eq(rows, [{"name": "tap1", "type": "internal"}],
                 "db_find finds the interface by external_ids")
            c.eq(api.db_get("Port", "tap1", "tag").execute(check_error=True),
                 1000, "db_get reads the tag db_set wrote")

            api.add_port("br-int", "tap2", may_exist=True).execute(
                check_error=True)
            api.del_port("tap1").execute(check_error=True)
            c.eq(api.list_ports("br-int").execute(check_error=True),
                 ["tap2"], "add_port and del_port in separate transactions")
            out = db.vsctl("list-ports", "br-int")
            c.eq(out, "tap2\n", "ovs-vsctl sees what ovsdbapp wrote")
            conn.stop()
        finally:
            follower.stop()


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_ovsdbapp)
    checks.finish()
