/* openssl-dl.h: OpenSSL, loaded when a program first needs it.
 *
 * Why: Debian links libssl and libcrypto with -z now, so a program that
 * merely links them has the dynamic loader relocate and bind all of
 * libcrypto before main(): 3.85 million instructions in
 * _dl_relocate_object, about 1.1 ms, which was a third of a single
 * xsw-ctl command (2.82 ms before xsw-ctl linked OpenSSL, 3.98 ms after;
 * the README has the figures).  Yet only ssl: and pssl: remotes (tls.c)
 * and the SHA-1 of an imported Open vSwitch database file (ovs-file.c)
 * use OpenSSL.  So no program links it: openssl_dl_load() dlopen()s the
 * libssl that configure found (XSW_LIBSSL_SONAME, which brings its
 * libcrypto along) the first time one of those is used, and resolves at
 * once every function listed below (lib/dl-table.h does the loading, for
 * libcurl too).  A program that never sees a TLS remote never maps
 * OpenSSL at all.
 *
 * Calls read as plain OpenSSL: after this header, each name below is a
 * macro for its entry in the table, so SSL_new(ctx) (and OpenSSL's own
 * macros, such as SSL_CTX_set_min_proto_version(), which expand to
 * SSL_CTX_ctrl()) call through the table, and the compiler checks every
 * call against OpenSSL's own prototypes.  The list cannot fall behind the
 * code: a function used without an entry here is an undefined reference
 * when a program links, since nothing links -lssl -lcrypto (test-tls
 * does, for its misbehaving client, but the programs do not).  Include
 * this header instead of OpenSSL's, and no OpenSSL header after it.
 *
 * Alternatives weighed: building tls.c as a private shared module
 * (pkglibdir/xsw-tls.so) linked to OpenSSL saves the same millisecond,
 * but needs a shared-object build next to the static libxsw.a, a copy of
 * libxsw's utilities inside the module, and code to find the module both
 * in the build tree and once installed; and it would leave ovs-file.c's
 * SHA-1 eager.  glibc has no lazy loading of DT_NEEDED libraries
 * (Solaris's -z lazyload), and -z lazy on our side does not help: the
 * cost is in libcrypto's own relocations.  dlopen() is in libc itself
 * since glibc 2.34, so the programs gain no library either.
 *
 * Loading is once per process and thread-safe; the library stays loaded
 * until exit (OpenSSL registers its own atexit() cleanup). */
#ifndef XSW_OPENSSL_DL_H
#define XSW_OPENSSL_DL_H 1

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dl-table.h"

/* Loads OpenSSL if it is not loaded yet.  Returns 0, or ELIBACC if the
 * library cannot be loaded or lacks a function, with a malloc'd message
 * naming the library in '*errorp' (caller frees; 'errorp' may be NULL).
 * Every call gives the first call's result. */
int openssl_dl_load(char **errorp);

/* Every OpenSSL function that xsw calls. */
#define OPENSSL_DL_FUNCTIONS(F)                                         \
    /* libcrypto: errors, BIOs, certificates, digests. */               \
    F(ERR_clear_error) F(ERR_peek_error) F(ERR_reason_error_string)     \
    F(BIO_ctrl) F(BIO_ctrl_pending) F(BIO_new) F(BIO_read) F(BIO_s_mem) \
    F(BIO_write)                                                        \
    F(X509_verify_cert_error_string)                                    \
    F(EVP_Digest) F(EVP_sha1)                                           \
    /* base64, for etcd's JSON gateway (dbserver/etcd-client.c). */     \
    F(EVP_EncodeBlock) F(EVP_DecodeBlock)                               \
    /* libssl. */                                                       \
    F(SSL_CTX_check_private_key) F(SSL_CTX_ctrl) F(SSL_CTX_free)        \
    F(SSL_CTX_load_verify_locations) F(SSL_CTX_new)                     \
    F(SSL_CTX_set_client_CA_list) F(SSL_CTX_set_num_tickets)            \
    F(SSL_CTX_set_security_level) F(SSL_CTX_set_verify)                 \
    F(SSL_CTX_use_PrivateKey_file) F(SSL_CTX_use_certificate_chain_file) \
    F(SSL_do_handshake) F(SSL_free) F(SSL_get_error)                    \
    F(SSL_get_verify_result) F(SSL_is_init_finished)                    \
    F(SSL_load_client_CA_file) F(SSL_new) F(SSL_read_ex)                \
    F(SSL_set_accept_state) F(SSL_set_bio) F(SSL_set_connect_state)     \
    F(SSL_write_ex) F(TLS_method)

/* The table: 'p_NAME' points to NAME (## keeps the name from expanding
 * into the macros below). */
struct openssl_dl {
    OPENSSL_DL_FUNCTIONS(DL_TABLE_MEMBER)
};
extern struct openssl_dl openssl_dl;

/* Each function, through the table.  Valid only after openssl_dl_load()
 * returned 0. */
#define ERR_clear_error (*openssl_dl.p_ERR_clear_error)
#define ERR_peek_error (*openssl_dl.p_ERR_peek_error)
#define ERR_reason_error_string (*openssl_dl.p_ERR_reason_error_string)
#define BIO_ctrl (*openssl_dl.p_BIO_ctrl)
#define BIO_ctrl_pending (*openssl_dl.p_BIO_ctrl_pending)
#define BIO_new (*openssl_dl.p_BIO_new)
#define BIO_read (*openssl_dl.p_BIO_read)
#define BIO_s_mem (*openssl_dl.p_BIO_s_mem)
#define BIO_write (*openssl_dl.p_BIO_write)
#define X509_verify_cert_error_string \
    (*openssl_dl.p_X509_verify_cert_error_string)
#define EVP_Digest (*openssl_dl.p_EVP_Digest)
#define EVP_sha1 (*openssl_dl.p_EVP_sha1)
#define EVP_EncodeBlock (*openssl_dl.p_EVP_EncodeBlock)
#define EVP_DecodeBlock (*openssl_dl.p_EVP_DecodeBlock)
#define SSL_CTX_check_private_key (*openssl_dl.p_SSL_CTX_check_private_key)
#define SSL_CTX_ctrl (*openssl_dl.p_SSL_CTX_ctrl)
#define SSL_CTX_free (*openssl_dl.p_SSL_CTX_free)
#define SSL_CTX_load_verify_locations \
    (*openssl_dl.p_SSL_CTX_load_verify_locations)
#define SSL_CTX_new (*openssl_dl.p_SSL_CTX_new)
#define SSL_CTX_set_client_CA_list (*openssl_dl.p_SSL_CTX_set_client_CA_list)
#define SSL_CTX_set_num_tickets (*openssl_dl.p_SSL_CTX_set_num_tickets)
#define SSL_CTX_set_security_level \
    (*openssl_dl.p_SSL_CTX_set_security_level)
#define SSL_CTX_set_verify (*openssl_dl.p_SSL_CTX_set_verify)
#define SSL_CTX_use_PrivateKey_file \
    (*openssl_dl.p_SSL_CTX_use_PrivateKey_file)
#define SSL_CTX_use_certificate_chain_file \
    (*openssl_dl.p_SSL_CTX_use_certificate_chain_file)
#define SSL_do_handshake (*openssl_dl.p_SSL_do_handshake)
#define SSL_free (*openssl_dl.p_SSL_free)
#define SSL_get_error (*openssl_dl.p_SSL_get_error)
#define SSL_get_verify_result (*openssl_dl.p_SSL_get_verify_result)
#define SSL_is_init_finished (*openssl_dl.p_SSL_is_init_finished)
#define SSL_load_client_CA_file (*openssl_dl.p_SSL_load_client_CA_file)
#define SSL_new (*openssl_dl.p_SSL_new)
#define SSL_read_ex (*openssl_dl.p_SSL_read_ex)
#define SSL_set_accept_state (*openssl_dl.p_SSL_set_accept_state)
#define SSL_set_bio (*openssl_dl.p_SSL_set_bio)
#define SSL_set_connect_state (*openssl_dl.p_SSL_set_connect_state)
#define SSL_write_ex (*openssl_dl.p_SSL_write_ex)
#define TLS_method (*openssl_dl.p_TLS_method)

#endif /* openssl-dl.h */
