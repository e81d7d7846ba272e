/* etcd-lock.c: OVSDB lock queues shared by the front ends of one etcd.
 * backend.h has the interface and the discipline; docs/storage-etcd.md
 * ("Locks across front ends") the design and the figures.
 *
 * Keys, under "/xsw-locks/" (beside every database's "/xsw/<db>/", not
 * in one: a lock belongs to the server, whatever database its clients
 * use, as in ovsdb-server; and no database name can collide with it):
 *
 *   <name>/l/<lease>/<n>  a session's "lock" of lock <name>
 *   <name>/s/<lease>/<n>  a session's "steal"
 *
 * <lease> is this front end's etcd lease (16 hex digits), to which every
 * key it puts is attached, and <n> counts the keys it made; the value
 * names the session, for people reading etcd.  The owner of <name> is its
 * s/ key if it has one, else its l/ key of the lowest create_revision
 * (etcd's "concurrency" recipe: the queue is global and FIFO).  A steal
 * deletes every other s/ key of the lock in the etcd transaction that puts
 * its own, so there is at most one: a former owner that had asked with
 * "lock" keeps its l/ key and owns the lock again once the thief leaves;
 * one that had stolen it loses its key ("lost"), as in ovsdb-server.
 *
 * Each front end learns the queues from a watch on the prefix: each event
 * rings the loop, which reads the whole prefix (keys only: a few keys per
 * lock) and so has every queue as of one revision, 'view_rev'.  Every
 * request of its own (put, steal, delete) is one etcd transaction that
 * ends with the same read, so the view is fresh after it without waiting
 * for the watch; the view only moves forward.  Each of these is a round
 * trip that the loop waits for (as for a commit), about 1 ms here.
 *
 * The lease.  A front end grants itself one lease of ETCD_LOCK_LEASE_TTL
 * seconds at start and keeps it alive every third of that.  kill -9 of the
 * front end stops the keep-alives, and etcd deletes its keys when the
 * lease expires: its locks pass to the next waiters within the TTL.  A
 * clean exit revokes the lease: at once.  10 s because a keep-alive must
 * survive an etcd leader election (1.5-3.8 s measured here, see
 * docs/storage-etcd.md) and a busy machine with room to spare, while the
 * standby of a killed front end's lock owner takes over in 10 s, which is
 * what OVN's own failover (an inactivity probe of 5 s or more, then a
 * reconnection) costs.
 *
 * Failing closed.  A keep-alive sent at t that etcd answers proves the
 * lease lives until t + TTL (etcd counts from when it got it, later).  If
 * no later keep-alive succeeds, this front end stops claiming any lock at
 * that deadline, whatever etcd may still hold: its owners are told
 * "stolen", and the transaction engine's "assert" fails for them.  The
 * thread then never keeps that lease alive again: it revokes it (best
 * effort: if etcd cannot be reached, it expires there on its own) and
 * grants a new one once etcd answers; the front end then queues its
 * "lock" waiters again, at the back, where they are told "locked" in
 * turn, as after any "stolen".  Its "steal"ers are lost (they must unlock
 * and ask again: a steal is not repeated behind the new owner's back).
 *
 * Threads: the loop owns everything but what is marked "shared"; the
 * thread has two connections of its own, one for the watch's stream and
 * one for the lease (called from the stream's callbacks, about once a
 * second while it is idle), and touches nothing else but the shared
 * atomics and the uv_async. */
#include <config.h>
#include "etcd-lock.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "ds.h"
#include "etcd-client.h"
#include "list.h"
#include "ovsdb-error.h"
#include "shash.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(etcd_lock);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

#define LOCK_PREFIX "/xsw-locks/"

/* A request of the loop's: the loop waits for it, so not long. */
#define LOOP_REQUEST_MS 1500
/* A request of the thread's (grant, keep-alive, revoke). */
#define LEASE_REQUEST_MS 1000

struct backend_locks {
    struct etcd_client *client;     /* The loop's. */
    char *urls;                     /* For the thread's clients. */
    struct ovs_list waiters;        /* struct backend_lock. */
    uint64_t n_keys;                /* Keys made, for their names. */
    struct shash doomed;            /* Keys to delete, when etcd answers. */

    /* Every queue as of 'view_rev'. */
    struct shash view;              /* Key -> struct view_key. */
    struct shash owners;            /* Lock name -> its owner's key (in
                                     * 'view'). */
    long long view_rev;
    unsigned int resyncs_seen;

    void (*changed)(void *aux);
    void *aux;
    uv_async_t async;               /* The thread rings. */
    uv_timer_t deadline;            /* At the lease's deadline. */
    int n_open_handles;             /* Until both closed: then free. */

    /* The thread. */
    pthread_t thread;
    bool running;

    /* Shared. */
    atomic_bool stop;
    atomic_llong lease;             /* 0: none (lost, or being granted). */
    atomic_llong valid_until;       /* Monotonic ms the lease surely
                                     * lives until. */
    atomic_llong latest_rev;        /* Of the last watch event. */
    atomic_uint resyncs;            /* The watch (re)started: read all. */
};

struct backend_lock {
    struct ovs_list node;           /* In locks->waiters. */
    char *name;
    char *who;
    bool steal;
    bool lost;
    char *key;                      /* NULL: not queued (yet, or again). */
    long long lease;                /* The lease 'key' is on. */
};

struct view_key {
    long long create_revision;
};

static json_t *
b64_next_key(const char *key)
{
    /* The first key after 'key': 'key' and a null byte. */
    return etcd_b64_json(key, strlen(key) + 1);
}

/* "/xsw-locks/<name>/<kind>/": the queue, or one kind of place in it. */
static char *
queue_prefix(const char *name, const char *kind)
{
    return xasprintf(LOCK_PREFIX"%s/%s", name, kind);
}

/* A range request of every key under the prefix, keys only. */
static json_t *
range_all(void)
{
    return json_pack("{s:o,s:o,s:b}", "key", etcd_b64_string(LOCK_PREFIX),
                     "range_end", etcd_prefix_end(LOCK_PREFIX),
                     "keys_only", true);
}

/* The same as an operation of a transaction. */
static json_t *
range_all_op(void)
{
    return json_pack("{s:o}", "request_range", range_all());
}

/* ---- The view. ---- */

static void
view_clear(struct backend_locks *bl)
{
    shash_destroy_free_data(&bl->view);
    shash_destroy_free_data(&bl->owners);
    shash_init(&bl->view);
    shash_init(&bl->owners);
}

/* Replaces the view by 'kvs' (a range reply's "kvs"), read at 'rev', unless
 * the view is as new already. */
static void
view_set(struct backend_locks *bl, const json_t *kvs, long long rev)
{
    if (rev <= bl->view_rev) {
        return;
    }
    view_clear(bl);
    bl->view_rev = rev;

    size_t i;
    json_t *kv;
    json_array_foreach (kvs, i, kv) {
        size_t len;
        char *key = etcd_b64_decode(json_object_get(kv, "key"), &len);
        if (!key) {
            continue;
        }
        long long crev = etcd_json_int(json_object_get(kv,
                                                       "create_revision"));
        /* "<name>/<l|s>/...": the rest is ours to ignore. */
        const char *name = key + strlen(LOCK_PREFIX);
        const char *slash = strchr(name, '/');
        if (strncmp(key, LOCK_PREFIX, strlen(LOCK_PREFIX)) || !slash
            || (slash[1] != 'l' && slash[1] != 's') || slash[2] != '/') {
            free(key);
            continue;
        }
        bool steal = slash[1] == 's';
        struct view_key *vk = xmalloc(sizeof *vk);
        vk->create_revision = crev;
        free(shash_replace(&bl->view, key, vk));

        /* The owner: the (newest) s/ key, else the oldest l/ key. */
        char *lock_name = xstrndup(name, slash - name);
        const char *owner = shash_find_data(&bl->owners, lock_name);
        bool better = !owner;
        if (owner) {
            const struct view_key *ok = shash_find_data(&bl->view, owner);
            const char *oslash = strchr(owner + strlen(LOCK_PREFIX), '/');
            bool owner_steals = oslash[1] == 's';
            better = (steal != owner_steals ? steal
                      : steal ? crev > ok->create_revision
                      : crev < ok->create_revision);
        }
        if (better) {
            free(shash_replace(&bl->owners, lock_name, xstrdup(key)));
        }
        free(lock_name);
        free(key);
    }
}

/* Reads every queue, if the watch saw something newer than the view. */
static void
view_refresh(struct backend_locks *bl)
{
    unsigned int resyncs = atomic_load(&bl->resyncs);

    if (resyncs == bl->resyncs_seen
        && atomic_load(&bl->latest_rev) <= bl->view_rev) {
        return;
    }
    json_t *req = range_all();
    json_t *reply;
    struct ovsdb_error *error = etcd_client_call(bl->client, "/v3/kv/range",
                                                 req, &reply);
    json_decref(req);
    if (error) {
        char *s = ovsdb_error_to_string(error);
        VLOG_WARN_RL(&rl, "locks: reading them again later: %s", s);
        free(s);
        ovsdb_error_destroy(error);
        return;
    }
    bl->resyncs_seen = resyncs;
    view_set(bl, json_object_get(reply, "kvs"),
             etcd_json_int(json_object_get(json_object_get(reply, "header"),
                                           "revision")));
    json_decref(reply);
}

/* Runs the etcd transaction whose success operations are 'ops' (taken),
 * followed by the read of every queue, which becomes the view. */
static struct ovsdb_error *
txn_and_view(struct backend_locks *bl, json_t *ops)
{
    json_array_append_new(ops, range_all_op());
    json_t *req = json_pack("{s:o}", "success", ops);
    json_t *reply;
    struct ovsdb_error *error = etcd_client_call(bl->client, "/v3/kv/txn",
                                                 req, &reply);
    json_decref(req);
    if (error) {
        return error;
    }
    const json_t *responses = json_object_get(reply, "responses");
    const json_t *range = json_object_get(
        json_array_get(responses, json_array_size(responses) - 1),
        "response_range");
    view_set(bl, json_object_get(range, "kvs"),
             etcd_json_int(json_object_get(json_object_get(reply, "header"),
                                           "revision")));
    json_decref(reply);
    return NULL;
}

/* ---- The lease: the thread's. ---- */

static void
lease_revoke(struct etcd_client *client, long long lease)
{
    json_t *req = json_pack("{s:I}", "ID", (json_int_t) lease);
    json_t *reply = NULL;

    ovsdb_error_destroy(etcd_client_call(client, "/v3/lease/revoke", req,
                                         &reply));
    json_decref(req);
    json_decref(reply);
}

/* Grants a lease and stores its deadline; 0 if etcd did not answer. */
static long long
grant(struct backend_locks *bl, struct etcd_client *client)
{
    json_t *req = json_pack("{s:i}", "TTL", ETCD_LOCK_LEASE_TTL);
    long long sent = time_msec();
    json_t *reply;
    struct ovsdb_error *error = etcd_client_call(client, "/v3/lease/grant",
                                                 req, &reply);
    long long lease = 0;

    json_decref(req);
    if (error) {
        char *s = ovsdb_error_to_string(error);
        VLOG_WARN_RL(&rl, "locks: no lease: %s", s);
        free(s);
        ovsdb_error_destroy(error);
        return 0;
    }
    long long ttl = etcd_json_int(json_object_get(reply, "TTL"));
    lease = etcd_json_int(json_object_get(reply, "ID"));
    json_decref(reply);
    if (ttl <= 0 || !lease) {
        return 0;
    }
    atomic_store(&bl->valid_until, sent + ttl * 1000);
    return lease;
}

/* Keeps the lease alive when it is time ('*nextp'), or, if it is lost,
 * gets a new one; rings the loop when the lease changes. */
static void
tend_lease(struct backend_locks *bl, struct etcd_client *client,
           long long *nextp)
{
    long long lease = atomic_load(&bl->lease);
    long long now = time_msec();

    if (lease && now >= atomic_load(&bl->valid_until)) {
        /* The loop stops claiming its locks now (fail closed).  Never keep
         * this lease alive again: the loop forgets its keys. */
        VLOG_WARN("locks: lease %016llx lapsed (no keep-alive answered in "
                  "%d s): its locks are given up", lease,
                  ETCD_LOCK_LEASE_TTL);
        atomic_store(&bl->lease, 0);
        uv_async_send(&bl->async);
        lease_revoke(client, lease);
        lease = 0;
        *nextp = now;
    }
    if (now < *nextp) {
        return;
    }
    if (!lease) {
        lease = grant(bl, client);
        if (lease) {
            VLOG_INFO("locks: new lease %016llx", lease);
            atomic_store(&bl->lease, lease);
            uv_async_send(&bl->async);
            *nextp = now + ETCD_LOCK_LEASE_TTL * 1000 / 3;
        } else {
            *nextp = now + 1000;
        }
        return;
    }

    json_t *req = json_pack("{s:I}", "ID", (json_int_t) lease);
    json_t *reply;
    struct ovsdb_error *error = etcd_client_call(client, "/v3/lease/keepalive",
                                                 req, &reply);
    json_decref(req);
    if (error) {
        /* Again soon; the deadline above decides. */
        char *s = ovsdb_error_to_string(error);
        VLOG_WARN_RL(&rl, "locks: keep-alive of lease %016llx: %s", lease,
                     s);
        free(s);
        ovsdb_error_destroy(error);
        *nextp = now + 500;
        return;
    }
    long long ttl = etcd_json_int(json_object_get(
                                      json_object_get(reply, "result"),
                                      "TTL"));
    json_decref(reply);
    if (ttl > 0) {
        atomic_store(&bl->valid_until, now + ttl * 1000);
        *nextp = now + ttl * 1000 / 3;
    } else {
        /* etcd no longer has it (it expired there first). */
        VLOG_WARN("locks: etcd lost lease %016llx: its locks are given up",
                  lease);
        atomic_store(&bl->valid_until, 0);
        atomic_store(&bl->lease, 0);
        uv_async_send(&bl->async);
        *nextp = now;
    }
}

struct thread_ctx {
    struct backend_locks *bl;
    struct etcd_client *lease_client;
    long long next_keepalive;
};

static bool
watch_event(const json_t *reply, void *ctx_)
{
    struct thread_ctx *ctx = ctx_;
    struct backend_locks *bl = ctx->bl;

    if (atomic_load(&bl->stop)) {
        return false;
    }
    tend_lease(bl, ctx->lease_client, &ctx->next_keepalive);
    const json_t *result = json_object_get(reply, "result");
    if (json_is_true(json_object_get(result, "canceled"))) {
        /* etcd ended the watch (a compaction passed it): watch again, and
         * read everything meanwhile. */
        atomic_fetch_add(&bl->resyncs, 1);
        uv_async_send(&bl->async);
        return false;
    }
    if (json_is_true(json_object_get(result, "created"))) {
        /* What changed before the watch began is for a read to find. */
        atomic_fetch_add(&bl->resyncs, 1);
        uv_async_send(&bl->async);
    }
    if (json_array_size(json_object_get(result, "events"))) {
        atomic_store(&bl->latest_rev,
                     etcd_json_int(json_object_get(
                                       json_object_get(result, "header"),
                                       "revision")));
        uv_async_send(&bl->async);
    }
    return true;
}

static void *
thread_main(void *bl_)
{
    struct backend_locks *bl = bl_;
    struct thread_ctx ctx = { .bl = bl,
                              .next_keepalive = time_msec()
                              + ETCD_LOCK_LEASE_TTL * 1000 / 3 };
    struct etcd_client *watch_client = NULL;

    /* The same URLs made the loop's client: these cannot fail. */
    struct ovsdb_error *error = etcd_client_create(bl->urls, &watch_client);
    if (!error) {
        error = etcd_client_create(bl->urls, &ctx.lease_client);
    }
    if (error) {
        xsw_fatal("locks: %s", ovsdb_error_to_string(error));
    }
    etcd_client_set_timeout(ctx.lease_client, LEASE_REQUEST_MS);
    while (!atomic_load(&bl->stop)) {
        json_t *req = json_pack("{s:{s:o,s:o}}", "create_request",
                                "key", etcd_b64_string(LOCK_PREFIX),
                                "range_end", etcd_b64_string("/xsw-locks0"));
        error = etcd_client_watch(watch_client, req, watch_event, &ctx);
        json_decref(req);
        if (error && !atomic_load(&bl->stop)) {
            char *s = ovsdb_error_to_string(error);
            VLOG_WARN_RL(&rl, "locks: watch: %s (watching again in 1 s)", s);
            free(s);
            atomic_fetch_add(&bl->resyncs, 1);
            uv_async_send(&bl->async);
            for (int i = 0; i < 10 && !atomic_load(&bl->stop); i++) {
                tend_lease(bl, ctx.lease_client, &ctx.next_keepalive);
                uv_sleep(100);
            }
        }
        ovsdb_error_destroy(error);
    }
    etcd_client_destroy(watch_client);
    etcd_client_destroy(ctx.lease_client);
    return NULL;
}

/* ---- The loop's side. ---- */

static bool
lease_valid(const struct backend_locks *bl, long long *leasep)
{
    /* 'lease' first: the thread stores the deadline before a new lease. */
    long long lease = atomic_load((atomic_llong *) &bl->lease);

    *leasep = lease;
    return lease && time_msec() < atomic_load((atomic_llong *)
                                            &bl->valid_until);
}

static void
ring_cb(uv_async_t *async)
{
    struct backend_locks *bl = async->data;

    bl->changed(bl->aux);
}

static void
deadline_cb(uv_timer_t *timer)
{
    struct backend_locks *bl = timer->data;

    bl->changed(bl->aux);
}

/* Puts 'l''s key, on the current lease: a steal deletes the queue's other
 * s/ keys in the same transaction (etcd refuses a put inside a range that
 * the same transaction deletes: two ranges, around the new key). */
static void
lock_queue(struct backend_locks *bl, struct backend_lock *l)
{
    long long lease;

    if (!lease_valid(bl, &lease)) {
        return;                 /* When a lease is back. */
    }
    char *key = xasprintf(LOCK_PREFIX"%s/%c/%016llx/%"PRIu64, l->name,
                          l->steal ? 's' : 'l', lease, bl->n_keys++);
    json_t *ops = json_array();
    if (l->steal) {
        char *from = queue_prefix(l->name, "s/");
        char *to = queue_prefix(l->name, "s0");
        json_array_append_new(ops, json_pack(
                                  "{s:{s:o,s:o}}", "request_delete_range",
                                  "key", etcd_b64_string(from),
                                  "range_end", etcd_b64_string(key)));
        json_array_append_new(ops, json_pack(
                                  "{s:{s:o,s:o}}", "request_delete_range",
                                  "key", b64_next_key(key),
                                  "range_end", etcd_b64_string(to)));
        free(from);
        free(to);
    }
    json_array_append_new(ops, json_pack("{s:{s:o,s:o,s:I}}", "request_put",
                                         "key", etcd_b64_string(key),
                                         "value", etcd_b64_string(l->who),
                                         "lease", (json_int_t) lease));
    struct ovsdb_error *error = txn_and_view(bl, ops);
    if (error) {
        char *s = ovsdb_error_to_string(error);
        VLOG_WARN_RL(&rl, "locks: %s of %s waits: %s",
                     l->steal ? "steal" : "lock", l->name, s);
        free(s);
        ovsdb_error_destroy(error);
        free(key);
        return;
    }
    l->key = key;
    l->lease = lease;
}

/* 'l' no longer has its key: a thief took it, or the lease went. */
static void
lock_unqueued(struct backend_lock *l)
{
    free(l->key);
    l->key = NULL;
    l->lost = l->steal;
}

static void
delete_doomed(struct backend_locks *bl)
{
    struct shash_node *node, *next;

    SHASH_FOR_EACH_SAFE (node, next, &bl->doomed) {
        json_t *ops = json_pack("[{s:{s:o}}]", "request_delete_range",
                                "key", etcd_b64_string(node->name));
        struct ovsdb_error *error = txn_and_view(bl, ops);
        if (error) {
            ovsdb_error_destroy(error);
            return;             /* The rest too: later. */
        }
        shash_delete(&bl->doomed, node);
    }
}

void
backend_locks_refresh(struct backend_locks *bl)
{
    struct backend_lock *l;
    long long lease;
    bool valid = lease_valid(bl, &lease);

    /* Keys on a lease that is gone, or that the view no longer has. */
    view_refresh(bl);
    LIST_FOR_EACH (l, node, &bl->waiters) {
        if (l->key && (l->lease != lease
                       || !shash_find(&bl->view, l->key))) {
            lock_unqueued(l);
        }
    }
    if (valid) {
        delete_doomed(bl);
        LIST_FOR_EACH (l, node, &bl->waiters) {
            if (!l->key && !l->lost) {
                lock_queue(bl, l);
            }
        }
        long long left = atomic_load(&bl->valid_until) - time_msec();
        uv_timer_start(&bl->deadline, deadline_cb, MAX(left, 0) + 1, 0);
    }
}

struct backend_lock *
backend_lock_enqueue(struct backend_locks *bl, const char *name, bool steal,
                     const char *who)
{
    struct backend_lock *l = xzalloc(sizeof *l);

    l->name = xstrdup(name);
    l->who = xstrdup(who);
    l->steal = steal;
    ovs_list_push_back(&bl->waiters, &l->node);
    lock_queue(bl, l);
    return l;
}

void
backend_lock_dequeue(struct backend_locks *bl, struct backend_lock *l)
{
    long long lease;

    if (l->key && lease_valid(bl, &lease) && l->lease == lease) {
        json_t *ops = json_pack("[{s:{s:o}}]", "request_delete_range",
                                "key", etcd_b64_string(l->key));
        struct ovsdb_error *error = txn_and_view(bl, ops);
        if (error) {
            /* The key would keep its place as long as the lease lives:
             * delete it once etcd answers. */
            char *s = ovsdb_error_to_string(error);
            VLOG_WARN_RL(&rl, "locks: unlock of %s: %s (again later)",
                         l->name, s);
            free(s);
            ovsdb_error_destroy(error);
            shash_add_once(&bl->doomed, l->key, NULL);
        }
    }
    ovs_list_remove(&l->node);
    free(l->name);
    free(l->who);
    free(l->key);
    free(l);
}

enum backend_lock_state
backend_lock_get_state(const struct backend_locks *bl,
                       const struct backend_lock *l)
{
    long long lease;

    if (l->lost) {
        return BACKEND_LOCK_LOST;
    }
    if (!l->key || !lease_valid(bl, &lease) || l->lease != lease) {
        return BACKEND_LOCK_WAITING;
    }
    const char *owner = shash_find_data(&bl->owners, l->name);
    return owner && !strcmp(owner, l->key) ? BACKEND_LOCK_OWNER
                                           : BACKEND_LOCK_WAITING;
}

struct ovsdb_error *
etcd_locks_open(const char *urls, uv_loop_t *loop,
                void (*changed)(void *aux), void *aux,
                struct backend_locks **locksp)
{
    struct backend_locks *bl = xzalloc(sizeof *bl);
    struct ovsdb_error *error;

    *locksp = NULL;
    error = etcd_client_create(urls, &bl->client);
    if (error) {
        free(bl);
        return error;
    }
    etcd_client_set_timeout(bl->client, LOOP_REQUEST_MS);
    bl->urls = xstrdup(urls);
    ovs_list_init(&bl->waiters);
    shash_init(&bl->doomed);
    shash_init(&bl->view);
    shash_init(&bl->owners);
    bl->changed = changed;
    bl->aux = aux;

    long long lease = grant(bl, bl->client);
    if (!lease) {
        etcd_client_destroy(bl->client);
        free(bl->urls);
        free(bl);
        return ovsdb_error("I/O error", "etcd at %s: cannot grant this "
                           "server's lease for locks", urls);
    }
    atomic_store(&bl->lease, lease);
    atomic_store(&bl->latest_rev, 0);
    atomic_store(&bl->resyncs, 1);      /* Read everything at once. */
    view_refresh(bl);

    uv_async_init(loop, &bl->async, ring_cb);
    bl->async.data = bl;
    uv_timer_init(loop, &bl->deadline);
    bl->deadline.data = bl;
    bl->n_open_handles = 2;
    int err = pthread_create(&bl->thread, NULL, thread_main, bl);
    if (err) {
        /* Without keep-alives the lease would lapse: refuse now. */
        lease_revoke(bl->client, lease);
        backend_locks_close(bl);
        return ovsdb_error("I/O error", "cannot start the etcd lock thread: "
                           "%s", strerror(err));
    }
    bl->running = true;
    VLOG_INFO("locks: shared through etcd at %s, lease %016llx (%d s)",
              urls, lease, ETCD_LOCK_LEASE_TTL);
    *locksp = bl;
    return NULL;
}

static void
handle_closed(uv_handle_t *handle)
{
    struct backend_locks *bl = handle->data;

    if (!--bl->n_open_handles) {
        free(bl);
    }
}

void
backend_locks_close(struct backend_locks *bl)
{
    if (!bl) {
        return;
    }
    /* Every place at once: the others are told at once, not after the
     * TTL; before the thread stops (up to a second: its watch's next
     * progress call), which, told to stop first, keeps no lease alive
     * again. */
    atomic_store(&bl->stop, true);
    long long lease = atomic_load(&bl->lease);
    if (lease) {
        lease_revoke(bl->client, lease);
    }
    if (bl->running) {
        pthread_join(bl->thread, NULL);
    }
    struct backend_lock *l, *next;
    LIST_FOR_EACH_SAFE (l, next, node, &bl->waiters) {
        ovs_list_remove(&l->node);
        free(l->name);
        free(l->who);
        free(l->key);
        free(l);
    }
    etcd_client_destroy(bl->client);
    free(bl->urls);
    shash_destroy(&bl->doomed);
    view_clear(bl);
    shash_destroy(&bl->view);
    shash_destroy(&bl->owners);
    uv_close((uv_handle_t *) &bl->async, handle_closed);
    uv_close((uv_handle_t *) &bl->deadline, handle_closed);
}
