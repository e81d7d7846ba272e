/* txn-record.h: a transaction as one JSON record, in the form of Open
 * vSwitch's standalone database log (ovs-file.h describes it):
 *
 *   {"<table>": {"<uuid>": <row> | null, ...}, ..., "_is_diff": true}
 *
 * null deletes a row; a row that does not exist yet is inserted with the
 * columns given; one that exists gets, for each column given, its new
 * value or, for a column that may hold several values, the difference as
 * in update2.  A whole database is one record inserting every row.
 *
 * ovs-file.c replays the records of Open vSwitch's files with it, and the
 * etcd backend (backend-etcd.c) stores its log and snapshots as such
 * records, so that a log record costs what the transaction changed (adding
 * a port to a bridge with 10,000 ports records one uuid, not 10,000).
 * Ephemeral columns are never recorded, as storage.h never stores them. */
#ifndef XSW_TXN_RECORD_H
#define XSW_TXN_RECORD_H 1

#include <jansson.h>

struct ovsdb_db;
struct ovsdb_error;
struct ovsdb_txn;

/* The record of 'txn', which ovsdb_txn_precommit() accepted; NULL if it
 * changes nothing that is stored (ephemeral columns only). */
json_t *txn_record_from_txn(const struct ovsdb_txn *);

/* The record that inserts every row of 'db'. */
json_t *txn_record_from_db(const struct ovsdb_db *);

/* A transaction on 'db' doing what record 'json' says, checked by
 * ovsdb_txn_precommit(); the caller commits or aborts '*txnp' (NULL on
 * failure, or if the record changes nothing). */
struct ovsdb_error *txn_record_to_txn(struct ovsdb_db *, const json_t *json,
                                      struct ovsdb_txn **txnp)
    __attribute__((warn_unused_result));

/* txn_record_to_txn() and commit. */
struct ovsdb_error *txn_record_replay(struct ovsdb_db *, const json_t *json)
    __attribute__((warn_unused_result));

#endif /* txn-record.h */
