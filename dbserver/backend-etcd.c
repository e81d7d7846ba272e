/* backend-etcd.c: a database stored in etcd, shared by several servers.
 * docs/storage-etcd.md has the design; this is its implementation.
 *
 * Keys, under the prefix "/xsw/<database name>/" (values are JSON):
 *
 *   schema           {"schema": <schema>, "cid": "<uuid>"}: written once,
 *                    by the create that found no such key.
 *   head             {"seq": N, "snapshot": S}: the newest log record and
 *                    the newest snapshot.  Every commit rewrites it, and
 *                    compares its mod_revision with the one the committing
 *                    server last saw: that compare is the whole concurrency
 *                    control (a server that missed someone's commit fails
 *                    its own, says so with backend_commit_conflicted(),
 *                    and server.c catches up and runs the batch again).
 *   log/<N>          record N (N in 20 digits, so keys sort as numbers): a
 *                    JSON array of transaction records (txn-record.h), the
 *                    transactions of one batch in commit order; records
 *                    S+1..N hold everything since snapshot S.
 *   snap/<S>         one transaction record inserting every row, as of
 *                    log record S (no key while S is 0).
 *   piece/<log|snap>/<N>/<sid>/<k>/<i>
 *                    pieces of a value too big for one etcd request, for
 *                    log/<N> or snap/<N>, written by server <sid> (its
 *                    k-th such value): the log or snap key then holds
 *                    {"chunks": "piece/...", "n": <count>} (the commit
 *                    marker), written in the same etcd transaction as
 *                    head, after the pieces.  A reader never looks at
 *                    pieces that no committed marker names, so those of a
 *                    commit that lost its compare are invisible (and
 *                    deleted by their writer, or by the next compaction
 *                    past N).
 *
 * etcd's default limits are 1.5 MiB per request and 128 operations per
 * transaction: a commit is 2 puts (log/<N>, head) plus one compare, and a
 * value above CHUNK_BYTES goes out in CHUNK_BYTES pieces, one request each,
 * before it.  So a transaction of any size commits atomically.
 *
 * Durability: etcd acknowledges a transaction once a quorum of its members
 * has it in an fsync()ed log, which is more than storage.h's "durable", so
 * every batch is durable.
 *
 * Other servers' commits: a thread of this backend watches the keys from
 * "head" up to "log0" (a streaming /v3/watch of its own connection), so
 * that each commit arrives as events that carry its values: head and
 * log/<N>, written in one etcd transaction, come in one watch response.
 * The thread queues them and rings the loop through a uv_async; the loop
 * applies the records from the queue (backend_catch_up()) without asking
 * etcd anything.  It reads etcd (head, then the records it lacks, as
 * before) only when it must: the watch (re)started and may have missed
 * commits, a record is missing from what it watched (a gap), or the
 * watched head says history starts past what it holds (compaction).  A
 * chunked record's marker comes with the watch; its pieces, outside the
 * watched range, are read by kvs_get_json().  Before, every other front
 * end read head and the log after each commit: two round trips before
 * its monitors heard of it, and load on etcd that slowed the writer
 * (docs/storage-etcd.md, "Benchmarks").
 *
 * Ownership: the thread touches nothing but its connection, 'stop' and,
 * under 'mutex', the queue; what it queues (struct watched, with the
 * decoded key and value) belongs to the loop once taken from the queue.
 * Everything else is the loop's. */
#include <config.h>
#include "backend.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert.h"
#include "coverage.h"
#include "db.h"
#include "ds.h"
#include "etcd-client.h"
#include "etcd-lock.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "shash.h"
#include "timeval.h"
#include "txn-record.h"
#include "util.h"
#include "uuid.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(backend_etcd);

/* For coverage/show: how a front end caught up with another's commit. */
COVERAGE_DEFINE(etcd_catch_up_watched); /* From the watch's events alone. */
COVERAGE_DEFINE(etcd_catch_up_read);    /* Reading etcd. */

/* A value's piece: well below etcd's 1.5 MiB request limit once base64
 * (4/3) and the JSON around it are added. */
#define CHUNK_BYTES (1024 * 1024)

struct etcd_backend {
    struct backend up;
    struct etcd_client *client;     /* Owned: the loop's connection. */
    char *urls;                     /* For the watch's own client. */
    char *prefix;                   /* "/xsw/<name>/". */
    struct uuid cid;                /* From the schema key. */
    struct uuid sid;                /* This server's, for chunk keys. */
    uint64_t seq;                   /* Last log record in memory. */
    struct uuid last_txn_id;        /* Of the last txn written, if it */
    bool has_last_txn_id;           /* ...was stored: get_txn_id(). */
    uint64_t snapshot;              /* head's "snapshot" as last seen. */
    long long head_rev;             /* head's mod_revision as last seen. */
    uint64_t n_chunked;             /* Chunked values written, for keys. */
    json_t *batch;                  /* Open batch's records, or NULL. */

    /* The watch: see the top of this file. */
    pthread_t thread;
    bool watching;
    atomic_bool stop;
    pthread_mutex_t mutex;          /* Guards 'queue' and 'queue_tail'. */
    struct watched *queue;          /* From the thread, oldest first. */
    struct watched **queue_tail;
    uv_async_t async;
    void (*changed)(void *aux);
    void *changed_aux;

    /* Automatic snapshots: etcd_backend_should_compact(). */
    uint64_t bytes_snapshot;        /* The snapshot 'log_bytes' follows. */
    size_t log_bytes;               /* Of the records after it, as far as
                                     * this server wrote or read them. */
    size_t snap_bytes;              /* Its size, if known (else 0). */
    long long next_snapshot_ms;     /* Not on its own before. */
    long long etcd_compact_rev;     /* etcd revision of this server's last
                                     * snapshot: etcd's own history is
                                     * compacted to it at the next one. */

    /* Conversions: etcd_backend_convert(). */
    uint64_t schema_gen;            /* head's "schema", as last seen. */
    json_t *extra_ops;              /* Put by the next commit_value() with
                                     * head (the new schema key). */

    /* The loop's view of what the watch (or a failed compare) told. */
    struct shash pending;           /* Full key -> struct kv: log records
                                     * watched, not applied yet, and pieces
                                     * read for them. */
    uint64_t known_seq;             /* The newest head known: its "seq", */
    uint64_t known_snapshot;        /* ...its "snapshot", */
    uint64_t known_schema_gen;      /* ...its "schema", */
    long long known_rev;            /* ...its mod_revision (0: none). */
    bool must_read;                 /* The watch may have missed commits. */
};

/* What the watch thread hands the loop. */
struct watched {
    struct watched *next;
    char *key;                      /* Full key; NULL: the watch started
                                     * again (anything may be missed). */
    struct kv *kv;
};

static struct etcd_backend *
etcd_backend_cast(const struct backend *b)
{
    return CONTAINER_OF(b, struct etcd_backend, up);
}

static char *
key_of(const struct etcd_backend *eb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *
key_of(const struct etcd_backend *eb, const char *fmt, ...)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    va_list args;

    ds_put_cstr(&ds, eb->prefix);
    va_start(args, fmt);
    ds_put_format_valist(&ds, fmt, args);
    va_end(args);
    return ds_steal_cstr(&ds);
}

static json_t *
put_op(const char *key, const char *value, size_t len)
{
    return json_pack("{s:{s:o,s:o}}", "request_put",
                     "key", etcd_b64_string(key),
                     "value", etcd_b64_json(value, len));
}

static struct ovsdb_error *
etcd_error(const struct etcd_backend *eb, struct ovsdb_error *error)
{
    return ovsdb_error_wrap(error, "database %s", eb->up.name);
}

/* How long a read may take while etcd elects a leader (about a second with
 * its defaults): each request, and all of them. */
#define READ_REQUEST_MS 2000
#define READ_PATIENCE_MS 5000

/* A key's value, as read. */
struct kv {
    char *value;
    size_t len;
    long long mod_revision;
};

/* Reads the keys from 'key' to 'range_end' (taken; NULL: 'key' alone)
 * into 'kvs', as of 'revision' (0: the newest), and stores the reply's
 * revision in '*revp'. */
static struct ovsdb_error *read_range(struct etcd_backend *, const char *key,
                                      json_t *range_end, long long revision,
                                      struct shash *kvs, long long *revp);

/* Reads every key that starts with 'prefix'. */
static struct ovsdb_error *
read_prefix(struct etcd_backend *eb, const char *prefix, long long revision,
            struct shash *kvs, long long *revp)
{
    return read_range(eb, prefix, etcd_prefix_end(prefix), revision, kvs,
                      revp);
}

static void
kvs_destroy(struct shash *kvs)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, kvs) {
        struct kv *kv = node->data;
        free(kv->value);
        free(kv);
    }
    shash_destroy(kvs);
}

static struct ovsdb_error *
read_range(struct etcd_backend *eb, const char *key, json_t *range_end,
           long long revision, struct shash *kvs, long long *revp)
{
    json_t *req = json_pack("{s:o}", "key", etcd_b64_string(key));
    json_t *reply;
    struct ovsdb_error *error;

    if (range_end) {
        json_object_set_new(req, "range_end", range_end);
    }
    if (revision) {
        json_object_set_new(req, "revision", json_integer(revision));
    }
    /* While etcd elects a leader, a read fails or waits: ask again, each
     * time for a short while, a few times. */
    long long deadline = time_msec() + READ_PATIENCE_MS;
    etcd_client_set_timeout(eb->client, READ_REQUEST_MS);
    for (;;) {
        error = etcd_client_call(eb->client, "/v3/kv/range", req, &reply);
        if (!error || !etcd_client_unavailable(eb->client)
            || time_msec() >= deadline) {
            break;
        }
        ovsdb_error_destroy(error);
        uv_sleep(100);
    }
    etcd_client_set_timeout(eb->client, 30000);
    json_decref(req);
    if (error) {
        return etcd_error(eb, error);
    }
    *revp = etcd_json_int(json_object_get(json_object_get(reply, "header"),
                                          "revision"));
    size_t i;
    json_t *item;
    json_array_foreach (json_object_get(reply, "kvs"), i, item) {
        size_t klen;
        char *name = etcd_b64_decode(json_object_get(item, "key"), &klen);
        struct kv *kv = xzalloc(sizeof *kv);
        const json_t *value = json_object_get(item, "value");

        kv->value = value ? etcd_b64_decode(value, &kv->len) : xstrdup("");
        kv->mod_revision = etcd_json_int(json_object_get(item,
                                                         "mod_revision"));
        if (!name || !kv->value) {
            free(name);
            free(kv->value);
            free(kv);
            json_decref(reply);
            kvs_destroy(kvs);
            shash_init(kvs);
            return ovsdb_error("I/O error", "database %s: etcd sent a key "
                               "that is not base64", eb->up.name);
        }
        struct kv *old = shash_replace(kvs, name, kv);
        if (old) {
            free(old->value);
            free(old);
        }
        free(name);
    }
    json_decref(reply);
    return NULL;
}

/* The JSON value of 'key' (relative to the prefix) in 'kvs', following a
 * chunk marker; NULL if absent, with '*errorp' set if it does not parse. */
static json_t *
kvs_get_json(struct etcd_backend *eb, struct shash *kvs,
             const char *key, struct ovsdb_error **errorp)
{
    char *full = key_of(eb, "%s", key);
    const struct kv *kv = shash_find_data(kvs, full);
    json_error_t jerr;
    json_t *json;

    *errorp = NULL;
    free(full);
    if (!kv) {
        return NULL;
    }
    json = json_loadb(kv->value, kv->len, JSON_DECODE_ANY, &jerr);
    const json_t *chunks = json ? json_object_get(json, "chunks") : NULL;
    if (json_is_string(chunks)) {
        struct ds all = DS_EMPTY_INITIALIZER;
        long long n = etcd_json_int(json_object_get(json, "n"));
        char *pieces = key_of(eb, "%s/", json_string_value(chunks));
        char *first = key_of(eb, "%s/%06d", json_string_value(chunks), 0);
        long long rev;
        bool have = shash_find(kvs, first);
        free(first);
        if (!have) {
            /* Not read yet (a catch-up reads the log alone). */
            struct ovsdb_error *error = read_prefix(eb, pieces, 0, kvs,
                                                    &rev);
            if (error) {
                free(pieces);
                json_decref(json);
                *errorp = error;
                return NULL;
            }
        }
        free(pieces);
        for (long long i = 0; i < n; i++) {
            char *piece = key_of(eb, "%s/%06lld", json_string_value(chunks),
                                 i);
            const struct kv *p = shash_find_data(kvs, piece);
            free(piece);
            if (!p) {
                ds_destroy(&all);
                json_decref(json);
                *errorp = ovsdb_error("I/O error", "database %s: %s misses "
                                      "its piece %lld", eb->up.name, key, i);
                return NULL;
            }
            ds_put_buffer(&all, p->value, p->len);
        }
        json_decref(json);
        json = json_loadb(all.s ? all.s : "", all.len, 0, &jerr);
        ds_destroy(&all);
    }
    if (!json) {
        *errorp = ovsdb_error("I/O error", "database %s: %s is not JSON: %s",
                              eb->up.name, key, jerr.text);
    }
    return json;
}

static struct ovsdb_error *
parse_head(struct etcd_backend *eb, struct shash *kvs,
           uint64_t *seqp, uint64_t *snapshotp, long long *revp)
{
    struct ovsdb_error *error;
    json_t *head = kvs_get_json(eb, kvs, "head", &error);
    char *key = key_of(eb, "head");
    const struct kv *kv = shash_find_data(kvs, key);

    free(key);
    if (!head) {
        return error ? error : ovsdb_error("I/O error", "database %s: no "
                                           "head key in etcd", eb->up.name);
    }
    *seqp = etcd_json_int(json_object_get(head, "seq"));
    *snapshotp = etcd_json_int(json_object_get(head, "snapshot"));
    *revp = kv->mod_revision;
    json_decref(head);
    return NULL;
}

/* head's "schema" in 'kvs': how many times the database was converted
 * (etcd_backend_convert()); 0 if absent, as a database created before
 * conversions existed has it. */
static uint64_t
head_schema_gen(struct etcd_backend *eb, struct shash *kvs)
{
    struct ovsdb_error *error;
    json_t *head = kvs_get_json(eb, kvs, "head", &error);
    uint64_t gen = etcd_json_int(json_object_get(head, "schema"));

    ovsdb_error_destroy(error);
    json_decref(head);
    return gen;
}

/* The id of the txn at 'pos' in log record 'seq': the same on every front
 * end, so that monitor_cond_since resumes across them (the cid's last word
 * keeps ids of a database created again apart). */
static struct uuid
txn_id_of(const struct etcd_backend *eb, uint64_t seq, size_t pos)
{
    return (struct uuid) { .parts = {
        seq >> 32, seq & 0xffffffff, pos, eb->cid.parts[3] } };
}

/* Adds the size of log record 'key' (relative to the prefix) in 'kvs' to
 * the history's, for etcd_backend_should_compact().  A chunked record
 * counts its pieces, as etcd stores them. */
static void
count_log_bytes(struct etcd_backend *eb, struct shash *kvs, const char *key)
{
    char *full = key_of(eb, "%s", key);
    const struct kv *kv = shash_find_data(kvs, full);

    free(full);
    if (eb->bytes_snapshot != eb->snapshot) {
        /* Someone else's snapshot: what follows it is counted from now. */
        eb->bytes_snapshot = eb->snapshot;
        eb->log_bytes = 0;
        eb->snap_bytes = 0;
    }
    if (kv) {
        bool marker = !strncmp(kv->value, "{\"chunks\":", 10);
        const char *n = marker ? strstr(kv->value, "\"n\":") : NULL;
        eb->log_bytes += n ? (size_t) atoll(n + 4) * CHUNK_BYTES : kv->len;
    }
}

/* Applies log records first..last of 'kvs' to 'db' (of record 'last', its
 * txns up to 'last_pos' only), each transaction through 'apply' (or
 * committed directly if 'apply' is NULL).  For the server's own database
 * 'seqp' is nonnull: '*seqp' is set to each record applied, whose size
 * counts for automatic snapshots (count_log_bytes()); NULL for a copy of
 * the past (etcd_backend_load_at()). */
static struct ovsdb_error *
apply_log(struct etcd_backend *eb, struct shash *kvs,
          struct ovsdb_db *db, uint64_t first, uint64_t last,
          size_t last_pos, void (*apply)(void *aux, struct ovsdb_txn *),
          void *aux, uint64_t *seqp)
{
    for (uint64_t n = first; n <= last; n++) {
        struct ovsdb_error *error;
        char key[32];

        snprintf(key, sizeof key, "log/%020"PRIu64, n);
        json_t *records = kvs_get_json(eb, kvs, key, &error);
        if (!records) {
            return error ? error : ovsdb_error(
                "I/O error", "database %s: log record %"PRIu64" is missing "
                "from etcd", eb->up.name, n);
        }
        if (seqp) {
            count_log_bytes(eb, kvs, key);
        }
        size_t i;
        json_t *record;
        json_array_foreach (json_object_get(records, "txns"), i, record) {
            struct ovsdb_txn *txn;
            if (n == last && i > last_pos) {
                break;
            }
            error = txn_record_to_txn(db, record, &txn);
            if (error) {
                json_decref(records);
                return ovsdb_error_wrap(error, "database %s: log record "
                                        "%"PRIu64, eb->up.name, n);
            }
            if (!txn) {
                continue;
            }
            txn->txn_id = txn_id_of(eb, n, i);
            if (apply) {
                apply(aux, txn);
            } else {
                ovsdb_txn_commit(txn);
            }
        }
        json_decref(records);
        if (seqp) {
            *seqp = n;
        }
    }
    return NULL;
}

/* The size of snapshot 'snapshot' in 'kvs', pieces included. */
static size_t
snapshot_bytes(struct etcd_backend *eb, struct shash *kvs, uint64_t snapshot)
{
    char *pieces = key_of(eb, "piece/snap/%020"PRIu64"/", snapshot);
    char *key = key_of(eb, "snap/%020"PRIu64, snapshot);
    struct shash_node *node;
    size_t n = 0;

    SHASH_FOR_EACH (node, kvs) {
        if (!strcmp(node->name, key)
            || !strncmp(node->name, pieces, strlen(pieces))) {
            n += ((struct kv *) node->data)->len;
        }
    }
    free(pieces);
    free(key);
    return n;
}

static struct ovsdb_error *
etcd_backend_load_db(struct backend *b, struct ovsdb_db **dbp)
{
    struct etcd_backend *eb = etcd_backend_cast(b);
    struct shash kvs = SHASH_INITIALIZER(&kvs);
    struct ovsdb_error *error;
    struct ovsdb_schema *schema;
    uint64_t seq, snapshot;
    long long rev, head_rev;

    *dbp = NULL;
    error = read_prefix(eb, eb->prefix, 0, &kvs, &rev);
    if (error) {
        goto out;
    }
    json_t *meta = kvs_get_json(eb, &kvs, "schema", &error);
    if (!meta) {
        error = error ? error : ovsdb_error(
            "I/O error", "database %s does not exist in etcd at %s (create "
            "it with --create)", eb->up.name,
            etcd_client_endpoint(eb->client));
        goto out;
    }
    const char *cid = json_string_value(json_object_get(meta, "cid"));
    error = ovsdb_schema_from_json(json_object_get(meta, "schema"), &schema);
    if (!error && (!cid || !uuid_from_string(&eb->cid, cid))) {
        ovsdb_schema_destroy(schema);
        error = ovsdb_error("I/O error", "database %s: its schema key in "
                            "etcd has no valid \"cid\"", eb->up.name);
    }
    json_decref(meta);
    if (error) {
        goto out;
    }
    error = parse_head(eb, &kvs, &seq, &snapshot, &head_rev);
    if (error) {
        ovsdb_schema_destroy(schema);
        goto out;
    }
    eb->schema_gen = head_schema_gen(eb, &kvs);

    struct ovsdb_db *db = ovsdb_db_create(schema);
    if (snapshot) {
        char key[32];
        snprintf(key, sizeof key, "snap/%020"PRIu64, snapshot);
        json_t *snap = kvs_get_json(eb, &kvs, key, &error);
        if (!snap && !error) {
            error = ovsdb_error("I/O error", "database %s: snapshot %"PRIu64
                                " is missing from etcd", eb->up.name,
                                snapshot);
        }
        if (!error) {
            error = txn_record_replay(db, snap);
            json_decref(snap);
        }
    }
    eb->snapshot = snapshot;
    eb->bytes_snapshot = snapshot;
    eb->log_bytes = 0;
    eb->snap_bytes = snapshot ? snapshot_bytes(eb, &kvs, snapshot) : 0;
    if (!error) {
        uint64_t loaded;
        error = apply_log(eb, &kvs, db, snapshot + 1, seq, SIZE_MAX, NULL,
                          NULL, &loaded);
    }
    if (error) {
        ovsdb_db_destroy(db);
        goto out;
    }
    eb->seq = seq;
    eb->snapshot = snapshot;
    eb->head_rev = head_rev;
    eb->must_read = false;          /* This read it all. */
    *dbp = db;

out:
    kvs_destroy(&kvs);
    return error;
}

/* The schema as etcd stores it: a copy of 'schema' with every ephemeral
 * column made persistent, as Open vSwitch's clustered storage does
 * ("ovsdb-tool create-cluster", and "ovsdb-client convert" against a
 * clustered database), with its warning.  This backend reports the
 * database as "clustered", so ovsdb-client compares a schema file made
 * persistent with what get_schema returns (needs-conversion); and what is
 * stored reaches every front end, so an ephemeral column would not (a
 * change to one would reach only the front end that made it).  'what' is
 * "create" or "convert", for the warning.  The caller destroys the copy. */
static struct ovsdb_schema *
stored_schema(const struct ovsdb_schema *schema, const char *what)
{
    struct ovsdb_schema *stored = ovsdb_schema_clone(schema);
    const char *table, *column;
    unsigned int n = ovsdb_schema_persist_ephemeral_columns(stored, &table,
                                                            &column);
    if (n) {
        VLOG_WARN("%s: %s: changed %u columns in '%s' database from "
                  "ephemeral to persistent, including '%s' column in '%s' "
                  "table, because clusters do not support ephemeral "
                  "columns", stored->name, what, n, stored->name, column,
                  table);
    }
    return stored;
}

static struct ovsdb_error *
etcd_backend_create(const char *location, const char *name OVS_UNUSED,
                    const struct ovsdb_schema *schema)
{
    struct etcd_backend eb = { .up.name = schema->name };
    struct ovsdb_error *error = etcd_client_create(location, &eb.client);
    char cid[UUID_LEN + 1];
    struct uuid uuid;

    if (error) {
        return error;
    }
    eb.prefix = xasprintf("/xsw/%s/", schema->name);
    uuid_generate(&uuid);
    uuid_to_string(&uuid, cid);

    struct ovsdb_schema *stored = stored_schema(schema, "create");
    json_t *meta = json_pack("{s:o,s:s}", "schema",
                             ovsdb_schema_to_json(stored), "cid", cid);
    ovsdb_schema_destroy(stored);
    char *meta_s = json_dumps(meta, JSON_COMPACT);
    const char *head_s = "{\"seq\":0,\"snapshot\":0}";
    char *schema_key = key_of(&eb, "schema");
    char *head_key = key_of(&eb, "head");
    json_t *req = json_pack(
        "{s:[{s:o,s:s,s:s,s:i}],s:[o,o]}",
        "compare", "key", etcd_b64_string(schema_key), "target", "CREATE",
        "result", "EQUAL", "create_revision", 0,
        "success", put_op(schema_key, meta_s, strlen(meta_s)),
        put_op(head_key, head_s, strlen(head_s)));
    json_t *reply;

    error = etcd_client_call(eb.client, "/v3/kv/txn", req, &reply);
    if (!error) {
        if (!json_is_true(json_object_get(reply, "succeeded"))) {
            error = ovsdb_error("I/O error", "database %s already exists in "
                                "etcd at %s", schema->name,
                                etcd_client_endpoint(eb.client));
        }
        json_decref(reply);
    }
    json_decref(req);
    json_decref(meta);
    free(meta_s);
    free(schema_key);
    free(head_key);
    free(eb.prefix);
    etcd_client_destroy(eb.client);
    return error;
}

static void schedule_snapshot(struct etcd_backend *);

static struct ovsdb_error *
etcd_backend_open(const char *location, const char *name,
                  struct backend **bp, struct ovsdb_db **dbp)
{
    struct etcd_backend *eb = xzalloc(sizeof *eb);
    struct ovsdb_error *error;

    eb->up.class = &etcd_backend_class;
    eb->up.name = xstrdup(name);
    eb->urls = xstrdup(location);
    eb->prefix = xasprintf("/xsw/%s/", name);
    uuid_generate(&eb->sid);
    pthread_mutex_init(&eb->mutex, NULL);
    eb->queue_tail = &eb->queue;
    shash_init(&eb->pending);
    schedule_snapshot(eb);
    error = etcd_client_create(location, &eb->client);
    if (!error) {
        error = etcd_backend_load_db(&eb->up, dbp);
    }
    if (error) {
        etcd_backend_class.close(&eb->up);
        return error;
    }
    *bp = &eb->up;
    return NULL;
}

static void take_watched(struct etcd_backend *);

static void
async_closed(uv_handle_t *handle)
{
    free(handle->data);
}

static void
etcd_backend_close(struct backend *b)
{
    struct etcd_backend *eb = etcd_backend_cast(b);

    if (eb->watching) {
        atomic_store(&eb->stop, true);
        pthread_join(eb->thread, NULL);
    }
    take_watched(eb);               /* Frees what the thread queued. */
    kvs_destroy(&eb->pending);
    pthread_mutex_destroy(&eb->mutex);
    etcd_client_destroy(eb->client);
    json_decref(eb->batch);
    free(eb->urls);
    free(eb->prefix);
    free(eb->up.name);
    if (eb->watching) {
        /* libuv still holds the handle: it frees the backend when done. */
        eb->async.data = eb;
        uv_close((uv_handle_t *) &eb->async, async_closed);
    } else {
        free(eb);
    }
}

static struct ovsdb_error *
etcd_backend_begin_batch(struct backend *b)
{
    struct etcd_backend *eb = etcd_backend_cast(b);

    json_decref(eb->batch);
    eb->batch = json_array();
    return NULL;
}

static struct ovsdb_error *
etcd_backend_commit_batch(struct backend *, bool durable);

static struct ovsdb_error *
etcd_backend_write_txn(struct backend *b, const struct ovsdb_txn *txn)
{
    struct etcd_backend *eb = etcd_backend_cast(b);
    json_t *record = txn_record_from_txn(txn);
    bool own_batch = !eb->batch;

    if (own_batch) {
        ovsdb_error_destroy(etcd_backend_begin_batch(b));
    }
    eb->has_last_txn_id = record != NULL;
    if (record) {
        eb->last_txn_id = txn_id_of(eb, eb->seq + 1,
                                    json_array_size(eb->batch));
        json_array_append_new(eb->batch, record);
    }
    return own_batch ? etcd_backend_commit_batch(b, txn->durable) : NULL;
}

/* Puts 'value' under 'key' in the etcd transaction 'ops': as it is if it
 * is small, else as pieces written now, each in a request of its own, and
 * a marker naming them. */
static struct ovsdb_error *
put_value(struct etcd_backend *eb, json_t *ops, const char *kind,
          uint64_t seq, const char *value, size_t len, char **chunksp,
          char **putp)
{
    char *key = key_of(eb, "%s/%020"PRIu64, kind, seq);

    *chunksp = NULL;
    *putp = NULL;
    if (len <= CHUNK_BYTES) {
        json_array_append_new(ops, put_op(key, value, len));
        *putp = xstrndup(value, len);
        free(key);
        return NULL;
    }

    char sid[UUID_LEN + 1];
    uuid_to_string(&eb->sid, sid);
    char *rel = xasprintf("piece/%s/%020"PRIu64"/%s/%"PRIu64, kind, seq, sid,
                          eb->n_chunked++);
    size_t n = 0;
    for (size_t ofs = 0; ofs < len; ofs += CHUNK_BYTES, n++) {
        char *piece = key_of(eb, "%s/%06zu", rel, n);
        json_t *req = json_pack("{s:o,s:o}", "key", etcd_b64_string(piece),
                                "value", etcd_b64_json(value + ofs,
                                                       MIN(CHUNK_BYTES,
                                                           len - ofs)));
        json_t *reply;
        struct ovsdb_error *error = etcd_client_call(eb->client,
                                                     "/v3/kv/put", req,
                                                     &reply);
        json_decref(req);
        json_decref(reply);
        free(piece);
        if (error) {
            *chunksp = key_of(eb, "%s/", rel);
            free(rel);
            free(key);
            return etcd_error(eb, error);
        }
    }
    json_t *marker = json_pack("{s:s,s:I}", "chunks", rel, "n",
                               (json_int_t) n);
    char *marker_s = json_dumps(marker, JSON_COMPACT);
    json_array_append_new(ops, put_op(key, marker_s, strlen(marker_s)));
    *chunksp = key_of(eb, "%s/", rel);
    *putp = marker_s;
    json_decref(marker);
    free(rel);
    free(key);
    return NULL;
}

/* Deletes the keys under 'prefix', best effort: pieces no marker names. */
static void
delete_prefix(struct etcd_backend *eb, const char *prefix)
{
    json_t *req = json_pack("{s:o,s:o}", "key", etcd_b64_string(prefix),
                            "range_end", etcd_prefix_end(prefix));
    json_t *reply;
    struct ovsdb_error *error = etcd_client_call(eb->client,
                                                 "/v3/kv/deleterange", req,
                                                 &reply);
    json_decref(req);
    json_decref(reply);
    ovsdb_error_destroy(error);
}

/* How long a commit may wait for etcd: a request, and then, if its outcome
 * is unknown (etcd lost its leader, an endpoint died), finding out whether
 * it was applied and sending it again.  The goal is writes again
 * within 5 s of losing an etcd member. */
#define COMMIT_REQUEST_MS 1500
#define COMMIT_PATIENCE_MS 5000

enum outcome { LANDED, NOT_LANDED, UNKNOWN };

/* After a commit whose compare failed or whose outcome is unknown: reads
 * head, and 'key' if head moved, until etcd answers or 'deadline' passes.
 * LANDED if 'key' holds 'put' (what our commit put there: it names this
 * server's batch or pieces, so nobody else writes the same bytes), with
 * head's mod_revision in '*head_revp'. */
static enum outcome
find_outcome(struct etcd_backend *eb, const char *key, const char *put,
             long long deadline, long long *head_revp)
{
    char *head_key = key_of(eb, "head");
    enum outcome outcome = UNKNOWN;

    while (outcome == UNKNOWN && time_msec() < deadline) {
        struct shash kvs = SHASH_INITIALIZER(&kvs);
        struct ovsdb_error *error;
        uint64_t seq, snapshot;
        long long rev;

        error = read_range(eb, head_key, NULL, 0, &kvs, &rev);
        if (!error) {
            error = parse_head(eb, &kvs, &seq, &snapshot, head_revp);
        }
        if (!error && *head_revp == eb->head_rev) {
            outcome = NOT_LANDED;
        } else if (!error) {
            error = read_range(eb, key, NULL, rev, &kvs, &rev);
            const struct kv *kv = error ? NULL : shash_find_data(&kvs, key);
            if (!error) {
                outcome = (kv && kv->len == strlen(put)
                           && !memcmp(kv->value, put, kv->len)
                           ? LANDED : NOT_LANDED);
            }
            if (outcome == LANDED) {
                /* Our commit's revision (it put 'key' and head together),
                 * not head's newest: another server may have committed
                 * after it, and the catch-up must still apply that. */
                *head_revp = kv->mod_revision;
            }
        }
        if (error) {
            ovsdb_error_destroy(error);
            uv_sleep(100);
        }
        kvs_destroy(&kvs);
    }
    free(head_key);
    return outcome;
}

/* The head revision a commit compares with: the one this server last saw,
 * except for a test.  XSW_ETCD_TEST_CONFLICTS=N in the environment makes
 * the process's first N commits (batches, snapshots, conversions) compare
 * with a revision head never had, so that etcd refuses them exactly as
 * when another server committed first, and the server re-runs them: the
 * only way to reach server.c's bound on re-runs (MAX_BATCH_RERUNS), or a
 * conversion's re-run, at will, which real contention reaches only by
 * chance (tests/server/etcd-conflict.py, etcd.py). */
static long long
compared_head_rev(const struct etcd_backend *eb)
{
    static long long sabotage = -1;

    if (sabotage < 0) {
        const char *s = getenv("XSW_ETCD_TEST_CONFLICTS");
        sabotage = s ? MAX(atoll(s), 0) : 0;
        if (sabotage) {
            VLOG_WARN("XSW_ETCD_TEST_CONFLICTS=%s: the next %lld commits "
                      "will conflict (a test setting)", s, sabotage);
        }
    }
    if (sabotage > 0) {
        sabotage--;
        return eb->head_rev + (1LL << 40);
    }
    return eb->head_rev;
}

static void note_head(struct etcd_backend *, const char *value, size_t len,
                      long long rev);

/* The compare of a commit failed: another server committed first.  Notes
 * head as etcd's reply to the commit shows it (its "failure" op), which
 * tells backend_catch_up() what to wait for; if the reply lacks it, the
 * catch-up reads etcd. */
static void
note_conflict(struct etcd_backend *eb, const json_t *reply)
{
    const json_t *range = json_object_get(
        json_array_get(json_object_get(reply, "responses"), 0),
        "response_range");
    const json_t *kv = json_array_get(json_object_get(range, "kvs"), 0);
    size_t len;
    char *value = kv ? etcd_b64_decode(json_object_get(kv, "value"), &len)
                  : NULL;
    long long rev = etcd_json_int(json_object_get(kv, "mod_revision"));

    eb->up.conflict = true;
    if (value && rev > eb->head_rev) {
        note_head(eb, value, len, rev);
    } else {
        eb->must_read = true;
    }
    free(value);
}

/* Commits 'value' as log record seq+1 (or, if 'snapshot', as the snapshot
 * at 'seq'), comparing head's mod_revision with 'head_rev'.  A request
 * that etcd does not answer in time (no leader, an endpoint gone) is sent
 * again, to the next endpoint, unless it was applied after all. */
static struct ovsdb_error *
commit_value(struct etcd_backend *eb, const char *value, bool snapshot)
{
    uint64_t seq = snapshot ? eb->seq : eb->seq + 1;
    uint64_t snap = snapshot ? eb->seq : eb->snapshot;
    char *head_key = key_of(eb, "head");
    char *key = key_of(eb, "%s/%020"PRIu64, snapshot ? "snap" : "log", seq);
    long long deadline = time_msec() + COMMIT_PATIENCE_MS;
    json_t *ops = json_array();
    struct ovsdb_error *error;
    char *chunks, *put;

    error = put_value(eb, ops, snapshot ? "snap" : "log", seq, value,
                      strlen(value), &chunks, &put);
    if (error) {
        goto out;
    }
    char *head = xasprintf("{\"seq\":%"PRIu64",\"snapshot\":%"PRIu64","
                           "\"schema\":%"PRIu64"}", seq, snap,
                           eb->schema_gen);
    json_array_append_new(ops, put_op(head_key, head, strlen(head)));
    free(head);
    if (eb->extra_ops) {
        json_array_extend(ops, eb->extra_ops);
    }
    /* If the compare fails, etcd answers with head as it is: the catch-up
     * then knows how far to go (note_conflict()). */
    json_t *req = json_pack("{s:[{s:o,s:s,s:s,s:I}],s:O,s:[{s:{s:o}}]}",
                            "compare", "key", etcd_b64_string(head_key),
                            "target", "MOD", "result", "EQUAL",
                            "mod_revision",
                            (json_int_t) compared_head_rev(eb),
                            "success", ops,
                            "failure", "request_range", "key",
                            etcd_b64_string(head_key));
    bool resent = false;

    etcd_client_set_timeout(eb->client, COMMIT_REQUEST_MS);
    for (;;) {
        json_t *reply = NULL;
        long long head_rev = 0;

        error = etcd_client_call(eb->client, "/v3/kv/txn", req, &reply);
        bool unknown = error && etcd_client_unavailable(eb->client);
        if (!error && json_is_true(json_object_get(reply, "succeeded"))) {
            head_rev = etcd_json_int(json_object_get(
                                         json_object_get(reply, "header"),
                                         "revision"));
        } else if (!error && !resent) {
            /* The first send lost its compare: not applied, for sure, and
             * no need to read head (find_outcome()): the reply has it. */
            note_conflict(eb, reply);
            error = ovsdb_error("I/O error", "another server committed "
                                "first (etcd's head moved from revision "
                                "%lld); the transaction was not stored",
                                eb->head_rev);
        } else if (!error || unknown) {
            enum outcome o = find_outcome(eb, key, put, deadline, &head_rev);
            if (o == LANDED) {
                ovsdb_error_destroy(error);
                error = NULL;
            } else if (o == NOT_LANDED && unknown
                       && time_msec() < deadline) {
                ovsdb_error_destroy(error);
                json_decref(reply);
                resent = true;
                continue;           /* Not applied: send it again. */
            } else if (o == NOT_LANDED || !error) {
                ovsdb_error_destroy(error);
                eb->up.conflict = true;
                eb->must_read = true;   /* Head as read: not kept. */
                error = ovsdb_error("I/O error", "another server committed "
                                    "first (etcd's head moved from "
                                    "revision %lld); the transaction was "
                                    "not stored", eb->head_rev);
            }
        }
        json_decref(reply);
        if (!error) {
            eb->seq = seq;
            eb->snapshot = snap;
            eb->head_rev = head_rev;
        }
        break;
    }
    etcd_client_set_timeout(eb->client, 30000);
    json_decref(req);

out:
    if (error) {
        error = etcd_error(eb, error);
        if (chunks) {
            delete_prefix(eb, chunks);
        }
    }
    free(chunks);
    free(put);
    free(key);
    json_decref(ops);
    free(head_key);
    return error;
}

static struct ovsdb_error *
etcd_backend_commit_batch(struct backend *b, bool durable OVS_UNUSED)
{
    struct etcd_backend *eb = etcd_backend_cast(b);
    json_t *batch = eb->batch;
    struct ovsdb_error *error = NULL;

    eb->batch = NULL;
    if (batch && json_array_size(batch)) {
        /* The batch's id makes its value unique: find_outcome(). */
        struct uuid id;
        char id_s[UUID_LEN + 1];
        uuid_generate(&id);
        uuid_to_string(&id, id_s);
        json_t *record = json_pack("{s:s,s:O}", "batch", id_s, "txns", batch);
        char *value = json_dumps(record, JSON_COMPACT);
        json_decref(record);
        error = commit_value(eb, value, false);
        if (!error) {
            eb->log_bytes += strlen(value);
        }
        free(value);
    }
    json_decref(batch);
    return error;
}

/* Deletes the keys "<kind>/<from>" up to "<kind>/<to>" (excluded), best
 * effort: nothing reads them any more. */
static void
delete_range(struct etcd_backend *eb, const char *kind, uint64_t from,
             uint64_t to)
{
    char *from_key = key_of(eb, "%s/%020"PRIu64, kind, from);
    char *to_key = key_of(eb, "%s/%020"PRIu64, kind, to);
    json_t *req = json_pack("{s:o,s:o}", "key", etcd_b64_string(from_key),
                            "range_end", etcd_b64_string(to_key));
    json_t *reply = NULL;

    ovsdb_error_destroy(etcd_client_call(eb->client, "/v3/kv/deleterange",
                                         req, &reply));
    json_decref(req);
    json_decref(reply);
    free(from_key);
    free(to_key);
}

/* Log records kept behind a snapshot: a front end that far behind (a burst
 * of writes elsewhere while its loop was busy) still catches up from the
 * log.  Further behind, it reloads and its monitoring clients
 * resynchronize. */
#define KEEP_RECORDS 100

/* The snapshot policy (etcd_backend_set_snapshot_policy()). */
static unsigned int snapshot_records = 1000;
static long long snapshot_interval_ms = 60 * 1000;
#define SNAPSHOT_BYTES (16 * 1024 * 1024)

void
etcd_backend_set_snapshot_policy(unsigned int records,
                                 unsigned int interval_s)
{
    snapshot_records = records;
    snapshot_interval_ms = interval_s * 1000LL;
}

/* The earliest this server snapshots on its own: after the interval and a
 * random part as long, so that front ends that cross the mark together
 * spread out (the compare on head lets only one of them win anyway). */
static void
schedule_snapshot(struct etcd_backend *eb)
{
    long long spread = snapshot_interval_ms
                       ? random() % snapshot_interval_ms : 0;
    eb->next_snapshot_ms = time_msec() + snapshot_interval_ms + spread;
}

/* As ovsdb-server's ovsdb_storage_should_snapshot(): not before the time
 * schedule_snapshot() set; then once enough records follow the snapshot,
 * or their bytes are many and 4 times the snapshot's (a big database
 * written rarely is not rewritten for a few records). */
static bool
etcd_backend_should_compact(const struct backend *b)
{
    const struct etcd_backend *eb = etcd_backend_cast(b);
    uint64_t records = eb->seq - eb->snapshot;

    if (!records || time_msec() < eb->next_snapshot_ms) {
        return false;
    }
    size_t bytes = eb->bytes_snapshot == eb->snapshot ? eb->log_bytes : 0;
    return (records >= snapshot_records
            || (bytes >= SNAPSHOT_BYTES && bytes / 4 >= eb->snap_bytes));
}

/* After a snapshot: etcd keeps every revision of every key until it is
 * compacted, so its own history is compacted too, to the revision of this
 * server's previous snapshot (at least an interval old).  Every read at a
 * revision is at one that a read just returned (a catch-up), and the watch
 * starts from the present, so no front end needs older revisions.  Best
 * effort: another front end may have compacted further already.  etcd
 * reuses the space; its file shrinks only on a defragment. */
static void
compact_etcd_history(struct etcd_backend *eb)
{
    long long rev = eb->etcd_compact_rev;

    eb->etcd_compact_rev = eb->head_rev;
    if (rev > 0) {
        json_t *req = json_pack("{s:I}", "revision", (json_int_t) rev);
        json_t *reply = NULL;
        struct ovsdb_error *error = etcd_client_call(eb->client,
                                                     "/v3/kv/compaction",
                                                     req, &reply);
        if (error) {
            char *msg = ovsdb_error_to_string(error);
            VLOG_DBG("%s: compacting etcd to revision %lld: %s",
                     eb->up.name, rev, msg);
            free(msg);
            ovsdb_error_destroy(error);
        } else {
            VLOG_INFO("%s: compacted etcd's history to revision %lld",
                      eb->up.name, rev);
        }
        json_decref(req);
        json_decref(reply);
    }
}

/* After this server's snapshot of 'snap_bytes' at the newest record landed
 * (a compaction or a conversion): older snapshots and their pieces go, and
 * the records the new one covers but the last KEEP_RECORDS, so that a
 * front end a little behind catches up from the log instead of reloading
 * (and resynchronizing its clients).  Pieces of record seq+1 on, which
 * another server may be writing, are out of these ranges. */
static void
drop_history(struct etcd_backend *eb, size_t snap_bytes)
{
    uint64_t keep_from = eb->seq > KEEP_RECORDS ? eb->seq - KEEP_RECORDS : 0;

    eb->bytes_snapshot = eb->seq;
    eb->log_bytes = 0;
    eb->snap_bytes = snap_bytes;
    delete_range(eb, "log", 0, keep_from + 1);
    delete_range(eb, "piece/log", 0, keep_from + 1);
    delete_range(eb, "snap", 0, eb->seq);
    delete_range(eb, "piece/snap", 0, eb->seq);
    compact_etcd_history(eb);
}

/* A snapshot at the newest record, then the log and pieces it makes
 * useless go. */
static struct ovsdb_error *
etcd_backend_compact(struct backend *b, const struct ovsdb_db *db)
{
    struct etcd_backend *eb = etcd_backend_cast(b);
    json_t *record = txn_record_from_db(db);
    char *value = json_dumps(record, JSON_COMPACT);
    struct ovsdb_error *error = commit_value(eb, value, true);

    size_t snap_bytes = strlen(value);
    free(value);
    json_decref(record);
    schedule_snapshot(eb);
    if (error) {
        return error;
    }
    drop_history(eb, snap_bytes);
    return NULL;
}

/* One etcd transaction, under the compare on head like a commit: the
 * converted database as the snapshot at the newest record (in pieces
 * first if large), the schema key with the new schema (the same cid; its
 * ephemeral columns made persistent, stored_schema()), and head with its
 * "schema" one higher.  Every other front end's catch-up
 * sees that number change and reloads (server.c then tells its clients as
 * on a conversion of its own).  If another front end committed first, the
 * conversion is not stored (backend_commit_conflicted()): the server
 * catches up and converts again. */
static struct ovsdb_error *
etcd_backend_convert(struct backend *b, const struct ovsdb_db *db,
                     const struct ovsdb_schema *schema,
                     struct ovsdb_db **loadedp)
{
    struct etcd_backend *eb = etcd_backend_cast(b);
    struct ovsdb_db *converted;
    char cid[UUID_LEN + 1];

    *loadedp = NULL;
    struct ovsdb_schema *stored = stored_schema(schema, "convert");
    struct ovsdb_error *error = ovsdb_convert(db, stored, &converted);
    if (error) {
        ovsdb_schema_destroy(stored);
        return error;
    }
    json_t *record = txn_record_from_db(converted);
    char *value = json_dumps(record, JSON_COMPACT);
    json_decref(record);
    ovsdb_db_destroy(converted);

    uuid_to_string(&eb->cid, cid);
    json_t *meta = json_pack("{s:o,s:s}", "schema",
                             ovsdb_schema_to_json(stored), "cid", cid);
    ovsdb_schema_destroy(stored);
    char *meta_s = json_dumps(meta, JSON_COMPACT);
    char *schema_key = key_of(eb, "schema");
    eb->extra_ops = json_pack("[o]", put_op(schema_key, meta_s,
                                            strlen(meta_s)));
    eb->schema_gen++;
    error = commit_value(eb, value, true);
    json_decref(eb->extra_ops);
    eb->extra_ops = NULL;
    free(schema_key);
    free(meta_s);
    json_decref(meta);
    if (error) {
        eb->schema_gen--;
    } else {
        drop_history(eb, strlen(value));
        /* What the other front ends will load, read back. */
        error = etcd_backend_load_db(b, loadedp);
    }
    free(value);
    return error;
}

static void
etcd_backend_get_status(const struct backend *b,
                        struct backend_status *status)
{
    const struct etcd_backend *eb = etcd_backend_cast(b);

    /* Every front end may write ("leader"), and the log's sequence number
     * is the same for the same state on every front end, so the IDLs,
     * which refuse a clustered server whose index is behind what they
     * saw, fail over between front ends without going back in time
     * (docs/storage-etcd.md, "_Server"). */
    status->model = "clustered";
    status->connected = true;
    status->leader = true;
    status->cid = eb->cid;
    status->sid = eb->sid;
    status->index = eb->seq;
}

static bool
etcd_backend_get_txn_id(const struct backend *b, struct uuid *id)
{
    const struct etcd_backend *eb = etcd_backend_cast(b);

    if (eb->has_last_txn_id) {
        *id = eb->last_txn_id;
    }
    return eb->has_last_txn_id;
}

/* The database as of txn 'id' (txn_id_of()): the snapshot, if it is older,
 * and the log records after it up to that txn. */
static struct ovsdb_error *
etcd_backend_load_at(struct backend *b, const struct ovsdb_db *db,
                     const struct uuid *id, struct ovsdb_db **thenp)
{
    struct etcd_backend *eb = etcd_backend_cast(b);
    uint64_t seq = ((uint64_t) id->parts[0] << 32) | id->parts[1];
    struct shash kvs = SHASH_INITIALIZER(&kvs);
    struct ovsdb_error *error = NULL;
    long long rev = 0;

    *thenp = NULL;
    /* The snapshot holds record 'snapshot' whole, which may be more than
     * up to the txn: the txn must be in a record after it. */
    if (id->parts[3] != eb->cid.parts[3] || seq <= eb->snapshot
        || seq > eb->seq) {
        return NULL;
    }
    if (eb->snapshot) {
        char *key = key_of(eb, "snap/%020"PRIu64, eb->snapshot);
        error = read_range(eb, key, NULL, 0, &kvs, &rev);
        free(key);
    }
    if (!error) {
        /* As of the same revision: a compaction since removes both. */
        char *from = key_of(eb, "log/%020"PRIu64, eb->snapshot + 1);
        char *to = key_of(eb, "log/%020"PRIu64, seq + 1);
        error = read_range(eb, from, etcd_b64_string(to), rev, &kvs, &rev);
        free(from);
        free(to);
    }
    json_t *snap = NULL;
    if (!error && eb->snapshot) {
        char key[32];
        snprintf(key, sizeof key, "snap/%020"PRIu64, eb->snapshot);
        snap = kvs_get_json(eb, &kvs, key, &error);
        if (!snap && !error) {
            goto out;               /* Compacted meanwhile: not held. */
        }
    }
    char key[32];
    snprintf(key, sizeof key, "log/%020"PRIu64, seq);
    char *full = key_of(eb, "%s", key);
    bool have = shash_find(&kvs, full);
    free(full);
    if (error || !have) {
        json_decref(snap);
        goto out;
    }

    struct ovsdb_db *then = ovsdb_db_create(ovsdb_schema_clone(db->schema));
    if (snap) {
        error = txn_record_replay(then, snap);
        json_decref(snap);
    }
    if (!error) {
        error = apply_log(eb, &kvs, then, eb->snapshot + 1, seq,
                          id->parts[2], NULL, NULL, NULL);
    }
    if (error) {
        ovsdb_db_destroy(then);
    } else {
        *thenp = then;
    }

out:
    kvs_destroy(&kvs);
    return error;
}

/* ---- The watch. ---- */

/* In the watch thread: hands 'w' to the loop. */
static void
queue_push(struct etcd_backend *eb, struct watched *w)
{
    w->next = NULL;
    pthread_mutex_lock(&eb->mutex);
    *eb->queue_tail = w;
    eb->queue_tail = &w->next;
    pthread_mutex_unlock(&eb->mutex);
}

/* In the watch thread: the watch (re)started, so commits since the last
 * event may be missed. */
static void
queue_restart(struct etcd_backend *eb)
{
    queue_push(eb, xzalloc(sizeof(struct watched)));
    uv_async_send(&eb->async);
}

static bool
is_log_key(const struct etcd_backend *eb, const char *key, uint64_t *seqp)
{
    size_t n = strlen(eb->prefix);

    if (strncmp(key, eb->prefix, n) || strncmp(key + n, "log/", 4)) {
        return false;
    }
    *seqp = strtoull(key + n + 4, NULL, 10);
    return true;
}

static bool
is_head_key(const struct etcd_backend *eb, const char *key)
{
    size_t n = strlen(eb->prefix);

    return !strncmp(key, eb->prefix, n) && !strcmp(key + n, "head");
}

/* In the watch thread: one reply of the watch stream. */
static bool
watch_event(const json_t *reply, void *eb_)
{
    struct etcd_backend *eb = eb_;
    bool rang = false;

    if (atomic_load(&eb->stop)) {
        return false;
    }
    const json_t *result = json_object_get(reply, "result");
    if (json_is_true(json_object_get(result, "created"))) {
        queue_restart(eb);
    }
    if (json_is_true(json_object_get(result, "canceled"))) {
        /* etcd ended the watch (its history was compacted past a watch
         * that fell behind) but not the stream: watch_main() watches
         * again, which starts with a catch-up that reads. */
        const char *reason = json_string_value(json_object_get(
                                                   result, "cancel_reason"));
        VLOG_WARN("%s: etcd canceled the watch (%s): watching again",
                  eb->up.name, reason ? reason : "no reason given");
        return false;
    }
    size_t i;
    json_t *ev;
    json_array_foreach (json_object_get(result, "events"), i, ev) {
        const json_t *kv_json = json_object_get(ev, "kv");
        const json_t *value = json_object_get(kv_json, "value");
        size_t klen;
        uint64_t seq;

        if (json_object_get(ev, "type") || !value) {
            continue;           /* A DELETE (compaction): nothing to do. */
        }
        char *key = etcd_b64_decode(json_object_get(kv_json, "key"), &klen);
        if (!key || (!is_head_key(eb, key) && !is_log_key(eb, key, &seq))) {
            free(key);          /* Another key in the range, or junk. */
            continue;
        }
        struct kv *kv = xzalloc(sizeof *kv);
        kv->value = etcd_b64_decode(value, &kv->len);
        kv->mod_revision = etcd_json_int(json_object_get(kv_json,
                                                         "mod_revision"));
        if (!kv->value) {
            /* Cannot be read: the loop reads it from etcd instead. */
            free(kv);
            free(key);
            queue_restart(eb);
            continue;
        }
        struct watched *w = xzalloc(sizeof *w);
        w->key = key;
        w->kv = kv;
        queue_push(eb, w);
        rang = true;
    }
    if (rang) {
        uv_async_send(&eb->async);
    }
    return true;
}

static void *
watch_main(void *eb_)
{
    struct etcd_backend *eb = eb_;
    struct etcd_client *client;
    struct ovsdb_error *error = etcd_client_create(eb->urls, &client);
    char *head_key = key_of(eb, "head");
    char *log_end = key_of(eb, "log0");     /* Just after "log/...". */

    if (error) {
        /* Cannot happen: the same URLs made the loop's client. */
        ovsdb_error_destroy(error);
        free(head_key);
        free(log_end);
        return NULL;
    }
    while (!atomic_load(&eb->stop)) {
        /* "head", then every "log/<N>" (and whatever else sorts between
         * them, which watch_event() ignores). */
        json_t *req = json_pack("{s:{s:o,s:o}}", "create_request",
                                "key", etcd_b64_string(head_key),
                                "range_end", etcd_b64_string(log_end));
        error = etcd_client_watch(client, req, watch_event, eb);
        json_decref(req);
        if (error && !atomic_load(&eb->stop)) {
            char *s = ovsdb_error_to_string(error);
            VLOG_WARN("%s: watch: %s (watching again in 1 s)", eb->up.name,
                      s);
            free(s);
            /* What happened meanwhile is read by a catch-up. */
            queue_restart(eb);
            sleep(1);
        }
        ovsdb_error_destroy(error);
    }
    free(head_key);
    free(log_end);
    etcd_client_destroy(client);
    return NULL;
}

static void
kv_destroy(struct kv *kv)
{
    if (kv) {
        free(kv->value);
        free(kv);
    }
}

/* Notes head's 'value', as of 'rev', as the newest head known if it is. */
static void
note_head(struct etcd_backend *eb, const char *value, size_t len,
          long long rev)
{
    json_t *head = json_loadb(value, len, 0, NULL);

    if (!json_is_object(head)) {
        eb->must_read = true;
    } else if (rev > eb->known_rev) {
        eb->known_seq = etcd_json_int(json_object_get(head, "seq"));
        eb->known_snapshot = etcd_json_int(json_object_get(head,
                                                           "snapshot"));
        eb->known_schema_gen = etcd_json_int(json_object_get(head,
                                                             "schema"));
        eb->known_rev = rev;
    }
    json_decref(head);
}

/* Takes what the watch queued: heads become the newest head known, log
 * records this server lacks go to 'pending'. */
static void
take_watched(struct etcd_backend *eb)
{
    pthread_mutex_lock(&eb->mutex);
    struct watched *w = eb->queue;
    eb->queue = NULL;
    eb->queue_tail = &eb->queue;
    pthread_mutex_unlock(&eb->mutex);

    while (w) {
        struct watched *next = w->next;
        uint64_t seq;

        if (!w->key) {
            eb->must_read = true;
        } else if (is_head_key(eb, w->key)) {
            note_head(eb, w->kv->value, w->kv->len, w->kv->mod_revision);
        } else if (is_log_key(eb, w->key, &seq) && seq > eb->seq) {
            kv_destroy(shash_replace(&eb->pending, w->key, w->kv));
            w->kv = NULL;
        }
        kv_destroy(w->kv);
        free(w->key);
        free(w);
        w = next;
    }
}

/* Drops from 'pending' what this server holds already, and pieces read for
 * records applied. */
static void
prune_pending(struct etcd_backend *eb)
{
    struct shash_node *node, *next;

    SHASH_FOR_EACH_SAFE (node, next, &eb->pending) {
        uint64_t seq;
        if (!is_log_key(eb, node->name, &seq) || seq <= eb->seq) {
            kv_destroy(node->data);
            shash_delete(&eb->pending, node);
        }
    }
}

/* Whether 'pending' holds log records first..last. */
static bool
records_pending(struct etcd_backend *eb, uint64_t first, uint64_t last)
{
    for (uint64_t n = first; n <= last; n++) {
        char *key = key_of(eb, "log/%020"PRIu64, n);
        bool have = shash_find(&eb->pending, key);
        free(key);
        if (!have) {
            return false;
        }
    }
    return true;
}

static void
watch_rang(uv_async_t *async)
{
    struct etcd_backend *eb = async->data;

    take_watched(eb);
    if (eb->must_read || eb->known_rev > eb->head_rev) {
        eb->changed(eb->changed_aux);
    }
}

static void
etcd_backend_watch(struct backend *b, uv_loop_t *loop,
                   void (*changed)(void *aux), void *aux)
{
    struct etcd_backend *eb = etcd_backend_cast(b);

    eb->changed = changed;
    eb->changed_aux = aux;
    uv_async_init(loop, &eb->async, watch_rang);
    eb->async.data = eb;
    int err = pthread_create(&eb->thread, NULL, watch_main, eb);
    if (err) {
        VLOG_ERR("%s: cannot start the etcd watch: %s (changes that other "
                 "servers store will not be seen)", eb->up.name,
                 strerror(err));
        uv_close((uv_handle_t *) &eb->async, NULL);
        return;
    }
    eb->watching = true;
}

/* Reads what the watch could not give: head (if 'with_head': the watch may
 * have missed commits) and the log records from seq+1, into 'pending'. */
static struct ovsdb_error *
read_missing(struct etcd_backend *eb, bool with_head)
{
    long long rev = 0;

    COVERAGE_INC(etcd_catch_up_read);
    if (with_head) {
        struct shash kvs = SHASH_INITIALIZER(&kvs);
        char *head_key = key_of(eb, "head");
        struct ovsdb_error *error = read_range(eb, head_key, NULL, 0, &kvs,
                                               &rev);
        const struct kv *kv = error ? NULL : shash_find_data(&kvs, head_key);

        free(head_key);
        if (!error && !kv) {
            error = ovsdb_error("I/O error", "database %s: no head key in "
                                "etcd", eb->up.name);
        }
        if (!error) {
            eb->known_rev = 0;      /* This is the newest. */
            note_head(eb, kv->value, kv->len, kv->mod_revision);
            if (!eb->known_rev) {
                error = ovsdb_error("I/O error", "database %s: etcd's head "
                                    "is not a JSON object", eb->up.name);
            }
        }
        kvs_destroy(&kvs);
        if (error || eb->known_seq <= eb->seq) {
            return error;           /* Usually nothing more to read. */
        }
    }
    /* The records this server lacks, as of the same revision as head if it
     * was read (records never change; their pieces, if any, are read by
     * kvs_get_json()). */
    char *from = key_of(eb, "log/%020"PRIu64, eb->seq + 1);
    char *log = key_of(eb, "log/");
    struct ovsdb_error *error = read_range(eb, from, etcd_prefix_end(log),
                                           rev, &eb->pending, &rev);
    free(from);
    free(log);
    return error;
}

static struct ovsdb_error *
etcd_backend_catch_up(struct backend *b, struct ovsdb_db *db,
                      void (*apply)(void *aux, struct ovsdb_txn *),
                      void *aux)
{
    struct etcd_backend *eb = etcd_backend_cast(b);
    struct ovsdb_error *error = NULL;

    take_watched(eb);
    prune_pending(eb);
    if (eb->must_read) {
        eb->must_read = false;
        error = read_missing(eb, true);
    } else if (eb->known_rev <= eb->head_rev) {
        return NULL;                /* Nothing newer known. */
    } else if (!records_pending(eb, eb->seq + 1, eb->known_seq)) {
        /* A gap, or a conflict's winner not watched yet. */
        error = read_missing(eb, false);
    } else {
        COVERAGE_INC(etcd_catch_up_watched);
    }

    if (!error && eb->known_schema_gen != eb->schema_gen) {
        /* The server reloads: the new schema and its snapshot. */
        error = ovsdb_error("I/O error", "database %s was converted to a "
                            "new schema by another server", eb->up.name);
    } else if (!error && eb->known_seq < eb->seq) {
        /* Head went back: the database was created again. */
        error = ovsdb_error("I/O error", "database %s: etcd's head is at "
                            "record %"PRIu64", behind this server's "
                            "%"PRIu64, eb->up.name, eb->known_seq, eb->seq);
    } else if (!error && eb->known_seq > eb->seq
               && eb->known_snapshot > eb->seq
               && !records_pending(eb, eb->seq + 1, eb->seq + 1)) {
        /* A snapshot past this server's last record keeps the last
         * KEEP_RECORDS: usually the next one is among them. */
        error = ovsdb_error("I/O error", "database %s: etcd's history "
                            "starts after record %"PRIu64", the last "
                            "this server has", eb->up.name, eb->seq);
    } else if (!error) {
        error = apply_log(eb, &eb->pending, db, eb->seq + 1, eb->known_seq,
                          SIZE_MAX, apply, aux, &eb->seq);
    }
    if (!error) {
        eb->snapshot = eb->known_snapshot;
        eb->head_rev = eb->known_rev;
    } else {
        eb->must_read = true;
        if (etcd_client_unavailable(eb->client)) {
            /* What was applied stays applied; the rest comes with the next
             * ring of the watch, which rings again once it is back. */
            char *s = ovsdb_error_to_string(error);
            VLOG_WARN("%s: catching up later: %s", eb->up.name, s);
            free(s);
            ovsdb_error_destroy(error);
            error = NULL;
        }
    }
    prune_pending(eb);
    return error;
}

/* backend_sync(): head is read again at the next catch-up (read_missing()
 * with head), a linearizable range, so the catch-up applies every commit
 * etcd acknowledged before now, watched yet or not.  Not while etcd is
 * unreachable: the read would wait out its timeout at every request, and
 * the front end answers from its replica then (docs/storage-etcd.md). */
static void
etcd_backend_sync(struct backend *b)
{
    struct etcd_backend *eb = etcd_backend_cast(b);

    if (!etcd_client_unavailable(eb->client)) {
        eb->must_read = true;
    }
}

const struct backend_class etcd_backend_class = {
    .name = "etcd",
    .create = etcd_backend_create,
    .open = etcd_backend_open,
    .close = etcd_backend_close,
    .load_db = etcd_backend_load_db,
    .begin_batch = etcd_backend_begin_batch,
    .write_txn = etcd_backend_write_txn,
    .commit_batch = etcd_backend_commit_batch,
    .compact = etcd_backend_compact,
    .should_compact = etcd_backend_should_compact,
    .convert = etcd_backend_convert,
    .get_status = etcd_backend_get_status,
    .get_txn_id = etcd_backend_get_txn_id,
    .load_at = etcd_backend_load_at,
    .watch = etcd_backend_watch,
    .catch_up = etcd_backend_catch_up,
    .sync = etcd_backend_sync,
    .locks_open = etcd_locks_open,
};
