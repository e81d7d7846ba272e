/* test-fuzz-regressions.c: bugs found by fuzzing and sanitizers, one test
 * each, so that they stay fixed in the ordinary (gcc) build too.  The
 * inputs that found them are also in tests/fuzz/corpus/<harness>/regress-*
 * and replayed by tests/fuzz/run-fuzzers.sh. */
#include <config.h>
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dbserver/db.h"
#include "dbserver/transact.h"
#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "ovsdb-types.h"
#include "switchd/csum.h"
#include "switchd/flow.h"
#include "switchd/gso.h"
#include "switchd/packet.h"

/* An Ethernet + IPv4 + TCP frame with 'payload_len' payload bytes whose
 * TCP data offset is 'doff' words. */
static struct dp_packet *
tcp_frame(unsigned int doff, size_t payload_len)
{
    size_t size = ETH_HEADER_LEN + 20 + 20 + payload_len;
    struct dp_packet *p = dp_packet_new(size, 0);
    uint8_t *d = dp_packet_data(p);
    uint8_t *ip = d + ETH_HEADER_LEN;
    uint8_t *tcp = ip + 20;
    size_t ip_len = size - ETH_HEADER_LEN;

    memset(d, 0, size);
    memcpy(d, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", ETH_HEADER_LEN);
    ip[0] = 0x45;
    ip[2] = ip_len >> 8;
    ip[3] = ip_len & 0xff;
    ip[8] = 64;
    ip[9] = IPPROTO_TCP_;
    memcpy(ip + 12, "\x0a\0\0\x01\x0a\0\0\x02", 8);
    tcp[12] = doff << 4;
    tcp[13] = 0x18;                     /* PSH, ACK. */
    for (size_t i = 0; i < payload_len; i++) {
        tcp[20 + i] = i;
    }
    return p;
}

/* fuzz-packet: a TCP header with a data offset under 5 words was taken for
 * a TCP header, and gso_segment() cut it into segments whose sequence
 * number and checksum it wrote over payload bytes. */
START_TEST(test_tcp_data_offset_below_5)
{
    struct dp_packet_pool *pool = dp_packet_pool_create(8, 2048);
    struct dp_packet *segs[8];
    size_t n_segs = 99;

    for (unsigned int doff = 0; doff < 5; doff++) {
        struct dp_packet *p = tcp_frame(doff, 100);
        struct flow_l2 l2;
        struct flow_l4 l4;

        ck_assert(flow_parse_l2(dp_packet_data(p), p->size, &l2));
        flow_parse_l4(dp_packet_data(p), p->size, &l2, &l4);
        ck_assert_uint_eq(l4.ip_version, 4);
        ck_assert_uint_eq(l4.nw_proto, IPPROTO_TCP_);
        ck_assert_msg(l4.l4_ofs == 0, "data offset %u accepted", doff);

        p->ol.flags = DP_PACKET_OL_NEEDS_CSUM;
        p->ol.gso_type = DP_PACKET_GSO_TCPV4;
        p->ol.gso_size = 30;
        ck_assert_int_eq(gso_segment(p, pool, segs, 8, &n_segs), EINVAL);
        ck_assert_uint_eq(n_segs, 0);
        dp_packet_delete(p);
    }
    ck_assert_uint_eq(dp_packet_pool_available(pool), 8);

    /* The smallest valid data offset still segments. */
    struct dp_packet *p = tcp_frame(5, 100);
    p->ol.flags = DP_PACKET_OL_NEEDS_CSUM;
    p->ol.gso_type = DP_PACKET_GSO_TCPV4;
    p->ol.gso_size = 30;
    ck_assert_int_eq(gso_segment(p, pool, segs, 8, &n_segs), 0);
    ck_assert_uint_eq(n_segs, 4);
    ck_assert_uint_eq(segs[3]->size, ETH_HEADER_LEN + 40 + 10);
    dp_packet_delete_array(segs, n_segs);
    dp_packet_delete(p);
    dp_packet_pool_destroy(pool);
}
END_TEST

/* Sanitizer build: ovsdb_datum_add_unsafe() grew its arrays one atom at a
 * time, so under AddressSanitizer (whose realloc always copies) building a
 * 100,000-element set took minutes and test-ovsdb-data timed out.  Growth
 * is now geometric; the timeout below fails the quadratic version under
 * sanitizers. */
START_TEST(test_datum_add_unsafe_linear)
{
    struct ovsdb_type type;
    struct ovsdb_datum datum = OVSDB_DATUM_EMPTY_INIT;
    json_t *json = json_pack("{s:s, s:i, s:s}", "key", "string",
                             "min", 0, "max", "unlimited");
    struct ovsdb_error *error = ovsdb_type_from_json(&type, json);
    const unsigned int n = 200000;

    ck_assert(!error);
    json_decref(json);
    for (unsigned int i = 0; i < n; i++) {
        union ovsdb_atom atom;
        char name[16];

        snprintf(name, sizeof name, "k%06u", n - 1 - i);
        atom.string = name;
        ovsdb_datum_add_unsafe(&datum, &atom, NULL, &type);
    }
    ovsdb_datum_sort_unique(&datum, &type);
    ck_assert_uint_eq(datum.n, n);
    ck_assert_str_eq(datum.keys[0].string, "k000000");
    ck_assert_str_eq(datum.keys[n - 1].string, "k199999");
    ovsdb_datum_destroy(&datum, &type);
    ovsdb_type_destroy(&type);
}
END_TEST

/* fuzz-transact (UBSan): a "wait" that is not yet satisfied, with a timeout
 * near LLONG_MAX, overflowed the deadline ovsdb_execute() computes.  The
 * wrapped deadline lay in the past, so the server re-ran the transaction
 * at once, got RETRY again, and so on: one request from any client kept it
 * busy forever (and a sanitized build aborted). */
START_TEST(test_wait_timeout_overflow)
{
    const char *srcdir = getenv("top_srcdir");
    char *path = xasprintf("%s/tests/schemas/test.ovsschema",
                           srcdir ? srcdir : ".");
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_file(path, &schema);
    const struct ovsdb_execute_ctx ctx = { .read_only = false };
    const long long timeouts[] = { LLONG_MAX - 1, LLONG_MAX - 1000,
                                   LLONG_MAX / 2 + 1 };

    ck_assert_msg(!error, "%s", path);
    free(path);
    struct ovsdb_db *db = ovsdb_db_create(schema);

    for (size_t i = 0; i < sizeof timeouts / sizeof *timeouts; i++) {
        json_t *ops = json_pack(
            "[{s:s, s:s, s:[], s:[s], s:s, s:[{s:i}], s:I}]",
            "op", "wait", "table", "Root", "where", "columns", "i",
            "until", "==", "rows", "i", 1, "timeout",
            (json_int_t) timeouts[i]);
        long long deadline = 0;
        struct ovsdb_txn *txn = NULL;
        json_t *result = NULL;

        /* The server's clock has run for a while; the request is new. */
        ck_assert_int_eq(ovsdb_execute(db, ops, &ctx, LLONG_MAX / 2, 0,
                                       &result, &txn, &deadline),
                         OVSDB_EXECUTE_RETRY);
        ck_assert_msg(deadline == LLONG_MAX, "timeout %lld: deadline %lld",
                      timeouts[i], deadline);
        ck_assert(!result && !txn);
        json_decref(ops);
    }

    /* An ordinary timeout still gives an ordinary deadline. */
    json_t *ops = json_pack("[{s:s, s:s, s:[], s:[s], s:s, s:[{s:i}], s:i}]",
                            "op", "wait", "table", "Root", "where",
                            "columns", "i", "until", "==", "rows", "i", 1,
                            "timeout", 500);
    long long deadline = 0;
    struct ovsdb_txn *txn = NULL;
    json_t *result = NULL;
    ck_assert_int_eq(ovsdb_execute(db, ops, &ctx, 10000, 200, &result, &txn,
                                   &deadline), OVSDB_EXECUTE_RETRY);
    ck_assert_int_eq(deadline, 10300);
    json_decref(ops);
    ovsdb_db_destroy(db);
}
END_TEST

static Suite *
fuzz_regressions_suite(void)
{
    Suite *s = suite_create("fuzz-regressions");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_tcp_data_offset_below_5);
    tcase_add_test(tc, test_datum_add_unsafe_linear);
    tcase_add_test(tc, test_wait_timeout_overflow);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(fuzz_regressions_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
