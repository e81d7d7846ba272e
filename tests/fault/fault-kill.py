"""fault-kill: kill -9 xsw-dbserver at random moments under a steady
transaction load, restart it, and check that nothing acknowledged was lost.

Each cycle:
  1. a writer connects and sends transactions back to back, a few in flight
     at once (so that the server groups them into shared commits).  Each
     transaction inserts a QoS row tagged {"seq": N, "cycle": C} and
     increments Open_vSwitch.next_cfg; every tenth asks to be durable.  The
     writer records every N whose reply said success;
  2. after a random delay (0 to 250 ms, so the kill lands anywhere: during
     start-up, while loading, between commits, inside one) the server gets
     SIGKILL;
  3. the server is restarted on the same file (it must open it) and every
     row the writer recorded must be there.  Transactions are atomic: the
     number of QoS rows must equal next_cfg (no insert without its
     increment, or the reverse), no seq may appear twice, and no row may
     carry a seq that was never sent;
  4. to keep the database (and so the cycle) small, the cycle's rows are
     then deleted in one acknowledged transaction, except every tenth
     cycle's, which stay as history; a deleted row must never come back.

XSW_FAULT_CYCLES (default 200) sets the number of cycles.
"""
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import (Client, Closed, Failure, Sandbox, check, log, main,  # noqa
                      map_get, ovs_map, select_all, txn_error)

CYCLES = int(os.environ.get("XSW_FAULT_CYCLES", "200"))
WINDOW = 4              # Transactions in flight per writer.
MAX_DELAY = 0.25        # Longest run before the kill, in seconds.


class Writer(threading.Thread):
    def __init__(self, sock, ovs_uuid, cycle, first_seq):
        super().__init__(daemon=True)
        self.sock = sock
        self.ovs_uuid = ovs_uuid
        self.cycle = cycle
        self.next_seq = first_seq
        self.acked = set()
        self.errors = []            # Transactions answered with an error.
        self.stop_reason = None

    def send_one(self, c, in_flight):
        seq = self.next_seq
        self.next_seq += 1
        ops = [{"op": "insert", "table": "QoS",
                "row": {"type": "linux-htb",
                        "external_ids": ovs_map({"seq": str(seq),
                                                 "cycle": str(self.cycle)})}},
               {"op": "mutate", "table": "Open_vSwitch",
                "where": [["_uuid", "==", ["uuid", self.ovs_uuid]]],
                "mutations": [["next_cfg", "+=", 1]]}]
        if seq % 10 == 0:
            ops.append({"op": "commit", "durable": True})
        in_flight[c.send("transact", ["Open_vSwitch"] + ops)] = seq

    def run(self):
        try:
            c = Client(self.sock, timeout=5)
        except OSError as e:
            # Killed before it listened (or while it was closing): nothing
            # sent, nothing to check.
            self.stop_reason = "connect: %s" % e
            return
        in_flight = {}
        try:
            for _ in range(WINDOW):
                self.send_one(c, in_flight)
            while True:
                c.poll()
                for id in [i for i in in_flight if i in c.replies]:
                    seq = in_flight.pop(id)
                    reply = c.replies.pop(id)
                    err = (reply.get("error")
                           or txn_error(reply.get("result") or []))
                    if err:
                        self.errors.append((seq, err))
                    else:
                        self.acked.add(seq)
                    self.send_one(c, in_flight)
        except (Closed, OSError) as e:
            self.stop_reason = str(e)
        finally:
            c.close()


def check_db(c, sent_below, acked, deleted, where=()):
    """Checks the stored QoS rows (matching 'where') against what was
    acknowledged.  Returns the seqs found, each with its row's UUID."""
    rows = select_all(c, "QoS", ["_uuid", "external_ids"], where)
    seqs = {}
    for row in rows:
        seq = int(map_get(row["external_ids"], "seq"))
        check(seq not in seqs, "seq %d stored twice", seq)
        check(seq < sent_below, "seq %d stored but never sent", seq)
        check(seq not in deleted, "seq %d was deleted (acknowledged) but is "
              "back", seq)
        seqs[seq] = row["_uuid"][1]
    lost = sorted(acked - seqs.keys())
    check(not lost, "%d acknowledged transactions lost, e.g. seq %s",
          len(lost), lost[:10])
    return seqs


def test():
    seed = int(os.environ.get("XSW_FAULT_SEED", str(int(time.time()))))
    log("XSW_FAULT_SEED=%d", seed)
    rng = random.Random(seed)
    with Sandbox() as sb:
        srv = sb.server()
        c = Client(srv.sock)
        res = c.transact([{"op": "insert", "table": "Open_vSwitch",
                           "row": {"next_cfg": 0}}])
        check(txn_error(res) is None, "insert Open_vSwitch: %r", res)
        ovs_uuid = res[0]["uuid"][1]
        c.close()

        all_acked = set()
        deleted = set()     # Seqs whose deletion was acknowledged.
        next_seq = 0
        in_doubt = 0        # Sent, not acknowledged, but stored anyway.
        t0 = time.monotonic()
        for cycle in range(CYCLES):
            w = Writer(srv.sock, ovs_uuid, cycle, next_seq)
            w.start()
            time.sleep(rng.uniform(0, MAX_DELAY))
            srv.kill9()
            w.join(10)
            check(not w.is_alive(), "cycle %d: the writer hangs after the "
                  "kill", cycle)
            check(not w.errors, "cycle %d: transactions failed: %r",
                  cycle, w.errors[:3])
            next_seq = w.next_seq
            all_acked |= w.acked

            # The database must open again, whatever the moment of the kill.
            srv.start()
            c = Client(srv.sock)
            seqs = check_db(c, next_seq, w.acked, deleted,
                            [["external_ids", "includes",
                              ovs_map({"cycle": str(cycle)})]])
            in_doubt += len(seqs.keys() - w.acked)
            if cycle % 10 and seqs:
                # Keep the database small, so that a cycle stays cheap:
                # delete this cycle's rows (keeping every tenth cycle's as
                # history), with the matching decrement of next_cfg.  The
                # deletes are writes under test too: they must stay done.
                ops = [{"op": "delete", "table": "QoS",
                        "where": [["_uuid", "==", ["uuid", u]]]}
                       for u in seqs.values()]
                ops.append({"op": "mutate", "table": "Open_vSwitch",
                            "where": [["_uuid", "==", ["uuid", ovs_uuid]]],
                            "mutations": [["next_cfg", "-=", len(seqs)]]})
                res = c.transact(ops)
                check(txn_error(res) is None, "cycle %d: deleting: %r",
                      cycle, txn_error(res))
                deleted |= seqs.keys()
                all_acked -= seqs.keys()
            ovs = select_all(c, "Open_vSwitch", ["next_cfg"])
            check(len(ovs) == 1, "cycle %d: %d Open_vSwitch rows",
                  cycle, len(ovs))
            if cycle % 25 == 24 or cycle == CYCLES - 1:
                # The whole history, not only this cycle's rows.
                seqs = check_db(c, next_seq, all_acked, deleted)
                check(ovs[0]["next_cfg"] == len(seqs),
                      "cycle %d: next_cfg %d but %d QoS rows: a "
                      "transaction was applied in part", cycle,
                      ovs[0]["next_cfg"], len(seqs))
                log("cycle %d: %d transactions acknowledged so far, "
                    "%d rows stored, all present; %.1f s",
                    cycle + 1, len(all_acked) + len(deleted), len(seqs),
                    time.monotonic() - t0)
            c.close()

        n_acked = len(all_acked) + len(deleted)
        log("fault-kill: %d kill -9 cycles survived, %d acknowledged "
            "transactions (%d of them deleted again), none lost; %d "
            "unacknowledged ones were stored (allowed); %.1f s", CYCLES,
            n_acked, len(deleted), in_doubt, time.monotonic() - t0)
        check(n_acked > CYCLES, "the writers got almost nothing "
              "acknowledged (%d): the test tested nothing", len(all_acked))
        rc = srv.stop()
        check(rc == 0, "xsw-dbserver exited %r on SIGTERM", rc)


if __name__ == "__main__":
    main(test)
