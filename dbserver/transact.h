/* transact.h: RFC 7047 section 5.2's "transact" operations.
 *
 * ovsdb_execute() runs the operations of one "transact" request against the
 * database, inside a transaction, and produces the result array the way
 * Open vSwitch 3.1's ovsdb-server does: one element per operation; when
 * operation k fails, element k is its error object and the rest are null;
 * a failure found when the transaction is checked as a whole (referential
 * integrity, indexes, maxRows, constraints) is appended as one more element
 * after the operations' results.  Either way the whole transaction is
 * rolled back.
 *
 * The server (server.c) calls it like this:
 *
 *   status = ovsdb_execute(db, ops, &ctx, now, elapsed, &result, &txn,
 *                          &deadline);
 *   RETRY: keep the request; run it again from scratch when the database
 *          changes or at 'deadline' (with 'elapsed' measured from the first
 *          attempt); 'result' and 'txn' are NULL.
 *   DONE, txn == NULL: reply with 'result' (errors, or nothing to commit).
 *   DONE, txn != NULL: 'txn' passed ovsdb_txn_precommit(): write it to
 *          storage, show it to monitors, then ovsdb_txn_commit() and reply
 *          with 'result'; if storage fails, ovsdb_txn_abort() and append an
 *          error to 'result' instead. */
#ifndef XSW_TRANSACT_H
#define XSW_TRANSACT_H 1

#include <stdbool.h>
#include <jansson.h>

struct ovsdb_db;
struct ovsdb_txn;

/* What the caller knows about the client. */
struct ovsdb_execute_ctx {
    /* True if the server or this connection is read-only: operations that
     * write fail with "not allowed".  Databases whose name starts with '_'
     * (_Server) refuse writes anyway, with ovsdb-server's own message, so
     * leave this false for them. */
    bool read_only;
    /* Returns true if the client holds 'lock_name' (for "assert").  NULL:
     * it holds no lock. */
    bool (*has_lock)(void *aux, const char *lock_name);
    void *aux;
    /* True if the caller cannot wait (an offline tool): a "wait" that is
     * not satisfied fails at once with "not supported", as in ovsdb-tool,
     * instead of OVSDB_EXECUTE_RETRY. */
    bool no_triggers;
};

enum ovsdb_execute_status {
    OVSDB_EXECUTE_DONE,
    OVSDB_EXECUTE_RETRY        /* A "wait" is not yet satisfied. */
};

/* Executes 'ops', the "transact" params after the database name.
 *
 * 'now_ms' is the current time and 'elapsed_ms' the time since the request
 * first arrived (0 on the first attempt); a "wait" whose timeout has
 * elapsed fails with "timed out".
 *
 * On OVSDB_EXECUTE_DONE, '*result' is a new JSON array the caller owns and
 * '*txn' is NULL or a precommitted transaction the caller owns (see above);
 * '*wait_deadline_ms' is untouched.  On OVSDB_EXECUTE_RETRY, '*result' and
 * '*txn' are NULL and '*wait_deadline_ms' is when the earliest unsatisfied
 * "wait" times out (LLONG_MAX if it has no timeout). */
enum ovsdb_execute_status ovsdb_execute(struct ovsdb_db *, const json_t *ops,
                                        const struct ovsdb_execute_ctx *,
                                        long long now_ms,
                                        long long elapsed_ms,
                                        json_t **result,
                                        struct ovsdb_txn **txn,
                                        long long *wait_deadline_ms);

/* Whether 'ops' (as for ovsdb_execute()) holds an operation that may
 * write: one that a read-only session may not run.  Unknown operations
 * do not count (ovsdb_execute() refuses them). */
bool ovsdb_ops_may_write(const json_t *ops);

#endif /* transact.h */
