/* ovs-file.c: see ovs-file.h.
 *
 * The framing is parsed here, by hand: no library reads it.  Open vSwitch's
 * own reader (ovsdb/log.c) lives in libopenvswitch, whose ovsdb_* names
 * collide with ours and which would be a dependency for a one-time import;
 * jansson reads the JSON of each record but cannot find where a record
 * starts, since the header line in front of it is not JSON.  The header
 * gives the exact length, so each record is read whole and handed to
 * json_loadb(), and its SHA-1 is checked as ovsdb-server checks it, with
 * OpenSSL, which TLS uses too; openssl-dl.h loads it at the first record,
 * so that only an import pays for it. */
#include <config.h>
#include "ovs-file.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>

#include "db.h"
#include "txn-record.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "util.h"
#include "uuid.h"
/* After every other header: see openssl-dl.h. */
#include "openssl-dl.h"

#define SHA1_LEN 20

/* A header line is short: "OVSDB JSON " + a length + 40 hex digits. */
#define MAX_HEADER_LEN 256

struct ovs_log {
    const char *path;
    FILE *stream;
    long long offset;           /* Of the record being read. */
    unsigned long long size;    /* Of the file. */
    unsigned int n_records;     /* Read so far. */
};

enum record_status {
    RECORD_OK,
    RECORD_EOF,                 /* Clean end of file. */
    RECORD_TORN                 /* The file ends inside a record. */
};

static struct ovsdb_error *
log_error(const struct ovs_log *log, const char *fmt, ...)
    PRINTF_FORMAT(2, 3);

static struct ovsdb_error *
log_error(const struct ovs_log *log, const char *fmt, ...)
{
    char msg[512];
    va_list args;

    va_start(args, fmt);
    vsnprintf(msg, sizeof msg, fmt, args);
    va_end(args);
    return ovsdb_error("syntax error", "%s: record %u at offset %lld: %s",
                       log->path, log->n_records + 1, log->offset, msg);
}

static bool
parse_sha1(const char *hex, unsigned char sha1[SHA1_LEN])
{
    if (strlen(hex) != 2 * SHA1_LEN
        || strspn(hex, "0123456789abcdefABCDEF") != 2 * SHA1_LEN) {
        return false;
    }
    for (int i = 0; i < SHA1_LEN; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            return false;
        }
        sha1[i] = byte;
    }
    return true;
}

/* Reads the next record into '*jsonp'. */
static struct ovsdb_error *
read_record(struct ovs_log *log, json_t **jsonp, enum record_status *status)
{
    char header[MAX_HEADER_LEN];
    unsigned char want[SHA1_LEN], got[SHA1_LEN];
    unsigned int got_len;

    *jsonp = NULL;
    *status = RECORD_OK;
    if (!fgets(header, sizeof header, log->stream)) {
        if (ferror(log->stream)) {
            return ovsdb_error("I/O error", "%s: reading: %s", log->path,
                               strerror(errno));
        }
        *status = RECORD_EOF;
        return NULL;
    }
    size_t header_len = strlen(header);
    if (header[header_len - 1] != '\n') {
        if (feof(log->stream)) {
            *status = RECORD_TORN;
            return NULL;
        }
        return log_error(log, "header line too long");
    }

    /* "OVSDB <magic> <length> <sha1>\n", as ovsdb/log.c writes it. */
    char magic[32];
    unsigned long long length;
    char hex[2 * SHA1_LEN + 2];
    int n = 0;
    if (sscanf(header, "OVSDB %31s %llu %41s%n", magic, &length, hex, &n) != 3
        || header[n] != '\n') {
        if (!strncmp(header, "OVSDB CLUSTER", 13)) {
            goto clustered;
        }
        return log_error(log, "not an Open vSwitch database record header");
    }
    if (!strcmp(magic, "CLUSTER")) {
        goto clustered;
    }
    if (strcmp(magic, "JSON")) {
        return log_error(log, "unknown record type \"%s\"", magic);
    }
    if (!parse_sha1(hex, want)) {
        return log_error(log, "malformed SHA-1 in header");
    }
    if (!length || length > INT_MAX) {
        return log_error(log, "implausible record length %llu", length);
    }
    /* A length beyond the end of the file is a record cut short (or a
     * damaged header): do not allocate what the file cannot hold. */
    if (length > log->size - (log->offset + header_len)) {
        *status = RECORD_TORN;
        return NULL;
    }

    char *data = xmalloc(length);
    size_t n_read = fread(data, 1, length, log->stream);
    if (n_read < length) {
        free(data);
        if (ferror(log->stream)) {
            return ovsdb_error("I/O error", "%s: reading: %s", log->path,
                               strerror(errno));
        }
        *status = RECORD_TORN;
        return NULL;
    }
    if (!EVP_Digest(data, length, got, &got_len, EVP_sha1(), NULL)
        || got_len != SHA1_LEN) {
        free(data);
        return ovsdb_error("internal error", "SHA-1 unavailable");
    }
    if (memcmp(want, got, SHA1_LEN)) {
        free(data);
        return log_error(log, "record's SHA-1 does not match its header "
                         "(the file is damaged)");
    }

    json_error_t jerr;
    json_t *json = json_loadb(data, length, JSON_DECODE_ANY, &jerr);
    free(data);
    if (!json) {
        return log_error(log, "%s", jerr.text);
    }
    if (!json_is_object(json)) {
        json_decref(json);
        return log_error(log, "record is not a JSON object");
    }
    *jsonp = json;
    log->offset += header_len + length;
    log->n_records++;
    return NULL;

clustered:
    return ovsdb_error("syntax error", "%s is a clustered database: only "
                       "standalone databases can be imported; make a "
                       "standalone copy first with `ovsdb-tool "
                       "cluster-to-standalone COPY.db %s`", log->path,
                       log->path);
}

struct ovsdb_error *
ovs_file_read(const char *path, struct ovsdb_db **dbp, char **warningp)
{
    struct ovs_log log = { .path = path };
    struct ovsdb_error *error;
    struct ovsdb_schema *schema;
    struct ovsdb_db *db = NULL;
    enum record_status status;
    char *load_error;
    json_t *json;

    *dbp = NULL;
    *warningp = NULL;
    if (openssl_dl_load(&load_error)) {
        error = ovsdb_error("internal error", "%s: cannot check SHA-1s: %s",
                            path, load_error);
        free(load_error);
        return error;
    }
    log.stream = fopen(path, "rb");
    if (!log.stream) {
        return ovsdb_error("I/O error", "%s: opening: %s", path,
                           strerror(errno));
    }
    struct stat st;
    if (fstat(fileno(log.stream), &st)) {
        error = ovsdb_error("I/O error", "%s: %s", path, strerror(errno));
        fclose(log.stream);
        return error;
    }
    log.size = st.st_size;

    error = read_record(&log, &json, &status);
    if (!error && status != RECORD_OK) {
        error = ovsdb_error("syntax error", "%s: %s", path,
                            status == RECORD_EOF ? "empty file"
                            : "not an Open vSwitch database (it ends "
                            "inside its first record)");
    }
    if (error) {
        goto out;
    }
    error = ovsdb_schema_from_json(json, &schema);
    json_decref(json);
    if (error) {
        error = ovsdb_error_wrap(error, "%s: the schema record", path);
        goto out;
    }
    db = ovsdb_db_create(schema);

    for (;;) {
        long long offset = log.offset;
        error = read_record(&log, &json, &status);
        if (error || status == RECORD_EOF) {
            break;
        }
        if (status == RECORD_TORN) {
            /* ovsdb-server truncates such a tail (a write cut short by a
             * crash) when it opens the file; the data before it stands. */
            *warningp = xasprintf("%s: ignored an incomplete last record at "
                                  "offset %lld (a write cut short)", path,
                                  offset);
            break;
        }
        error = txn_record_replay(db, json);
        json_decref(json);
        if (error) {
            error = ovsdb_error_wrap(error, "%s: record %u at offset %lld",
                                     path, log.n_records, offset);
            break;
        }
    }

out:
    fclose(log.stream);
    if (error && db) {
        ovsdb_db_destroy(db);
        db = NULL;
    }
    *dbp = db;
    return error;
}

bool
ovs_file_is_standalone(const char *path)
{
    static const char magic[] = "OVSDB JSON ";
    char header[sizeof magic] = "";
    FILE *f = fopen(path, "rb");

    if (!f) {
        return false;
    }
    size_t n = fread(header, 1, sizeof magic - 1, f);
    fclose(f);
    return n == sizeof magic - 1 && !memcmp(header, magic, n);
}
