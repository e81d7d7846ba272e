/* tls.h: TLS for JSON-RPC connections ("ssl:" and "pssl:" remotes), with
 * OpenSSL.
 *
 * A struct tls_config is what both ends of a connection need: our private
 * key and certificate, and the CA certificate that the peer's certificate
 * must be signed by.  Verification is always on, in both directions, as in
 * ovsdb-server with --ca-cert: a server refuses a client without a
 * certificate from the CA, and a client refuses a server likewise.  Like
 * Open vSwitch, only the chain is checked, not host names (switches are
 * addressed by IP and their certificates rarely name them).  TLS 1.2 is the
 * minimum; ciphers are OpenSSL's defaults at security level 2.
 *
 * A struct tls_session is one connection's TLS state machine.  It does no
 * I/O of its own (it sits on OpenSSL memory BIOs): the caller feeds it the
 * ciphertext it read from the socket with tls_session_put_input() and sends
 * whatever tls_session_take_output() returns.  That way the same code runs
 * over libuv streams (struct jsonrpc_conn) and blocking sockets (struct
 * jsonrpc_client), and the caller keeps full control of buffering, so that
 * output backlog is accounted in ciphertext bytes.
 *
 * Linking: only tls.c uses OpenSSL, and the functions that stream.c and
 * jsonrpc.c call are inline wrappers that dispatch through a function table
 * in the config and session.  OpenSSL itself is loaded by the first
 * tls_config_create() (openssl-dl.h says why), so no program links it and
 * only one that uses TLS ever maps it.
 *
 * Errors follow stream.h: positive errno values plus a malloc'd message in
 * '*errorp' (caller frees; 'errorp' may be NULL).  Messages carry OpenSSL's
 * reason ("certificate verify failed (unable to get local issuer
 * certificate)", "wrong version number", ...) for the log line a failed
 * connection deserves. */
#ifndef XSW_TLS_H
#define XSW_TLS_H 1

#include <stdbool.h>
#include <stddef.h>

struct tls_config;
struct tls_session;

/* Loads PEM files 'private_key', 'certificate' (optionally followed by
 * intermediate CA certificates) and 'ca_cert' (the CA that peers'
 * certificates must be signed by) into a new configuration, which the
 * caller frees with tls_config_destroy().  Fails with ENOENT (missing file),
 * EINVAL (not PEM, or the key does not match the certificate), EPROTO, or
 * ELIBACC if OpenSSL cannot be loaded (the message names the library). */
int tls_config_create(const char *private_key, const char *certificate,
                      const char *ca_cert, struct tls_config **configp,
                      char **errorp);

/* ---- Implementation details: use the functions below. ---- */

struct tls_class {
    void (*config_destroy)(struct tls_config *);
    struct tls_session *(*session_create)(const struct tls_config *,
                                          bool is_client);
    void (*session_destroy)(struct tls_session *);
    void (*put_input)(struct tls_session *, const void *, size_t);
    char *(*take_output)(struct tls_session *, size_t *lenp);
    int (*handshake)(struct tls_session *, char **errorp);
    bool (*is_established)(const struct tls_session *);
    int (*read)(struct tls_session *, void *, size_t, size_t *nreadp,
                char **errorp);
    int (*write)(struct tls_session *, const void *, size_t, char **errorp);
};

/* Both are the first member of tls.c's real structures. */
struct tls_config {
    const struct tls_class *class;
};
struct tls_session {
    const struct tls_class *class;
};

/* ---- Configurations. ---- */

/* Frees 'config'.  Sessions created from it stay usable (OpenSSL counts
 * references), but nothing may create new ones. */
static inline void
tls_config_destroy(struct tls_config *config)
{
    if (config) {
        config->class->config_destroy(config);
    }
}

/* ---- Sessions. ---- */

/* Starts a session that will act as the TLS client ('is_client': we
 * connected) or server (we accepted).  Free it with tls_session_destroy(). */
static inline struct tls_session *
tls_session_create(const struct tls_config *config, bool is_client)
{
    return config->class->session_create(config, is_client);
}

static inline void
tls_session_destroy(struct tls_session *s)
{
    if (s) {
        s->class->session_destroy(s);
    }
}

/* Hands the session 'n' bytes of ciphertext received from the peer.  It
 * buffers them all; nothing can fail here. */
static inline void
tls_session_put_input(struct tls_session *s, const void *data, size_t n)
{
    s->class->put_input(s, data, n);
}

/* Returns the ciphertext the session wants sent to the peer (handshake
 * records, encrypted data, alerts), as a malloc'd buffer that the caller
 * frees, with its length in '*lenp'; or NULL if there is none.  Call it
 * after every other session function, also after a failure: a failed
 * handshake leaves an alert that tells the peer why. */
static inline char *
tls_session_take_output(struct tls_session *s, size_t *lenp)
{
    return s->class->take_output(s, lenp);
}

/* Advances the handshake with the input received so far.  Returns 0 once
 * it is complete (and then at once on later calls), EAGAIN if it needs more
 * input from the peer, or EPROTO if it failed (peer certificate not signed
 * by our CA, no peer certificate, protocol version below TLS 1.2, a peer
 * that does not speak TLS at all...), with the reason in '*errorp'. */
static inline int
tls_session_handshake(struct tls_session *s, char **errorp)
{
    return s->class->handshake(s, errorp);
}

static inline bool
tls_session_is_established(const struct tls_session *s)
{
    return s->class->is_established(s);
}

/* Decrypts up to 'n' bytes of application data into 'buf'.  Returns 0 with
 * the count (at least 1) in '*nreadp'; EAGAIN if no complete record is
 * buffered (feed more input); EOF (-1) if the peer closed the TLS session
 * cleanly; EPROTO with a message on a protocol error or a fatal alert from
 * the peer.  Completes the handshake first if needed. */
static inline int
tls_session_read(struct tls_session *s, void *buf, size_t n, size_t *nreadp,
                 char **errorp)
{
    return s->class->read(s, buf, n, nreadp, errorp);
}

/* Encrypts all 'n' bytes of 'data' into the session's output.  The
 * handshake must be complete.  Returns 0 or EPROTO with a message. */
static inline int
tls_session_write(struct tls_session *s, const void *data, size_t n,
                  char **errorp)
{
    return s->class->write(s, data, n, errorp);
}

#endif /* tls.h */
