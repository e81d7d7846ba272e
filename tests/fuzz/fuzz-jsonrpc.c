/* fuzz-jsonrpc.c: libFuzzer harness for JSON-RPC stream framing.
 *
 * A peer controls every byte of the stream and where the kernel splits it
 * into reads.  The input's first two bytes seed the split points; the rest
 * is the stream.  The same stream is framed twice, once in a single feed
 * and once in random-sized pieces, and both must produce the same messages
 * and the same verdict (error or not): the parser's state across feeds
 * must not change what it finds.  Each message is then classified with
 * jsonrpc_msg_parse(), whose promises about the members are checked. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc.h"

/* Small limits, so that the fuzzer reaches the "too big" and "too deep"
 * paths with inputs of a few hundred bytes. */
#define FUZZ_MAX_SIZE 2048
#define FUZZ_MAX_DEPTH 32
#define FUZZ_MAX_MSGS 64

struct framing {
    char *msgs[FUZZ_MAX_MSGS];  /* Canonical text of each message. */
    size_t n_msgs;
    bool failed;
};

static void
framing_destroy(struct framing *f)
{
    for (size_t i = 0; i < f->n_msgs; i++) {
        free(f->msgs[i]);
    }
}

/* Checks what jsonrpc_msg_parse() says against jsonrpc.h. */
static void
check_msg(const json_t *json)
{
    struct jsonrpc_msg msg;
    char *error = jsonrpc_msg_parse(json, &msg);

    if (error) {
        if (!*error) {
            abort();            /* An error must say something. */
        }
        free(error);
        return;
    }
    switch (msg.type) {
    case JSONRPC_REQUEST:
        if (!msg.method || !json_is_array(msg.params)
            || !msg.id || json_is_null(msg.id)) {
            abort();
        }
        break;
    case JSONRPC_NOTIFY:
        if (!msg.method || !json_is_array(msg.params) || msg.id) {
            abort();
        }
        break;
    case JSONRPC_REPLY:
        if (!msg.result || !msg.id) {
            abort();
        }
        break;
    case JSONRPC_ERROR:
        if (!msg.error || json_is_null(msg.error) || !msg.id) {
            abort();
        }
        break;
    default:
        abort();
    }
    free(jsonrpc_msg_to_string(json));
}

/* Frames 'data' fed in pieces whose sizes come from 'seed' (all at once if
 * 'seed' is 0). */
static void
frame(const char *data, size_t n, uint32_t seed, struct framing *f)
{
    struct jsonrpc_parser p;

    memset(f, 0, sizeof *f);
    jsonrpc_parser_init(&p, FUZZ_MAX_SIZE, FUZZ_MAX_DEPTH);
    while (n > 0 && !f->failed && f->n_msgs < FUZZ_MAX_MSGS) {
        size_t chunk = n;

        if (seed) {
            /* xorshift32: cheap and deterministic. */
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            chunk = MIN(n, 1 + seed % 17);
        }

        /* Copy each piece into its own allocation, as a read buffer is, so
         * that ASan sees any read past the piece. */
        char *piece = xmemdup(data, chunk);
        size_t off = 0;
        while (off < chunk) {
            json_t *msg;
            char *error;
            size_t used = jsonrpc_parser_feed(&p, piece + off, chunk - off,
                                              &msg, &error);
            if (used > chunk - off) {
                abort();
            }
            if (error) {
                if (msg || used) {
                    abort();    /* An error consumes nothing, yields none. */
                }
                free(error);
                f->failed = true;
                break;
            }
            off += used;
            if (msg) {
                if (!json_is_object(msg) && !json_is_array(msg)) {
                    abort();
                }
                check_msg(msg);
                if (f->n_msgs < FUZZ_MAX_MSGS) {
                    f->msgs[f->n_msgs++] = json_dumps(
                        msg, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
                }
                json_decref(msg);
            } else if (!used) {
                abort();        /* No progress without an error. */
            }
        }
        free(piece);
        data += off;
        n -= off;
        if (off < chunk) {
            break;
        }
    }
    jsonrpc_parser_destroy(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct framing whole, split;
    uint32_t seed;

    if (size < 2) {
        return 0;
    }
    seed = (data[0] << 8 | data[1]) | 0x10000;   /* Never 0. */
    data += 2;
    size -= 2;

    frame((const char *) data, size, 0, &whole);
    frame((const char *) data, size, seed, &split);

    /* A stream that runs past FUZZ_MAX_MSGS stops early in either mode, at
     * different bytes, so only the messages both saw are compared then. */
    if (whole.n_msgs < FUZZ_MAX_MSGS && split.n_msgs < FUZZ_MAX_MSGS) {
        if (whole.failed != split.failed || whole.n_msgs != split.n_msgs) {
            fprintf(stderr, "whole: %zu msgs%s, split: %zu msgs%s\n",
                    whole.n_msgs, whole.failed ? ", failed" : "",
                    split.n_msgs, split.failed ? ", failed" : "");
            abort();
        }
    }
    for (size_t i = 0; i < MIN(whole.n_msgs, split.n_msgs); i++) {
        if (strcmp(whole.msgs[i], split.msgs[i])) {
            fprintf(stderr, "message %zu differs:\n%s\n%s\n", i,
                    whole.msgs[i], split.msgs[i]);
            abort();
        }
    }
    framing_destroy(&whole);
    framing_destroy(&split);
    return 0;
}
