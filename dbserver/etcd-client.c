/* etcd-client.c: etcd's JSON gateway over libcurl.  See etcd-client.h.
 *
 * One curl easy handle per client keeps its connection alive between
 * requests, so a commit costs one round trip, not a TCP handshake too. */
#include <config.h>
#include "etcd-client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ds.h"
#include "ovsdb-error.h"
#include "util.h"
/* After every other header: see openssl-dl.h and curl-dl.h. */
#include "curl-dl.h"
#include "openssl-dl.h"

/* etcd_client_set_tls()'s files (NULL: not given).  Each client copies
 * them at creation: the watch thread's client never reads these. */
static char *tls_ca_cert, *tls_certificate, *tls_private_key;

struct etcd_client {
    CURL *curl;
    char *ca_cert;              /* Owned copies of the TLS files, for */
    char *certificate;          /* https:// endpoints (NULL if none). */
    char *private_key;
    char **urls;                /* Base URLs, owned. */
    size_t n_urls;
    size_t current;             /* The one tried first. */
    long timeout_ms;            /* Of a whole request (not a watch). */
    bool unavailable;           /* The last request's outcome is unknown. */
};

static char *
nullable_xstrdup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void
etcd_client_set_tls(const char *ca_cert, const char *certificate,
                    const char *private_key)
{
    free(tls_ca_cert);
    free(tls_certificate);
    free(tls_private_key);
    tls_ca_cert = nullable_xstrdup(ca_cert);
    tls_certificate = nullable_xstrdup(certificate);
    tls_private_key = nullable_xstrdup(private_key);
}

/* Checks that the TLS settings fit 'c''s URLs and copies them into 'c'.
 * Fail closed: a setting that cannot be honoured is an error, and an
 * https:// endpoint is never reached without verifying it. */
static struct ovsdb_error *
configure_tls(struct etcd_client *c)
{
    bool any_tls = tls_ca_cert || tls_certificate || tls_private_key;
    const char *files[][2] = {
        { "--etcd-ca-cert", tls_ca_cert },
        { "--etcd-certificate", tls_certificate },
        { "--etcd-private-key", tls_private_key },
    };

    for (size_t i = 0; i < c->n_urls; i++) {
        bool https = !strncmp(c->urls[i], "https://", 8);
        if (https && !tls_ca_cert) {
            return ovsdb_error("I/O error", "etcd endpoint %s is https:// "
                               "but no CA certificate was given to verify "
                               "it with (--etcd-ca-cert=FILE)", c->urls[i]);
        }
        if (!https && any_tls) {
            /* Either the TLS settings are unused, or a list mixing http://
             * and https:// would fall over to plain text. */
            return ovsdb_error("I/O error", "etcd endpoint %s is http:// "
                               "while etcd TLS files are given (--etcd-"
                               "ca-cert etc.): every endpoint must be "
                               "https://", c->urls[i]);
        }
    }
    if (!tls_certificate != !tls_private_key) {
        return ovsdb_error("I/O error", "an etcd client certificate needs "
                           "both --etcd-certificate and --etcd-private-key");
    }
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        if (files[i][1] && access(files[i][1], R_OK)) {
            return ovsdb_error("I/O error", "%s=%s: %s", files[i][0],
                               files[i][1], strerror(errno));
        }
    }
    c->ca_cert = nullable_xstrdup(tls_ca_cert);
    c->certificate = nullable_xstrdup(tls_certificate);
    c->private_key = nullable_xstrdup(tls_private_key);
    return NULL;
}

struct ovsdb_error *
etcd_client_create(const char *urls, struct etcd_client **clientp)
{
    static bool curl_ready;
    char *copy = xstrdup(urls), *save = NULL;
    struct etcd_client *c = xzalloc(sizeof *c);

    *clientp = NULL;
    /* libcurl, and base64 from OpenSSL, are loaded on first use
     * (curl-dl.h, openssl-dl.h). */
    char *load_error;
    if (curl_dl_load(&load_error) || openssl_dl_load(&load_error)) {
        struct ovsdb_error *error = ovsdb_error("I/O error", "etcd: %s",
                                                load_error);
        free(load_error);
        free(copy);
        free(c);
        return error;
    }
    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = true;
    }
    for (char *url = strtok_r(copy, ",", &save); url;
         url = strtok_r(NULL, ",", &save)) {
        if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
            struct ovsdb_error *error = ovsdb_error(
                "I/O error", "etcd endpoint \"%s\" is not an http:// or "
                "https:// URL", url);
            free(copy);
            c->curl = NULL;
            etcd_client_destroy(c);
            return error;
        }
        size_t len = strlen(url);
        while (len && url[len - 1] == '/') {
            url[--len] = '\0';
        }
        c->urls = xrealloc(c->urls, (c->n_urls + 1) * sizeof *c->urls);
        c->urls[c->n_urls++] = xstrdup(url);
    }
    free(copy);
    if (!c->n_urls) {
        etcd_client_destroy(c);
        return ovsdb_error("I/O error", "no etcd endpoint in \"%s\"", urls);
    }
    struct ovsdb_error *tls_error = configure_tls(c);
    if (tls_error) {
        etcd_client_destroy(c);
        return tls_error;
    }
    c->timeout_ms = 30000;
    c->curl = curl_easy_init();
    if (!c->curl) {
        etcd_client_destroy(c);
        return ovsdb_error("I/O error", "cannot create a libcurl handle");
    }
    *clientp = c;
    return NULL;
}

void
etcd_client_destroy(struct etcd_client *c)
{
    if (c) {
        if (c->curl) {
            curl_easy_cleanup(c->curl);
        }
        for (size_t i = 0; i < c->n_urls; i++) {
            free(c->urls[i]);
        }
        free(c->urls);
        free(c->ca_cert);
        free(c->certificate);
        free(c->private_key);
        free(c);
    }
}

void
etcd_client_set_timeout(struct etcd_client *c, long timeout_ms)
{
    c->timeout_ms = timeout_ms;
}

bool
etcd_client_unavailable(const struct etcd_client *c)
{
    return c->unavailable;
}

const char *
etcd_client_endpoint(const struct etcd_client *c)
{
    return c->urls[c->current];
}

static size_t
append_to_ds(char *data, size_t size, size_t n, void *ds_)
{
    ds_put_buffer(ds_, data, size * n);
    return size * n;
}

/* Streaming: hands each complete line of the reply to the watcher. */
struct watch_ctx {
    struct ds buf;
    bool (*cb)(const json_t *, void *aux);
    void *aux;
    bool stopped;
};

static size_t
watch_data(char *data, size_t size, size_t n, void *ctx_)
{
    struct watch_ctx *ctx = ctx_;
    char *nl;

    ds_put_buffer(&ctx->buf, data, size * n);
    while ((nl = memchr(ctx->buf.s, '\n', ctx->buf.len))) {
        size_t line = nl - ctx->buf.s + 1;
        json_t *json = json_loadb(ctx->buf.s, line, 0, NULL);
        bool go_on = json ? ctx->cb(json, ctx->aux) : true;

        json_decref(json);
        memmove(ctx->buf.s, ctx->buf.s + line, ctx->buf.len - line);
        ctx->buf.len -= line;
        if (!go_on) {
            ctx->stopped = true;
            return 0;           /* Makes curl stop, with a write error. */
        }
    }
    return size * n;
}

/* libcurl calls this about once a second while a watch is idle: the
 * watcher may stop it then. */
static int
watch_progress(void *ctx_, curl_off_t dltotal OVS_UNUSED,
               curl_off_t dlnow OVS_UNUSED, curl_off_t ultotal OVS_UNUSED,
               curl_off_t ulnow OVS_UNUSED)
{
    struct watch_ctx *ctx = ctx_;

    if (!ctx->cb(NULL, ctx->aux)) {
        ctx->stopped = true;
        return 1;
    }
    return 0;
}

/* The TLS options of a request to an https:// endpoint (configure_tls()
 * made sure there is a CA).  etcd's certificate is verified, its name
 * too, against that CA alone: the system's CAs are not etcd's. */
static void
set_tls_options(struct etcd_client *c)
{
    curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c->curl, CURLOPT_CAINFO, c->ca_cert);
    curl_easy_setopt(c->curl, CURLOPT_CAPATH, NULL);
    if (c->certificate) {
        curl_easy_setopt(c->curl, CURLOPT_SSLCERT, c->certificate);
        curl_easy_setopt(c->curl, CURLOPT_SSLKEY, c->private_key);
    }
}

/* POSTs 'body' to 'path' on the endpoints in turn, from the current one,
 * until one connects.  The reply's body goes to 'write_cb'; a watch's
 * 'watch' gets the progress calls too. */
static struct ovsdb_error *
post(struct etcd_client *c, const char *path, const char *body,
     long timeout_ms, size_t (*write_cb)(char *, size_t, size_t, void *),
     void *write_aux, struct watch_ctx *watch, long *statusp)
{
    struct curl_slist *headers
        = curl_slist_append(NULL, "Content-Type: application/json");
    char errbuf[CURL_ERROR_SIZE] = "";
    CURLcode rc = CURLE_OK;

    for (size_t i = 0; i < c->n_urls; i++) {
        size_t idx = (c->current + i) % c->n_urls;
        char *url = xasprintf("%s%s", c->urls[idx], path);

        curl_easy_reset(c->curl);
        curl_easy_setopt(c->curl, CURLOPT_URL, url);
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long) strlen(body));
        curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, write_aux);
        curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
        curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
        curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c->curl, CURLOPT_TCP_NODELAY, 1L);
        if (!strncmp(url, "https://", 8)) {
            set_tls_options(c);
        }
        if (watch) {
            curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
            curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION,
                             watch_progress);
            curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, watch);
        }
        errbuf[0] = '\0';
        rc = curl_easy_perform(c->curl);
        free(url);
        /* No answer from this endpoint: the next one.  (A txn that the
         * dead endpoint applied fails the next one's compare: the caller
         * finds out which happened, see backend-etcd.c.) */
        if (rc != CURLE_COULDNT_CONNECT && rc != CURLE_OPERATION_TIMEDOUT
            && rc != CURLE_COULDNT_RESOLVE_HOST && rc != CURLE_GOT_NOTHING
            && rc != CURLE_SEND_ERROR && rc != CURLE_RECV_ERROR) {
            c->current = idx;
            break;
        }
    }
    curl_slist_free_all(headers);
    /* etcd refusing our certificate shows as a TLS alert on the first read
     * (TLS 1.3): an answer, not an outage, so not retried for seconds. */
    bool refused = ((rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR
                     || rc == CURLE_SSL_CONNECT_ERROR)
                    && strstr(errbuf, "alert"));
    c->unavailable = !refused && (rc == CURLE_COULDNT_CONNECT
                                  || rc == CURLE_OPERATION_TIMEDOUT
                                  || rc == CURLE_COULDNT_RESOLVE_HOST
                                  || rc == CURLE_GOT_NOTHING
                                  || rc == CURLE_SEND_ERROR
                                  || rc == CURLE_RECV_ERROR);
    if (rc != CURLE_OK) {
        const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        if (refused) {
            return ovsdb_error("I/O error", "etcd %s%s refused this "
                               "server's TLS client certificate (%s): give "
                               "one that etcd's --trusted-ca-file signed "
                               "with --etcd-certificate and "
                               "--etcd-private-key (given: %s)",
                               c->urls[c->current], path, why,
                               c->certificate ? c->certificate : "none");
        } else if (rc == CURLE_PEER_FAILED_VERIFICATION) {
            return ovsdb_error("I/O error", "etcd %s%s: its TLS certificate "
                               "does not verify against --etcd-ca-cert=%s "
                               "(%s)", c->urls[c->current], path,
                               c->ca_cert, why);
        }
        return ovsdb_error("I/O error", "etcd %s%s: %s",
                           c->urls[c->current], path, why);
    }
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, statusp);
    return NULL;
}

struct ovsdb_error *
etcd_client_call(struct etcd_client *c, const char *path,
                 const json_t *request, json_t **replyp)
{
    char *body = json_dumps(request, JSON_COMPACT);
    struct ds reply = DS_EMPTY_INITIALIZER;
    struct ovsdb_error *error;
    json_error_t jerr;
    long status = 0;

    *replyp = NULL;
    error = post(c, path, body, c->timeout_ms, append_to_ds, &reply, NULL,
                 &status);
    free(body);
    if (!error) {
        json_t *json = json_loadb(reply.s ? reply.s : "", reply.len, 0,
                                  &jerr);
        const json_t *msg = json ? json_object_get(json, "message") : NULL;
        if (!json) {
            error = ovsdb_error("I/O error", "etcd %s%s: HTTP %ld, reply is "
                                "not JSON: %s", etcd_client_endpoint(c),
                                path, status, jerr.text);
        } else if (status != 200 || json_object_get(json, "error")) {
            /* gRPC's UNAVAILABLE (14) and DEADLINE_EXCEEDED (4), which etcd
             * answers while it has no leader. */
            long long code = etcd_json_int(json_object_get(json, "code"));
            c->unavailable = status == 503 || code == 14 || code == 4;
            error = ovsdb_error("I/O error", "etcd %s%s: HTTP %ld: %s",
                                etcd_client_endpoint(c), path, status,
                                json_is_string(msg) ? json_string_value(msg)
                                : "error");
            json_decref(json);
        } else {
            *replyp = json;
        }
    }
    ds_destroy(&reply);
    return error;
}

struct ovsdb_error *
etcd_client_watch(struct etcd_client *c, const json_t *request,
                  bool (*cb)(const json_t *, void *aux), void *aux)
{
    char *body = json_dumps(request, JSON_COMPACT);
    struct watch_ctx ctx = { .buf = DS_EMPTY_INITIALIZER, .cb = cb,
                             .aux = aux };
    long status = 0;
    /* No overall timeout: a watch lasts as long as the server. */
    struct ovsdb_error *error = post(c, "/v3/watch", body, 0, watch_data,
                                     &ctx, &ctx, &status);

    free(body);
    ds_destroy(&ctx.buf);
    if (ctx.stopped) {
        ovsdb_error_destroy(error);
        return NULL;
    }
    return error ? error : ovsdb_error("I/O error", "etcd %s/v3/watch: the "
                                       "stream ended (HTTP %ld)",
                                       etcd_client_endpoint(c), status);
}

json_t *
etcd_b64_json(const void *data, size_t n)
{
    char *out = xmalloc(4 * ((n + 2) / 3) + 1);
    int len = EVP_EncodeBlock((unsigned char *) out, data, n);
    json_t *json = json_stringn(out, len);

    free(out);
    return json;
}

json_t *
etcd_prefix_end(const char *prefix)
{
    char *end = xstrdup(prefix);
    end[strlen(end) - 1]++;
    json_t *json = etcd_b64_string(end);
    free(end);
    return json;
}

json_t *
etcd_b64_string(const char *s)
{
    return etcd_b64_json(s, strlen(s));
}

char *
etcd_b64_decode(const json_t *json, size_t *np)
{
    const char *in = json_string_value(json);
    size_t len = in ? json_string_length(json) : 0;

    if (!in || len % 4) {
        return NULL;
    }
    char *out = xmalloc(len / 4 * 3 + 1);
    int n = len ? EVP_DecodeBlock((unsigned char *) out,
                                  (const unsigned char *) in, len) : 0;
    if (n < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock() counts the padding as zero bytes. */
    for (size_t i = len; i > 0 && in[i - 1] == '='; i--) {
        n--;
    }
    out[n] = '\0';
    *np = n;
    return out;
}

long long
etcd_json_int(const json_t *json)
{
    return (json_is_string(json) ? atoll(json_string_value(json))
            : json_is_integer(json) ? json_integer_value(json) : 0);
}
