/* tls.c: see tls.h.
 *
 * OpenSSL comes through openssl-dl.h, which loads it on the first
 * tls_config_create(): a program only pays for loading OpenSSL (about a
 * millisecond, see there) once it has a TLS remote to serve or reach.
 * Every session comes from a config, so no other function needs to check
 * that OpenSSL is loaded. */
#include <config.h>
#include "tls.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* util.h first: it defines MIN and MAX, which system headers may too. */
#include "util.h"

/* After every other header: see openssl-dl.h. */
#include "openssl-dl.h"

static const struct tls_class openssl_class;

struct openssl_config {
    struct tls_config up;
    SSL_CTX *ctx;
};

struct openssl_session {
    struct tls_session up;
    SSL *ssl;
    BIO *rbio;                  /* Ciphertext from the peer (owned by ssl). */
    BIO *wbio;                  /* Ciphertext for the peer (owned by ssl). */
};

/* Describes the oldest error in OpenSSL's (per-thread) queue, and empties
 * the queue so that a stale entry cannot be blamed for a later failure.
 * 'ssl', if nonnull, adds why certificate verification failed, which the
 * queue only summarizes as "certificate verify failed". */
static char *
openssl_error(const SSL *ssl, const char *fallback)
{
    unsigned long code = ERR_peek_error();
    const char *reason = code ? ERR_reason_error_string(code) : NULL;
    char *message;

    if (!reason) {
        reason = fallback;
    }
    if (ssl && SSL_get_verify_result(ssl) != X509_V_OK) {
        message = xasprintf("%s (%s)", reason, X509_verify_cert_error_string(
                                SSL_get_verify_result(ssl)));
    } else {
        message = xstrdup(reason);
    }
    ERR_clear_error();
    return message;
}

/* ---- Configurations. ---- */

static int
file_error(const char *what, const char *file, char **errorp)
{
    int error = access(file, R_OK) ? errno : EINVAL;
    char *reason = error == EINVAL ? openssl_error(NULL, "unknown error")
                                   : xstrdup(strerror(error));

    ERR_clear_error();
    put_error(errorp, xasprintf("%s: cannot load %s (%s)", file, what,
                                reason));
    free(reason);
    return error;
}

int
tls_config_create(const char *private_key, const char *certificate,
                  const char *ca_cert, struct tls_config **configp,
                  char **errorp)
{
    struct openssl_config *c;
    char *load_error;
    SSL_CTX *ctx;
    int error;

    *configp = NULL;
    if (errorp) {
        *errorp = NULL;
    }
    error = openssl_dl_load(&load_error);
    if (error) {
        put_error(errorp, xasprintf("TLS is unavailable: %s", load_error));
        free(load_error);
        return error;
    }
    ERR_clear_error();
    /* TLS_method() negotiates the highest version both sides share; one
     * context serves both roles, as a connection picks its role when the
     * session is created. */
    ctx = SSL_CTX_new(TLS_method());
    if (!ctx) {
        char *reason = openssl_error(NULL, "out of memory");
        put_error(errorp, xasprintf("cannot create a TLS context (%s)",
                                    reason));
        free(reason);
        return ENOMEM;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_security_level(ctx, 2);
    /* Without session resumption, TLS 1.3 tickets would be dead weight. */
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    /* A server without FAIL_IF_NO_PEER_CERT would let a client in without
     * any certificate; clients ignore that flag. */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       NULL);

    if (SSL_CTX_use_certificate_chain_file(ctx, certificate) != 1) {
        error = file_error("certificate", certificate, errorp);
    } else if (SSL_CTX_use_PrivateKey_file(ctx, private_key,
                                           SSL_FILETYPE_PEM) != 1) {
        error = file_error("private key", private_key, errorp);
    } else if (SSL_CTX_check_private_key(ctx) != 1) {
        char *reason = openssl_error(NULL, "mismatch");
        put_error(errorp, xasprintf("%s: private key does not match "
                                    "certificate %s (%s)", private_key,
                                    certificate, reason));
        free(reason);
        error = EINVAL;
    } else if (SSL_CTX_load_verify_locations(ctx, ca_cert, NULL) != 1) {
        error = file_error("CA certificate", ca_cert, errorp);
    } else {
        /* Tells clients which CA we accept, so that one with several
         * certificates can pick the right one. */
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca_cert);
        if (names) {
            SSL_CTX_set_client_CA_list(ctx, names);
        }
        ERR_clear_error();
    }
    if (error) {
        SSL_CTX_free(ctx);
        return error;
    }

    c = xzalloc(sizeof *c);
    c->up.class = &openssl_class;
    c->ctx = ctx;
    *configp = &c->up;
    return 0;
}

static struct openssl_config *
openssl_config_cast(const struct tls_config *config)
{
    return CONTAINER_OF(config, struct openssl_config, up);
}

static void
openssl_config_destroy(struct tls_config *config)
{
    struct openssl_config *c = openssl_config_cast(config);

    SSL_CTX_free(c->ctx);         /* Live sessions hold their own ref. */
    free(c);
}

/* ---- Sessions. ---- */

static struct openssl_session *
openssl_session_cast(const struct tls_session *session)
{
    return CONTAINER_OF(session, struct openssl_session, up);
}

static struct tls_session *
openssl_session_create(const struct tls_config *config, bool is_client)
{
    struct openssl_session *s = xzalloc(sizeof *s);

    s->up.class = &openssl_class;
    s->ssl = SSL_new(openssl_config_cast(config)->ctx);
    s->rbio = BIO_new(BIO_s_mem());
    s->wbio = BIO_new(BIO_s_mem());
    if (!s->ssl || !s->rbio || !s->wbio) {
        xsw_fatal("out of memory");
    }
    /* An empty input BIO means "wait for more", never end of file: EOF is
     * the socket's business. */
    BIO_set_mem_eof_return(s->rbio, -1);
    SSL_set_bio(s->ssl, s->rbio, s->wbio);
    if (is_client) {
        SSL_set_connect_state(s->ssl);
    } else {
        SSL_set_accept_state(s->ssl);
    }
    return &s->up;
}

static void
openssl_session_destroy(struct tls_session *session)
{
    struct openssl_session *s = openssl_session_cast(session);

    SSL_free(s->ssl);           /* Frees both BIOs. */
    free(s);
}

static void
openssl_put_input(struct tls_session *session, const void *data, size_t n)
{
    struct openssl_session *s = openssl_session_cast(session);

    /* A memory BIO grows as needed, so it takes everything; INT_MAX-sized
     * pieces only because BIO_write() takes an int. */
    while (n > 0) {
        int chunk = n > INT_MAX ? INT_MAX : n;
        int written = BIO_write(s->rbio, data, chunk);
        if (written <= 0) {
            xsw_fatal("out of memory");
        }
        data = (const char *) data + written;
        n -= written;
    }
}

static char *
openssl_take_output(struct tls_session *session, size_t *lenp)
{
    struct openssl_session *s = openssl_session_cast(session);
    size_t len = BIO_ctrl_pending(s->wbio);
    char *data;

    *lenp = 0;
    if (!len) {
        return NULL;
    }
    data = xmalloc(len);
    if (BIO_read(s->wbio, data, len) != (int) len) {
        /* Memory BIOs hand back exactly what they hold. */
        free(data);
        return NULL;
    }
    *lenp = len;
    return data;
}

/* Classifies the result 'ret' of an SSL_*() call. */
static int
openssl_result(struct openssl_session *s, int ret, const char *fallback,
               char **errorp)
{
    switch (SSL_get_error(s->ssl, ret)) {
    case SSL_ERROR_NONE:
        return 0;
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        ERR_clear_error();
        return EAGAIN;
    case SSL_ERROR_ZERO_RETURN:
        ERR_clear_error();
        return EOF;
    default:
        put_error(errorp, openssl_error(s->ssl, fallback));
        return EPROTO;
    }
}

static int
openssl_handshake(struct tls_session *session, char **errorp)
{
    struct openssl_session *s = openssl_session_cast(session);
    int error;

    if (errorp) {
        *errorp = NULL;
    }
    if (SSL_is_init_finished(s->ssl)) {
        return 0;
    }
    ERR_clear_error();
    error = openssl_result(s, SSL_do_handshake(s->ssl), "handshake failed",
                           errorp);
    if (error == EOF) {
        /* close_notify in the middle of a handshake is still a failure. */
        put_error(errorp, xstrdup("peer closed the connection during the "
                                  "handshake"));
        error = EPROTO;
    }
    return error;
}

static bool
openssl_is_established(const struct tls_session *session)
{
    return SSL_is_init_finished(openssl_session_cast(session)->ssl);
}

static int
openssl_read(struct tls_session *session, void *buf, size_t n,
             size_t *nreadp, char **errorp)
{
    struct openssl_session *s = openssl_session_cast(session);
    int error;

    *nreadp = 0;
    if (errorp) {
        *errorp = NULL;
    }
    ERR_clear_error();
    error = openssl_result(s, SSL_read_ex(s->ssl, buf, n, nreadp),
                           "receive failed", errorp);
    return error;
}

static int
openssl_write(struct tls_session *session, const void *data, size_t n,
              char **errorp)
{
    struct openssl_session *s = openssl_session_cast(session);
    size_t written;
    int error;

    if (errorp) {
        *errorp = NULL;
    }
    if (!n) {
        return 0;               /* SSL_write_ex() treats 0 as an error. */
    }
    ERR_clear_error();
    /* Without SSL_MODE_ENABLE_PARTIAL_WRITE, a write into a memory BIO is
     * all or nothing. */
    error = openssl_result(s, SSL_write_ex(s->ssl, data, n, &written),
                           "send failed", errorp);
    if (error == EAGAIN || error == EOF) {
        /* Only a write before the handshake gets here: a caller bug. */
        put_error(errorp, xstrdup("TLS session is not established"));
        error = EPROTO;
    }
    return error;
}

static const struct tls_class openssl_class = {
    .config_destroy = openssl_config_destroy,
    .session_create = openssl_session_create,
    .session_destroy = openssl_session_destroy,
    .put_input = openssl_put_input,
    .take_output = openssl_take_output,
    .handshake = openssl_handshake,
    .is_established = openssl_is_established,
    .read = openssl_read,
    .write = openssl_write,
};
