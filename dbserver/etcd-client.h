/* etcd-client.h: etcd's v3 API through its JSON gateway, over libcurl.
 *
 * etcd (3.4 here) answers its gRPC API also as JSON over HTTP at /v3/...
 * (/v3/kv/range, /v3/kv/txn, /v3/watch...): a request is the JSON form of
 * the protobuf message, in which keys and values are base64 and 64-bit
 * integers are strings.  This module sends such requests and returns the
 * replies; what to ask is its callers' business (backend-etcd.c).
 *
 * Why the gateway over libcurl rather than gRPC (libgrpc++ is in Debian
 * too): it needs no C++ and no code generated from etcd's .proto files,
 * which Debian does not ship as a library, and libcurl (maintained,
 * everywhere) brings keep-alive, timeouts and TLS with client certificates
 * for https:// endpoints.  The cost is base64 and JSON parsing, small
 * beside a round trip that includes etcd's fsync().
 *
 * Endpoints: a client has one or more base URLs ("http://127.0.0.1:2379");
 * a request that cannot reach one (connection refused, timed out) goes to
 * the next, and the one that answered is tried first next time.  An
 * answer, even an error, is never retried elsewhere: a txn might have been
 * applied.
 *
 * TLS: https:// endpoints need the CA that signed etcd's certificate
 * (etcd_client_set_tls()), and etcd's certificate is always verified,
 * name included, against that CA alone (not the system's).  A client
 * certificate and key, if given, go to every https:// endpoint (etcd's
 * --client-cert-auth).  Fail closed: an https:// endpoint without a CA,
 * TLS settings beside an http:// endpoint (a list mixing the two would
 * fall over to plain text), or an unreadable file is an error at
 * etcd_client_create(), never a fall back to plain HTTP.
 *
 * Errors are "I/O error"s naming the endpoint and what failed.  A client
 * is used from one thread; the watch thread of backend-etcd.c has its own.
 */
#ifndef XSW_ETCD_CLIENT_H
#define XSW_ETCD_CLIENT_H 1

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct ovsdb_error;
struct etcd_client;

/* The TLS files for https:// endpoints, for every client created after
 * (each may be NULL; the strings are copied): 'ca_cert' is the CA file
 * that etcd's certificate must be signed by, 'certificate' and
 * 'private_key' this server's client certificate and its key (PEM).
 * xsw-dbserver's --etcd-ca-cert, --etcd-certificate, --etcd-private-key.
 * Process-wide, as the endpoints' TLS identity is the process's. */
void etcd_client_set_tls(const char *ca_cert, const char *certificate,
                         const char *private_key);

/* A client for the comma-separated base URLs in 'urls' (http:// or
 * https://).  Fails on an empty list, a URL of another scheme, or TLS
 * settings that do not fit the URLs (see "TLS" above). */
struct ovsdb_error *etcd_client_create(const char *urls,
                                       struct etcd_client **clientp)
    __attribute__((warn_unused_result));
void etcd_client_destroy(struct etcd_client *);

/* The time a request may take, all endpoints included (default 30 s; a
 * watch has none). */
void etcd_client_set_timeout(struct etcd_client *, long timeout_ms);

/* True if the last request failed without an answer from etcd (no
 * endpoint reachable, a timeout) or with etcd saying it has no leader:
 * then a transaction may or may not have been applied. */
bool etcd_client_unavailable(const struct etcd_client *);

/* The endpoint that answered last (or the first): for messages. */
const char *etcd_client_endpoint(const struct etcd_client *);

/* POSTs 'request' to 'path' ("/v3/kv/txn") and stores etcd's answer, owned
 * by the caller, in '*replyp'.  An HTTP error or a gRPC error reply
 * ({"error": ..., "code": ...}) is an error. */
struct ovsdb_error *etcd_client_call(struct etcd_client *, const char *path,
                                     const json_t *request, json_t **replyp)
    __attribute__((warn_unused_result));

/* Streams a watch request: POSTs 'request' to /v3/watch and calls 'cb' with
 * each reply object, and with NULL about once a second meanwhile, until
 * 'cb' returns false or the stream ends; returns why it ended (NULL if
 * 'cb' asked).  Blocks: for a thread of its own. */
struct ovsdb_error *etcd_client_watch(struct etcd_client *,
                                      const json_t *request,
                                      bool (*cb)(const json_t *, void *aux),
                                      void *aux)
    __attribute__((warn_unused_result));

/* Base64, as the gateway wants keys and values. */
json_t *etcd_b64_json(const void *data, size_t n);
json_t *etcd_b64_string(const char *s);
/* The "range_end" of every key that starts with 'prefix' (not empty): the
 * key just after them all, base64-encoded. */
json_t *etcd_prefix_end(const char *prefix);
/* Decodes base64 'json' into a new null-terminated string ('*np' bytes
 * before the null); NULL if 'json' is not valid base64. */
char *etcd_b64_decode(const json_t *json, size_t *np);

/* An int64 the gateway sent as a string (or a number); 0 if absent. */
long long etcd_json_int(const json_t *);

#endif /* etcd-client.h */
