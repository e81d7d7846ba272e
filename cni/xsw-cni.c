/* xsw-cni.c: a CNI plugin that attaches containers to xsw bridges through
 * internal ports.
 *
 * A container runtime runs it once per operation, with the operation in
 * the environment (CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME,
 * CNI_PATH) and the network configuration on stdin, and reads a result or
 * an error object from stdout (CNI spec 1.0.0; 0.3.x and 0.4.0, which
 * podman 4.3 speaks, too).
 *
 *   ADD    insert Port + Interface (type internal) on the configured bridge
 *          -> wait until xsw-switchd has made the TAP device (ofport set,
 *          device present) -> move it into CNI_NETNS, renamed CNI_IFNAME,
 *          and set it up -> run the IPAM plugin (with our environment, so
 *          dhcp finds the netns and device) -> put its addresses and routes
 *          on the device -> print the result.  Any failure undoes what was
 *          done.
 *   DEL    IPAM DEL -> remove the port from the database (xsw-switchd then
 *          deletes the device, wherever it is) -> make sure the device is
 *          gone from the container.  Whatever is already gone is success.
 *   CHECK  the port, its device in the container, its MAC, and IPAM CHECK.
 *   VERSION
 *
 * The port is named PREFIX + a hash of (container id, ifname): unique per
 * attachment, at most 15 characters, and found again by DEL even if the
 * runtime lost everything else.  The Interface row records the container in
 * external_ids (container-id, netns, ifname, cni-network), for "xsw-ctl
 * find Interface external_ids:container-id=ID".
 *
 * The database is reached with the blocking JSON-RPC client (one process,
 * a handful of transactions, no event loop needed).  Nothing is logged:
 * every failure is one CNI error object. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "ds.h"
#include "jsonrpc.h"
#include "jsonrpc-client.h"
#include "netns.h"
#include "rtnl.h"
#include "timeval.h"
#include "util.h"

/* Error codes of the CNI spec (1.0.0, "Error"); 100 and up are ours. */
enum cni_code {
    CNI_ERR_VERSION = 1,        /* Incompatible CNI version. */
    CNI_ERR_UNSUPPORTED = 2,    /* Unsupported field in the config. */
    CNI_ERR_CONTAINER = 3,      /* Container unknown or does not exist. */
    CNI_ERR_ENV = 4,            /* Invalid necessary environment variable. */
    CNI_ERR_IO = 5,             /* I/O failure. */
    CNI_ERR_DECODE = 6,         /* Failed to decode content. */
    CNI_ERR_CONFIG = 7,         /* Invalid network config. */
    CNI_ERR_TRY_AGAIN = 11,     /* Try again later. */
    CNI_ERR_PLUGIN = 100,       /* The switch or the kernel refused. */
};

static const char *const supported_versions[] = {
    "0.3.0", "0.3.1", "0.4.0", "1.0.0",
};

#define DEFAULT_PORT_PREFIX "xc"
#define MAX_PORT_PREFIX 7       /* Leaves 8 hex digits of hash in 15. */
#define DEFAULT_TIMEOUT 20      /* Seconds to wait for xsw-switchd. */
#define DB_NAME "Open_vSwitch"

/* The version the answer is written in: the config's, once known. */
static const char *answer_version = "1.0.0";

/* ---- Undo on failure. ----
 * ADD registers what it has done; a later failure undoes it (most recent
 * first) before the plugin exits, so that a failed ADD leaves nothing
 * behind. */

static void (*undo_steps[4])(void);
static size_t n_undo;

static void
push_undo(void (*step)(void))
{
    if (n_undo < ARRAY_SIZE(undo_steps)) {
        undo_steps[n_undo++] = step;
    }
}

static void cni_fail(int code, const char *format, ...)
    PRINTF_FORMAT(2, 3) NO_RETURN;

/* Prints a CNI error object, undoes what ADD did, and exits. */
static void
cni_fail(int code, const char *format, ...)
{
    static bool failing;
    va_list args;
    char *msg;

    if (failing) {
        /* An undo step failed too: the error is printed already. */
        _exit(EXIT_FAILURE);
    }
    failing = true;

    va_start(args, format);
    msg = xvasprintf(format, args);
    va_end(args);

    json_t *err = json_pack("{s:s, s:i, s:s}", "cniVersion", answer_version,
                            "code", code, "msg", msg);
    json_dumpf(err, stdout, JSON_INDENT(4));
    fputc('\n', stdout);
    fflush(stdout);
    while (n_undo > 0) {
        undo_steps[--n_undo]();
    }
    exit(EXIT_FAILURE);
}

/* ---- The request: environment and configuration. ---- */

struct cni_request {
    const char *command;        /* CNI_COMMAND. */
    const char *container_id;   /* CNI_CONTAINERID. */
    const char *netns;          /* CNI_NETNS, may be NULL for DEL. */
    const char *ifname;         /* CNI_IFNAME. */
    const char *path;           /* CNI_PATH. */

    char *stdin_data;           /* The configuration as received. */
    size_t stdin_len;
    json_t *config;             /* Parsed. */

    const char *version;        /* cniVersion. */
    const char *name;           /* Network name. */
    const char *bridge;
    int vlan;                   /* -1: none. */
    json_t *trunks;             /* Array of integers, or NULL. */
    int mtu;                    /* 0: none. */
    const char *mac;            /* NULL: derived by xsw-switchd. */
    const char *ipam_type;      /* NULL: no IPAM. */
    const char *db;             /* Remote. */
    const char *port_prefix;
    int timeout;                /* Seconds. */

    char port[IF_NAMESIZE];     /* Our port's name. */
};

static struct cni_request req;

static const char *
getenv_nonempty(const char *name)
{
    const char *value = getenv(name);
    return value && *value ? value : NULL;
}

static const char *
require_env(const char *name)
{
    const char *value = getenv_nonempty(name);
    if (!value) {
        cni_fail(CNI_ERR_ENV, "%s is not set", name);
    }
    return value;
}

static void
read_stdin(void)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    char buf[4096];
    ssize_t n;

    while ((n = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            cni_fail(CNI_ERR_IO, "cannot read the configuration from stdin "
                     "(%s)", strerror(errno));
        }
        ds_put_buffer(&ds, buf, n);
    }
    req.stdin_len = ds.len;
    req.stdin_data = ds_steal_cstr(&ds);
}

static bool
version_is_supported(const char *version)
{
    for (size_t i = 0; i < ARRAY_SIZE(supported_versions); i++) {
        if (!strcmp(version, supported_versions[i])) {
            return true;
        }
    }
    return false;
}

/* Compares versions "a.b.c" numerically. */
static int
version_compare(const char *a, const char *b)
{
    unsigned int x[3] = { 0, 0, 0 }, y[3] = { 0, 0, 0 };

    sscanf(a, "%u.%u.%u", &x[0], &x[1], &x[2]);
    sscanf(b, "%u.%u.%u", &y[0], &y[1], &y[2]);
    for (int i = 0; i < 3; i++) {
        if (x[i] != y[i]) {
            return x[i] < y[i] ? -1 : 1;
        }
    }
    return 0;
}

static const char *
config_string(const char *key, bool required)
{
    json_t *value = json_object_get(req.config, key);

    if (!value || json_is_null(value)) {
        if (required) {
            cni_fail(CNI_ERR_CONFIG, "network configuration has no \"%s\"",
                     key);
        }
        return NULL;
    }
    if (!json_is_string(value) || !*json_string_value(value)) {
        cni_fail(CNI_ERR_CONFIG, "\"%s\" must be a non-empty string", key);
    }
    return json_string_value(value);
}

/* An integer member 'key' within [min, max], or 'dflt' if absent. */
static int
config_int(const char *key, int min, int max, int dflt)
{
    json_t *value = json_object_get(req.config, key);

    if (!value || json_is_null(value)) {
        return dflt;
    }
    if (!json_is_integer(value) || json_integer_value(value) < min
        || json_integer_value(value) > max) {
        cni_fail(CNI_ERR_CONFIG, "\"%s\" must be an integer between %d and "
                 "%d", key, min, max);
    }
    return json_integer_value(value);
}

static bool
valid_mac(const char *s)
{
    unsigned int b[6];
    char extra;

    return (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
                   &b[3], &b[4], &b[5], &extra) == 6
            && strlen(s) == 17 && !(b[0] & 1));
}

/* "trunk": [N, {"id": N}, {"minID": A, "maxID": B}, ...] (the forms the
 * CNI ovs and bridge plugins use). */
static void
parse_trunks(json_t *trunk)
{
    json_t *elem;
    size_t i;

    if (!json_is_array(trunk) || !json_array_size(trunk)) {
        cni_fail(CNI_ERR_CONFIG, "\"trunk\" must be a non-empty array of "
                 "VLAN IDs or {\"id\"}, {\"minID\", \"maxID\"} objects");
    }
    req.trunks = json_array();
    json_array_foreach (trunk, i, elem) {
        json_int_t lo, hi;

        if (json_is_integer(elem)) {
            lo = hi = json_integer_value(elem);
        } else if (json_is_object(elem)
                   && json_is_integer(json_object_get(elem, "id"))) {
            lo = hi = json_integer_value(json_object_get(elem, "id"));
        } else if (json_is_object(elem)
                   && json_is_integer(json_object_get(elem, "minID"))
                   && json_is_integer(json_object_get(elem, "maxID"))) {
            lo = json_integer_value(json_object_get(elem, "minID"));
            hi = json_integer_value(json_object_get(elem, "maxID"));
        } else {
            cni_fail(CNI_ERR_CONFIG, "\"trunk\" element %zu is neither a "
                     "VLAN ID nor an {\"id\"} or {\"minID\", \"maxID\"} "
                     "object", i);
        }
        if (lo < 0 || hi > 4095 || lo > hi) {
            cni_fail(CNI_ERR_CONFIG, "\"trunk\" element %zu: VLAN IDs must "
                     "be between 0 and 4095", i);
        }
        for (json_int_t v = lo; v <= hi; v++) {
            json_array_append_new(req.trunks, json_integer(v));
        }
    }
}

/* An FNV-1a hash of the attachment, for the port's name. */
static uint64_t
attachment_hash(void)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    const char *parts[] = { req.container_id, "/", req.ifname };

    for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
        for (const char *p = parts[i]; *p; p++) {
            h ^= (uint8_t) *p;
            h *= UINT64_C(0x100000001b3);
        }
    }
    return h;
}

static void
parse_config(void)
{
    json_error_t jerr;
    json_t *value;

    req.config = json_loadb(req.stdin_data, req.stdin_len, 0, &jerr);
    if (!req.config) {
        cni_fail(CNI_ERR_DECODE, "network configuration is not valid JSON: "
                 "%s (line %d, column %d)", jerr.text, jerr.line,
                 jerr.column);
    }
    if (!json_is_object(req.config)) {
        cni_fail(CNI_ERR_DECODE, "network configuration is not a JSON "
                 "object");
    }

    req.version = config_string("cniVersion", true);
    if (!version_is_supported(req.version)) {
        cni_fail(CNI_ERR_VERSION, "cniVersion \"%s\" is not supported "
                 "(supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0)", req.version);
    }
    answer_version = req.version;
    req.name = config_string("name", true);
    req.bridge = config_string("bridge", true);
    req.vlan = config_int("vlan", 0, 4095, -1);
    value = json_object_get(req.config, "trunk");
    if (value && !json_is_null(value)) {
        parse_trunks(value);
        if (req.vlan >= 0) {
            cni_fail(CNI_ERR_CONFIG, "\"vlan\" (an access port) and "
                     "\"trunk\" (a trunk port) exclude each other");
        }
    }
    req.mtu = config_int("mtu", 68, 65535, 0);
    req.mac = config_string("mac", false);
    if (req.mac && !valid_mac(req.mac)) {
        cni_fail(CNI_ERR_CONFIG, "\"mac\" \"%s\" is not a unicast MAC "
                 "address xx:xx:xx:xx:xx:xx", req.mac);
    }
    req.db = config_string("db", false);
    if (!req.db) {
        req.db = xasprintf("unix:%s/db.sock", xsw_rundir());
    }
    req.timeout = config_int("timeout", 1, 3600, DEFAULT_TIMEOUT);
    req.port_prefix = config_string("portPrefix", false);
    if (!req.port_prefix) {
        req.port_prefix = DEFAULT_PORT_PREFIX;
    }
    if (strlen(req.port_prefix) > MAX_PORT_PREFIX
        || strpbrk(req.port_prefix, "/: \t\n")) {
        cni_fail(CNI_ERR_CONFIG, "\"portPrefix\" must be at most %d "
                 "characters, none of them '/', ':' or blank",
                 MAX_PORT_PREFIX);
    }

    value = json_object_get(req.config, "ipam");
    if (value && !json_is_null(value)) {
        json_t *type = json_object_get(value, "type");
        if (!json_is_object(value)) {
            cni_fail(CNI_ERR_CONFIG, "\"ipam\" must be an object");
        }
        if (json_object_size(value) > 0) {
            if (!json_is_string(type) || !*json_string_value(type)
                || strchr(json_string_value(type), '/')) {
                cni_fail(CNI_ERR_CONFIG, "\"ipam\" needs a \"type\": the "
                         "name of an IPAM plugin in CNI_PATH");
            }
            req.ipam_type = json_string_value(type);
        }
    }
}

static void
parse_env(bool need_netns)
{
    req.container_id = require_env("CNI_CONTAINERID");
    req.ifname = require_env("CNI_IFNAME");
    req.netns = need_netns ? require_env("CNI_NETNS")
                           : getenv_nonempty("CNI_NETNS");
    req.path = getenv_nonempty("CNI_PATH");
    if (strlen(req.ifname) >= IF_NAMESIZE || strpbrk(req.ifname, "/: \t\n")) {
        cni_fail(CNI_ERR_ENV, "CNI_IFNAME \"%s\" is not a valid network "
                 "device name (at most %d characters, no '/', ':' or "
                 "blank)", req.ifname, IF_NAMESIZE - 1);
    }
    snprintf(req.port, sizeof req.port, "%s%0*"PRIx64, req.port_prefix,
             (int) (IF_NAMESIZE - 1 - strlen(req.port_prefix)),
             attachment_hash() >> (64 - 4 * (IF_NAMESIZE - 1
                                             - strlen(req.port_prefix))));
}

/* ---- The database. ---- */

static struct jsonrpc_client *db_client;

static void
sleep_ms(int ms)
{
    poll(NULL, 0, ms);
}

/* Connects, retrying until 'deadline' (a restarting xsw-dbserver comes
 * back).  Returns false with '*errorp' set if it never answered. */
static bool
db_connect(double deadline, char **errorp)
{
    while (!db_client) {
        char *error = NULL;
        int retval = jsonrpc_client_open(req.db, 2000, &db_client, &error);
        if (!retval) {
            break;
        }
        free(*errorp);
        *errorp = error ? error : xstrdup(strerror(retval));
        if (time_sec() >= deadline) {
            return false;
        }
        sleep_ms(200);
    }
    return true;
}

static void
db_disconnect(void)
{
    if (db_client) {
        jsonrpc_client_close(db_client);
        db_client = NULL;
    }
}

/* Runs the operations 'ops' (taken) as one transaction.  Returns the
 * reply's "result" array (owned by '*replyp', which the caller frees), or
 * NULL with '*errorp' set (malloc'd) if the server could not be reached or
 * the transaction failed. */
static json_t *
db_transact(json_t *ops, double deadline, json_t **replyp, char **errorp)
{
    *replyp = NULL;
    *errorp = NULL;
    json_array_insert_new(ops, 0, json_string(DB_NAME));
    for (;;) {
        json_t *request, *reply, *result;
        char *error = NULL;
        int retval;

        if (!db_connect(deadline, errorp)) {
            json_decref(ops);
            return NULL;
        }
        request = jsonrpc_create_request("transact", json_incref(ops),
                                         json_integer(0));
        retval = jsonrpc_client_transact(db_client, request, 10000, &reply,
                                         &error);
        if (retval) {
            /* The server went away under us: reconnect and retry (the
             * operations are written so that replaying them is safe). */
            free(*errorp);
            *errorp = error ? error : xstrdup(strerror(retval));
            db_disconnect();
            if (time_sec() >= deadline) {
                json_decref(ops);
                return NULL;
            }
            sleep_ms(200);
            continue;
        }
        free(*errorp);
        *errorp = NULL;
        json_decref(ops);
        result = json_object_get(reply, "result");
        if (!json_is_array(result)) {
            char *s = json_dumps(json_object_get(reply, "error"), 0);
            *errorp = xasprintf("database error: %s", s ? s : "no result");
            free(s);
            json_decref(reply);
            return NULL;
        }
        /* A failed operation is followed by its error object. */
        for (size_t i = 0; i < json_array_size(result); i++) {
            json_t *op = json_array_get(result, i);
            json_t *err = json_object_get(op, "error");
            if (json_is_string(err)) {
                const char *details = json_string_value(
                    json_object_get(op, "details"));
                *errorp = xasprintf("%s%s%s", json_string_value(err),
                                    details ? ": " : "",
                                    details ? details : "");
                json_decref(reply);
                return NULL;
            }
        }
        *replyp = reply;
        return result;
    }
}

/* The rows selected by operation 'i' of 'result'. */
static json_t *
db_rows(json_t *result, size_t i)
{
    return json_object_get(json_array_get(result, i), "rows");
}

static json_t *
where_name(const char *name)
{
    return json_pack("[[s, s, s]]", "name", "==", name);
}

/* Removes our port from every bridge (the Port and its Interface are then
 * garbage: the database deletes them).  Returns true if there was one. */
static bool
db_remove_port(double deadline, char **errorp)
{
    json_t *ops, *reply, *result, *rows;
    bool found = false;

    ops = json_pack("[{s:s, s:s, s:o, s:[s]}]", "op", "select",
                    "table", "Port", "where", where_name(req.port),
                    "columns", "_uuid");
    result = db_transact(ops, deadline, &reply, errorp);
    if (!result) {
        return false;
    }
    rows = db_rows(result, 0);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *uuid = json_object_get(json_array_get(rows, i), "_uuid");
        json_t *reply2;

        ops = json_pack("[{s:s, s:s, s:[], s:[[s, s, O]]}]",
                        "op", "mutate", "table", "Bridge", "where",
                        "mutations", "ports", "delete", uuid);
        if (!db_transact(ops, deadline, &reply2, errorp)) {
            json_decref(reply);
            return false;
        }
        json_decref(reply2);
        found = true;
    }
    json_decref(reply);
    return found;
}

static void
undo_port(void)
{
    char *error = NULL;
    db_remove_port(time_sec() + 5, &error);
    free(error);
}

/* Adds our port to the bridge. */
static void
db_add_port(double deadline)
{
    json_t *iface, *port, *ops, *reply, *result, *ext_ids;
    char *error = NULL;

    ext_ids = json_pack("[s, [[s, s], [s, s], [s, s], [s, s]]]", "map",
                        "container-id", req.container_id,
                        "netns", req.netns,
                        "ifname", req.ifname,
                        "cni-network", req.name);
    iface = json_pack("{s:s, s:s, s:o}", "name", req.port,
                      "type", "internal", "external_ids", ext_ids);
    if (req.mac) {
        json_object_set_new(iface, "mac", json_string(req.mac));
    }
    if (req.mtu) {
        json_object_set_new(iface, "mtu_request", json_integer(req.mtu));
    }
    port = json_pack("{s:s, s:[s, s]}", "name", req.port,
                     "interfaces", "named-uuid", "iface");
    if (req.vlan >= 0) {
        json_object_set_new(port, "tag", json_integer(req.vlan));
    }
    if (req.trunks) {
        json_object_set_new(port, "trunks",
                            json_pack("[s, O]", "set", req.trunks));
        json_object_set_new(port, "vlan_mode", json_string("trunk"));
    }

    /* The "wait" makes a missing bridge fail the whole transaction rather
     * than leave an unreferenced port behind; a port of the same name
     * fails the Port name index. */
    ops = json_pack("[{s:s, s:s, s:o, s:[s], s:s, s:[{s:s}], s:i},"
                    " {s:s, s:s, s:o, s:s},"
                    " {s:s, s:s, s:o, s:s},"
                    " {s:s, s:s, s:o, s:[[s, s, [s, s]]]}]",
                    "op", "wait", "table", "Bridge",
                    "where", where_name(req.bridge), "columns", "name",
                    "until", "==", "rows", "name", req.bridge, "timeout", 0,
                    "op", "insert", "table", "Interface", "row", iface,
                    "uuid-name", "iface",
                    "op", "insert", "table", "Port", "row", port,
                    "uuid-name", "port",
                    "op", "mutate", "table", "Bridge",
                    "where", where_name(req.bridge),
                    "mutations", "ports", "insert", "named-uuid", "port");
    result = db_transact(ops, deadline, &reply, &error);
    if (!result) {
        if (error && str_starts_with(error, "timed out")) {
            cni_fail(CNI_ERR_CONFIG, "bridge \"%s\" does not exist in the "
                     "database at %s", req.bridge, req.db);
        } else if (error && strstr(error, "constraint violation")) {
            cni_fail(CNI_ERR_PLUGIN, "port %s for container %s, interface "
                     "%s already exists (an earlier ADD without DEL?)",
                     req.port, req.container_id, req.ifname);
        }
        cni_fail(CNI_ERR_TRY_AGAIN, "cannot add port %s to bridge %s in the "
                 "database at %s: %s", req.port, req.bridge, req.db,
                 error ? error : "unknown error");
    }
    json_decref(reply);
    push_undo(undo_port);
}

/* Waits until xsw-switchd has attached our port: an ofport in the
 * Interface row and the device in our namespace.  Fails with the
 * Interface's error, if the switch reports one.
 *
 * The database itself holds each query back (an OVSDB "wait" until ofport
 * is no longer empty), so the port is seen as soon as xsw-switchd writes
 * it: polling every 50 ms cost an ADD 50 of its 90 ms.  A wait lasts at
 * most WAIT_SLICE_MS, so that a server that went away is noticed. */
#define WAIT_SLICE_MS 2000
static void
wait_for_port(double deadline, struct rtnl_link *link)
{
    for (;;) {
        json_t *ops, *reply, *result, *row;
        char *error = NULL;
        double left_ms = (deadline - time_sec()) * 1000;
        int slice_ms = left_ms < 1 ? 0
                       : left_ms < WAIT_SLICE_MS ? (int) left_ms
                       : WAIT_SLICE_MS;

        ops = json_pack("[{s:s, s:s, s:o, s:[s], s:s, s:[{s:[s, []]}],"
                        "  s:i},"
                        " {s:s, s:s, s:o, s:[s, s]}]",
                        "op", "wait", "table", "Interface",
                        "where", where_name(req.port), "columns", "ofport",
                        "until", "!=", "rows", "ofport", "set",
                        "timeout", slice_ms,
                        "op", "select", "table", "Interface",
                        "where", where_name(req.port),
                        "columns", "ofport", "error");
        result = db_transact(ops, deadline, &reply, &error);
        if (!result && error && str_starts_with(error, "timed out")) {
            /* Still no ofport: xsw-switchd is slow, or not running. */
            free(error);
            if (time_sec() >= deadline) {
                break;
            }
            continue;
        } else if (!result) {
            cni_fail(CNI_ERR_TRY_AGAIN, "lost the database at %s while "
                     "waiting for port %s: %s", req.db, req.port,
                     error ? error : "unknown error");
        }
        row = json_array_get(db_rows(result, 1), 0);
        if (!row) {
            cni_fail(CNI_ERR_PLUGIN, "port %s vanished from the database "
                     "(deleted by someone else?)", req.port);
        }
        json_t *ofport = json_object_get(row, "ofport");
        json_t *ierror = json_object_get(row, "error");
        if (json_is_string(ierror)) {
            char *msg = xstrdup(json_string_value(ierror));
            json_decref(reply);
            cni_fail(CNI_ERR_PLUGIN, "xsw-switchd cannot make port %s: %s",
                     req.port, msg);
        }
        bool attached = json_is_integer(ofport)
                        && json_integer_value(ofport) > 0;
        json_decref(reply);
        if (attached && !rtnl_link_get_by_name(req.port, link)) {
            return;
        }
        if (time_sec() >= deadline) {
            break;
        }
        /* An ofport of -1, or a device not there yet: the wait would
         * return at once, so pause between looks. */
        sleep_ms(20);
    }
    cni_fail(CNI_ERR_TRY_AGAIN, "xsw-switchd did not create port %s "
             "within %d s (is it running on the database at %s?)",
             req.port, req.timeout, req.db);
}

/* ---- The container's namespace. ---- */

static int netns_fd = -1;

static void
open_netns(void)
{
    netns_fd = open(req.netns, O_RDONLY | O_CLOEXEC);
    if (netns_fd < 0) {
        cni_fail(CNI_ERR_ENV, "CNI_NETNS \"%s\" cannot be opened (%s)",
                 req.netns, strerror(errno));
    }
}

/* Parses "ADDR/PREFIX" (or just "ADDR" with 'prefix' NULL). */
static bool
parse_ip(const char *s, int *family, uint8_t addr[16], unsigned int *prefix)
{
    char buf[INET6_ADDRSTRLEN + 8];
    char *slash;

    if (strlen(s) >= sizeof buf) {
        return false;
    }
    strcpy(buf, s);
    slash = strchr(buf, '/');
    if (!!slash != !!prefix) {
        return false;
    }
    if (slash) {
        char *end;
        *slash = '\0';
        *prefix = strtoul(slash + 1, &end, 10);
        if (*end || slash[1] == '\0') {
            return false;
        }
    }
    if (inet_pton(AF_INET, buf, addr) == 1) {
        *family = AF_INET;
    } else if (inet_pton(AF_INET6, buf, addr) == 1) {
        *family = AF_INET6;
    } else {
        return false;
    }
    return !prefix || *prefix <= (*family == AF_INET ? 32u : 128u);
}

/* What to do inside the container. */
struct in_container {
    json_t *ipam_result;        /* For addresses and routes, or NULL. */
    struct rtnl_link link;      /* Out: the device as the container sees it. */
    char error[512];            /* Out: why it failed. */
};

static int PRINTF_FORMAT(3, 4)
ic_fail(struct in_container *ic, int error, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(ic->error, sizeof ic->error, format, args);
    va_end(args);
    return error ? error : EINVAL;
}

/* The IPs' gateway of 'family', for routes that name none. */
static bool
ipam_gateway(json_t *ips, int family, uint8_t gw[16])
{
    json_t *ip;
    size_t i;

    json_array_foreach (ips, i, ip) {
        const char *s = json_string_value(json_object_get(ip, "gateway"));
        int f;
        if (s && parse_ip(s, &f, gw, NULL) && f == family) {
            return true;
        }
    }
    return false;
}

/* Finds the device in the container and sets it up.  Before IPAM runs:
 * the dhcp plugin's daemon sends its DISCOVER through the device, and one
 * that finds it down sets it up itself only after a failed first attempt
 * (3 s lost, measured with containernetworking-plugins 1.1.1). */
static int
link_up_in_container(void *ic_)
{
    struct in_container *ic = ic_;
    int error;

    error = rtnl_link_get_by_name(req.ifname, &ic->link);
    if (error) {
        return ic_fail(ic, error, "%s: not found in the container after the "
                       "move (%s)", req.ifname, strerror(error));
    }
    error = rtnl_link_set_up(ic->link.ifindex, true);
    if (error) {
        return ic_fail(ic, error, "%s: cannot set it up (%s)", req.ifname,
                       strerror(error));
    }
    return 0;
}

/* Puts IPAM's addresses and routes on the device 'ic->link'. */
static int
configure_in_container(void *ic_)
{
    struct in_container *ic = ic_;
    json_t *ips, *routes, *elem;
    int error;
    size_t i;

    ips = json_object_get(ic->ipam_result, "ips");
    json_array_foreach (ips, i, elem) {
        const char *s = json_string_value(json_object_get(elem, "address"));
        unsigned int prefix;
        uint8_t addr[16];
        int family;

        if (!s || !parse_ip(s, &family, addr, &prefix)) {
            return ic_fail(ic, EINVAL, "IPAM result: \"%s\" is not an "
                           "address with a prefix length", s ? s : "null");
        }
        error = rtnl_addr_add(ic->link.ifindex, family, addr, prefix);
        if (error) {
            return ic_fail(ic, error, "%s: cannot add address %s (%s)",
                           req.ifname, s, strerror(error));
        }
    }

    routes = json_object_get(ic->ipam_result, "routes");
    json_array_foreach (routes, i, elem) {
        const char *dst = json_string_value(json_object_get(elem, "dst"));
        const char *gw_s = json_string_value(json_object_get(elem, "gw"));
        uint8_t net[16], gw[16];
        unsigned int prefix;
        int family, gw_family;
        bool has_gw;

        if (!dst || !parse_ip(dst, &family, net, &prefix)) {
            return ic_fail(ic, EINVAL, "IPAM result: route destination "
                           "\"%s\" is not a network", dst ? dst : "null");
        }
        if (gw_s) {
            if (!parse_ip(gw_s, &gw_family, gw, NULL)
                || gw_family != family) {
                return ic_fail(ic, EINVAL, "IPAM result: route gateway "
                               "\"%s\" is not an address of the route's "
                               "family", gw_s);
            }
            has_gw = true;
        } else {
            has_gw = ipam_gateway(ips, family, gw);
        }
        error = rtnl_route_add(family, net, prefix, has_gw ? gw : NULL,
                               ic->link.ifindex);
        if (error && error != EEXIST) {
            return ic_fail(ic, error, "%s: cannot add route to %s (%s)",
                           req.ifname, dst, strerror(error));
        }
    }
    return 0;
}

/* Deletes our device (a TAP marked with our port's name) called
 * 'req.ifname' in the current namespace, if it is there.  Returns 0 if
 * there is none left. */
static int
delete_in_container(void *aux OVS_UNUSED)
{
    struct rtnl_link link;
    char *marker;
    int error;

    error = rtnl_link_get_by_name(req.ifname, &link);
    if (error) {
        return error == ENODEV ? 0 : error;
    }
    marker = xasprintf("xsw:%s:", req.port);
    bool ours = !strcmp(link.kind, "tun") && str_starts_with(link.alias,
                                                             marker);
    free(marker);
    return ours ? rtnl_link_delete(link.ifindex) : 0;
}

/* True if the container's 'req.ifname' is still our device. */
static int
present_in_container(void *aux OVS_UNUSED)
{
    struct rtnl_link link;
    char *marker = xasprintf("xsw:%s:", req.port);
    int present = (!rtnl_link_get_by_name(req.ifname, &link)
                   && str_starts_with(link.alias, marker));
    free(marker);
    return present;
}

/* ---- IPAM. ---- */

static char *
find_plugin(const char *type)
{
    const char *path = req.path ? req.path : "/usr/lib/cni:/opt/cni/bin";
    char *copy = xstrdup(path), *save = NULL;

    for (char *dir = strtok_r(copy, ":", &save); dir;
         dir = strtok_r(NULL, ":", &save)) {
        char *file = xasprintf("%s/%s", dir, type);
        if (!access(file, X_OK)) {
            free(copy);
            return file;
        }
        free(file);
    }
    free(copy);
    return NULL;
}

/* Runs the IPAM plugin with CNI_COMMAND 'command', our environment and
 * our stdin.  Returns its result (ADD) or NULL; fails with its error. */
static json_t *
ipam_exec(const char *command, bool fail_on_error)
{
    int in[2], out[2], status;
    struct ds output = DS_EMPTY_INITIALIZER;
    char *plugin;
    pid_t pid;

    plugin = find_plugin(req.ipam_type);
    if (!plugin) {
        cni_fail(CNI_ERR_CONFIG, "IPAM plugin \"%s\" not found in CNI_PATH "
                 "(%s)", req.ipam_type,
                 req.path ? req.path : "unset: /usr/lib/cni:/opt/cni/bin");
    }
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
        cni_fail(CNI_ERR_IO, "pipe: %s", strerror(errno));
    }
    setenv("CNI_COMMAND", command, 1);
    pid = fork();
    if (pid < 0) {
        cni_fail(CNI_ERR_IO, "fork: %s", strerror(errno));
    } else if (!pid) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        execl(plugin, req.ipam_type, (char *) NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    /* The configuration is small and the plugin reads it all before it
     * writes anything, so writing it first cannot deadlock. */
    signal(SIGPIPE, SIG_IGN);
    for (size_t done = 0; done < req.stdin_len; ) {
        ssize_t n = write(in[1], req.stdin_data + done,
                          req.stdin_len - done);
        if (n < 0 && errno != EINTR) {
            break;
        }
        done += n > 0 ? n : 0;
    }
    close(in[1]);
    for (;;) {
        char buf[4096];
        ssize_t n = read(out[0], buf, sizeof buf);
        if (n > 0) {
            ds_put_buffer(&output, buf, n);
        } else if (!n || errno != EINTR) {
            break;
        }
    }
    close(out[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        continue;
    }
    setenv("CNI_COMMAND", req.command, 1);

    json_t *json = json_loadb(output.s ? output.s : "",
                              output.len, 0, NULL);
    if (WIFEXITED(status) && !WEXITSTATUS(status)) {
        ds_destroy(&output);
        free(plugin);
        return json;
    }
    if (!fail_on_error) {
        json_decref(json);
        ds_destroy(&output);
        free(plugin);
        return NULL;
    }
    /* Pass the plugin's own error on, naming it. */
    json_t *code = json_object_get(json, "code");
    json_t *msg = json_object_get(json, "msg");
    json_t *details = json_object_get(json, "details");
    cni_fail(json_is_integer(code) ? (int) json_integer_value(code)
             : CNI_ERR_PLUGIN,
             "IPAM plugin %s %s failed: %s%s%s", req.ipam_type, command,
             json_is_string(msg) ? json_string_value(msg)
             : (output.len ? ds_cstr(&output) : "no output"),
             json_is_string(details) ? ": " : "",
             json_is_string(details) ? json_string_value(details) : "");
}

static void
undo_ipam(void)
{
    json_decref(ipam_exec("DEL", false));
}

/* ---- Commands. ---- */

static void
print_json(json_t *json)
{
    json_dumpf(json, stdout, JSON_INDENT(4));
    fputc('\n', stdout);
    fflush(stdout);
}

static void
undo_netns_device(void)
{
    netns_run_in(netns_fd, delete_in_container, NULL);
}

/* Runs 'fn' in the container's namespace; fails with what it reports. */
static void
run_in_container(int (*fn)(void *), struct in_container *ic)
{
    int error = netns_run_in(netns_fd, fn, ic);
    if (error) {
        cni_fail(CNI_ERR_PLUGIN, "%s", *ic->error ? ic->error
                 : strerror(error));
    }
}

static void
cmd_add(void)
{
    double deadline = time_sec() + req.timeout;
    struct in_container ic;
    struct rtnl_link link;
    json_t *result, *ips, *ip;
    char mac[18];
    size_t i;
    int error;

    parse_env(true);
    open_netns();
    memset(&ic, 0, sizeof ic);

    db_add_port(deadline);
    wait_for_port(deadline, &link);

    /* Down first: a device must be down to be renamed. */
    error = rtnl_link_set_up(link.ifindex, false);
    if (!error) {
        error = rtnl_link_set_netns(link.ifindex, netns_fd, req.ifname);
    }
    if (error == EEXIST) {
        cni_fail(CNI_ERR_PLUGIN, "the container already has a device "
                 "called %s", req.ifname);
    } else if (error) {
        cni_fail(CNI_ERR_PLUGIN, "cannot move %s into %s as %s (%s)",
                 req.port, req.netns, req.ifname, strerror(error));
    }
    push_undo(undo_netns_device);

    run_in_container(link_up_in_container, &ic);
    if (req.ipam_type) {
        ic.ipam_result = ipam_exec("ADD", true);
        push_undo(undo_ipam);
        if (!json_is_object(ic.ipam_result)) {
            cni_fail(CNI_ERR_PLUGIN, "IPAM plugin %s printed no result",
                     req.ipam_type);
        }
        run_in_container(configure_in_container, &ic);
    }

    snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x",
             ic.link.mac[0], ic.link.mac[1], ic.link.mac[2],
             ic.link.mac[3], ic.link.mac[4], ic.link.mac[5]);
    result = json_pack("{s:s, s:[{s:s, s:s, s:s}]}",
                       "cniVersion", req.version,
                       "interfaces", "name", req.ifname, "mac", mac,
                       "sandbox", req.netns);
    ips = json_array();
    if (ic.ipam_result) {
        json_array_foreach (json_object_get(ic.ipam_result, "ips"), i, ip) {
            json_t *copy = json_deep_copy(ip);
            json_object_set_new(copy, "interface", json_integer(0));
            json_array_append_new(ips, copy);
        }
        const char *keys[] = { "routes", "dns" };
        for (i = 0; i < ARRAY_SIZE(keys); i++) {
            json_t *v = json_object_get(ic.ipam_result, keys[i]);
            if (v) {
                json_object_set(result, keys[i], v);
            }
        }
    }
    json_object_set_new(result, "ips", ips);
    print_json(result);
    json_decref(result);
}

static void
cmd_del(void)
{
    double deadline = time_sec() + req.timeout;
    char *error = NULL;

    parse_env(false);
    if (req.ipam_type) {
        ipam_exec("DEL", true);
    }
    db_remove_port(deadline, &error);
    if (error) {
        cni_fail(CNI_ERR_TRY_AGAIN, "cannot remove port %s from the "
                 "database at %s: %s", req.port, req.db, error);
    }

    /* xsw-switchd deletes the device wherever it is.  If it does not run
     * now, delete it ourselves: a container's NIC must not outlive DEL. */
    if (req.netns) {
        netns_fd = open(req.netns, O_RDONLY | O_CLOEXEC);
    }
    if (netns_fd >= 0) {
        double until = time_sec() + 5;
        while (netns_run_in(netns_fd, present_in_container, NULL) == 1
               && time_sec() < until) {
            sleep_ms(50);
        }
        int retval = netns_run_in(netns_fd, delete_in_container, NULL);
        if (retval) {
            cni_fail(CNI_ERR_PLUGIN, "cannot delete %s in %s (%s)",
                     req.ifname, req.netns, strerror(retval));
        }
    }
}

/* Fails with code 100 and a message if 'ok' is false. */
static void PRINTF_FORMAT(2, 3)
check_that(bool ok, const char *format, ...)
{
    if (!ok) {
        va_list args;
        char *msg;

        va_start(args, format);
        msg = xvasprintf(format, args);
        va_end(args);
        cni_fail(CNI_ERR_PLUGIN, "CHECK: %s", msg);
    }
}

/* The value of 'key' in OVSDB map 'map' (["map", [[K, V], ...]]). */
static const char *
map_get(json_t *map, const char *key)
{
    json_t *pair;
    size_t i;

    json_array_foreach (json_array_get(map, 1), i, pair) {
        const char *k = json_string_value(json_array_get(pair, 0));
        if (k && !strcmp(k, key)) {
            return json_string_value(json_array_get(pair, 1));
        }
    }
    return NULL;
}

struct check_aux {
    struct rtnl_link link;
    int error;
    json_t *ips;                /* prevResult's "ips". */
    char missing[64];           /* Out: an address of 'ips' not there. */
};

struct check_addr {
    int family;
    uint8_t addr[16];
    unsigned int prefix;
};

static int
check_addr_cb(int family, const void *addr, unsigned int prefixlen,
              void *want_)
{
    const struct check_addr *want = want_;

    return (family == want->family && prefixlen == want->prefix
            && !memcmp(addr, want->addr, family == AF_INET ? 4 : 16));
}

static int
check_in_container(void *aux_)
{
    struct check_aux *aux = aux_;
    json_t *ip;
    size_t i;

    aux->error = rtnl_link_get_by_name(req.ifname, &aux->link);
    if (aux->error) {
        return 0;
    }
    json_array_foreach (aux->ips, i, ip) {
        const char *s = json_string_value(json_object_get(ip, "address"));
        struct check_addr want;

        if (s && parse_ip(s, &want.family, want.addr, &want.prefix)
            && rtnl_addr_dump(aux->link.ifindex, check_addr_cb,
                              &want) != 1) {
            snprintf(aux->missing, sizeof aux->missing, "%s", s);
            break;
        }
    }
    return 0;
}

static void
cmd_check(void)
{
    double deadline = time_sec() + req.timeout;
    json_t *prev, *ops, *reply, *result, *row, *ext;
    struct check_aux aux;
    char *error = NULL;

    if (version_compare(req.version, "0.4.0") < 0) {
        cni_fail(CNI_ERR_VERSION, "CHECK needs cniVersion 0.4.0 or later, "
                 "not %s", req.version);
    }
    parse_env(true);
    prev = json_object_get(req.config, "prevResult");
    if (!json_is_object(prev)) {
        cni_fail(CNI_ERR_CONFIG, "CHECK needs \"prevResult\"");
    }
    open_netns();

    ops = json_pack("[{s:s, s:s, s:o, s:[s, s, s]}]", "op", "select",
                    "table", "Interface", "where", where_name(req.port),
                    "columns", "ofport", "error", "external_ids");
    result = db_transact(ops, deadline, &reply, &error);
    if (!result) {
        cni_fail(CNI_ERR_TRY_AGAIN, "cannot query the database at %s: %s",
                 req.db, error);
    }
    row = json_array_get(db_rows(result, 0), 0);
    check_that(row != NULL, "port %s is not in the database", req.port);
    check_that(!json_is_string(json_object_get(row, "error")),
               "port %s: %s", req.port,
               json_string_value(json_object_get(row, "error")));
    ext = json_object_get(row, "external_ids");
    check_that(map_get(ext, "container-id")
               && !strcmp(map_get(ext, "container-id"), req.container_id),
               "port %s does not record container %s", req.port,
               req.container_id);
    json_decref(reply);

    memset(&aux, 0, sizeof aux);
    aux.ips = json_object_get(prev, "ips");
    netns_run_in(netns_fd, check_in_container, &aux);
    check_that(!aux.error, "%s is not in %s (%s)", req.ifname, req.netns,
               strerror(aux.error));
    check_that(rtnl_link_is_up(&aux.link), "%s is down", req.ifname);
    check_that(!aux.missing[0], "%s does not have address %s", req.ifname,
               aux.missing);

    json_t *iface = json_array_get(json_object_get(prev, "interfaces"), 0);
    const char *mac = json_string_value(json_object_get(iface, "mac"));
    if (mac) {
        char now_mac[18];
        snprintf(now_mac, sizeof now_mac, "%02x:%02x:%02x:%02x:%02x:%02x",
                 aux.link.mac[0], aux.link.mac[1], aux.link.mac[2],
                 aux.link.mac[3], aux.link.mac[4], aux.link.mac[5]);
        check_that(!strcasecmp(mac, now_mac), "%s has MAC %s, not %s",
                   req.ifname, now_mac, mac);
    }
    if (req.ipam_type) {
        ipam_exec("CHECK", true);
    }
}

static void
cmd_version(void)
{
    json_t *versions = json_array();
    json_t *config;
    const char *version = "1.0.0";

    /* The runtime may say which version it wants the answer in. */
    config = json_loadb(req.stdin_data, req.stdin_len, 0, NULL);
    if (json_is_string(json_object_get(config, "cniVersion"))
        && version_is_supported(json_string_value(
                                    json_object_get(config, "cniVersion")))) {
        version = json_string_value(json_object_get(config, "cniVersion"));
    }
    for (size_t i = 0; i < ARRAY_SIZE(supported_versions); i++) {
        json_array_append_new(versions, json_string(supported_versions[i]));
    }
    json_t *answer = json_pack("{s:s, s:o}", "cniVersion", version,
                               "supportedVersions", versions);
    print_json(answer);
    json_decref(answer);
    json_decref(config);
}

int
main(int argc OVS_UNUSED, char *argv[])
{
    daemon_set_program_name(argv[0]);

    req.command = getenv_nonempty("CNI_COMMAND");
    if (!req.command) {
        cni_fail(CNI_ERR_ENV, "CNI_COMMAND is not set: xsw-cni is a CNI "
                 "plugin, run by a container runtime (see the README)");
    }
    if (!strcmp(req.command, "VERSION")) {
        read_stdin();
        cmd_version();
        return 0;
    }
    if (strcmp(req.command, "ADD") && strcmp(req.command, "DEL")
        && strcmp(req.command, "CHECK")) {
        cni_fail(CNI_ERR_ENV, "CNI_COMMAND \"%s\" is not ADD, DEL, CHECK "
                 "or VERSION", req.command);
    }
    read_stdin();
    parse_config();
    if (!strcmp(req.command, "ADD")) {
        cmd_add();
    } else if (!strcmp(req.command, "DEL")) {
        cmd_del();
    } else {
        cmd_check();
    }
    db_disconnect();
    return 0;
}
