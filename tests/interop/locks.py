"""locks: "lock", "steal" and "unlock" (RFC 7047 4.1.8-4.1.10) as
ovsdb-server 3.1 queues them, with raw clients and with the Python IDL's
set_lock(), against both servers in one run.

ovsdb-server keeps a client whose lock was stolen in the lock's queue
(second, behind the thief) if it had asked with "lock": when the thief
unlocks, the victim is told "locked" again.  A victim that had itself
stolen the lock leaves the queue, but must still "unlock" before asking
again.  xsw used to drop every victim, so a Python IDL with set_lock()
stayed lockless until it reconnected.

Every client's messages are compared between the two servers.  To know
that a notification caused by another client has arrived, a client sends
"echo" and reads up to its reply: both servers queue the notification
before they answer the request that caused it, and a connection's messages
arrive in order.
"""
import time

import ovs.db.idl

import ovsdb_raw
from xswenv import DbServer, Checks, VSWITCH_SCHEMA, idl_run_until

LOCK = "xtlock"


class Client:
    """A raw session that records everything it receives, in order."""

    def __init__(self, db, name):
        self.name = name
        self.conn = ovsdb_raw.Connection(db.sock, timeout=20)
        self.seen = []

    def call(self, method, *params):
        """Sends a request; records every message up to and including its
        reply."""
        id_ = self.conn.request(method, list(params))
        while True:
            msg = self.conn.recv()
            if msg is None:
                self.seen.append("closed")
                return
            if msg.get("id") == id_ and "method" not in msg:
                # The id is the session's own counter: drop it.
                self.seen.append({"reply-to": [method] + list(params),
                                  "result": msg.get("result"),
                                  "error": msg.get("error")})
                return
            self.seen.append(msg)

    def sync(self):
        """Receives what the server queued before now, via an echo."""
        self.call("echo", "sync")
        self.seen.pop()         # The echo's own reply.

    def close(self):
        self.conn.close()


# Scenarios: (client, method, lock) steps; after each step every client
# syncs, so that its notifications are recorded next to the step that
# caused them.
SCENARIOS = {
    # The defect: the victim of a steal had asked with "lock".
    "steal then unlock gives the lock back": [
        ("c2", "lock"), ("c1", "steal"), ("c1", "unlock"), ("c2", "unlock"),
        ("c2", "lock")],
    # The victim had stolen it: it leaves the queue, yet must unlock
    # before asking again.
    "a thief robbed in turn leaves the queue": [
        ("c1", "steal"), ("c2", "steal"), ("c2", "unlock"), ("c1", "lock"),
        ("c1", "unlock"), ("c1", "lock"), ("c1", "unlock")],
    # Three sessions: the queue order after a steal.
    "queue order after a steal": [
        ("c1", "lock"), ("c2", "lock"), ("c3", "steal"), ("c3", "unlock"),
        ("c1", "unlock"), ("c3", "lock"), ("c2", "steal"), ("c2", "unlock"),
        ("c3", "unlock")],
    # A steal of a free lock, and a waiter that tries to steal.
    "steal of a free lock, and by a waiter": [
        ("c1", "steal"), ("c2", "lock"), ("c3", "lock"), ("c3", "steal"),
        ("c1", "unlock"), ("c2", "unlock"), ("c3", "unlock")],
}
# Left out: ovsdb-server also sends "locked" to a lock's owner when a
# session *behind* it unlocks or disconnects (its ovsdb_lock_waiter_remove()
# returns the owner whatever was removed), a notification that tells the
# owner nothing new; xsw tells only a session that has just become the
# owner.  Each scenario has a lock of its own for the same reason: a
# session of the previous one may still be closing.


def run_scenario(db, steps, lock):
    clients = {}
    for name in sorted({c for c, _ in steps}):
        clients[name] = Client(db, name)
    log = {name: [] for name in clients}
    try:
        for who, method in steps:
            clients[who].call(method, lock)
            for c in clients.values():
                c.sync()
            for name, c in clients.items():
                log[name].append(c.seen)
                c.seen = []
        # Whether each holds the lock, as a transaction's "assert" sees
        # it.
        for name, c in clients.items():
            c.call("transact", "Open_vSwitch",
                   {"op": "assert", "lock": lock})
            log[name].append(c.seen)
    finally:
        for c in clients.values():
            c.close()
    return log


def test_raw(c):
    results = {}
    for peer in ("ovs", "xsw"):
        results[peer] = {}
        with DbServer(peer=peer) as db:
            for i, (title, steps) in enumerate(SCENARIOS.items()):
                results[peer][title] = run_scenario(db, steps,
                                                    "%s%d" % (LOCK, i))
    for title, steps in SCENARIOS.items():
        o, x = results["ovs"][title], results["xsw"][title]
        for name in sorted(o):
            for i, step in enumerate(steps + [("*", "assert")]):
                c.eq(x[name][i], o[name][i],
                     "%s: step %d (%s %s): %s receives the same as from "
                     "ovsdb-server" % (title, i + 1, step[0], step[1],
                                       name))
    # The defect, spelled out.
    steps = SCENARIOS["steal then unlock gives the lock back"]
    c2 = results["xsw"]["steal then unlock gives the lock back"]["c2"]
    c.ok({"method": "locked", "params": [LOCK + "0"], "id": None} in c2[2],
         "xsw: the victim of a steal is told \"locked\" when the thief "
         "unlocks", "c2 received %r after %s" % (c2[2], steps[2]))


def test_python_idl(c):
    for peer in ("ovs", "xsw"):
        with DbServer(peer=peer) as db:
            db.vsctl("init")
            helper = ovs.db.idl.SchemaHelper(VSWITCH_SCHEMA)
            helper.register_table("Open_vSwitch")
            idl = ovs.db.idl.Idl(db.remote, helper)
            idl.set_lock(LOCK)
            thief = Client(db, "thief")
            try:
                c.ok(idl_run_until(idl, lambda: idl.has_ever_connected()
                                   and idl.has_lock),
                     "%s: the Python IDL gets its lock" % peer)
                session = idl._session
                seqno = session.get_seqno()
                thief.call("steal", LOCK)
                c.ok(idl_run_until(idl, lambda: not idl.has_lock
                                   and idl.is_lock_contended),
                     "%s: the IDL sees its lock stolen" % peer)
                thief.call("unlock", LOCK)
                c.ok(idl_run_until(idl, lambda: idl.has_lock),
                     "%s: the IDL has its lock again once the thief "
                     "unlocks" % peer)
                c.eq(session.get_seqno(), seqno,
                     "%s: ... on the same connection" % peer)

                # And it can write again, as the lock's owner.
                def write(txn):
                    row = next(iter(idl.tables["Open_vSwitch"].rows
                                    .values()))
                    row.setkey("external_ids", "xt-lock", "held")
                txn = ovs.db.idl.Transaction(idl)
                write(txn)
                c.eq(txn.commit_block(), ovs.db.idl.Transaction.SUCCESS,
                     "%s: the IDL commits under its lock" % peer)
            finally:
                thief.close()
                idl.close()


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_raw)
    checks.run(test_python_idl)
    checks.finish()
