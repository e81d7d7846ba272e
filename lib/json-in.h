/* json-in.h: JSON text to jansson values, fast, with jansson's answers.
 *
 * Why not json_loadb() alone: jansson's parser reads the text a character
 * at a time through a stream that checks UTF-8 as it goes, copies each
 * token into a growable buffer and then again into the value, and costs
 * about 200 instructions per byte of an OVSDB request.  In xsw-dbserver
 * that was the largest single cost between a request's arrival and its
 * reply (callgrind, a serial client adding ports: 77k of 294k
 * instructions per transaction).  This parser scans the text in place and
 * builds the very same values with jansson's own constructors.
 *
 * It takes the fast path only for what clients send day to day: objects,
 * arrays, strings of printable ASCII without escapes, integers, true,
 * false and null.  Anything else (a real, an escape, a byte outside
 * printable ASCII, a nesting deeper than JSON_IN_MAX_FAST_DEPTH, any
 * syntax error) makes it drop what it built and hand the whole text to
 * json_loadb() with the same flags: the result, value or error message, is
 * always jansson's, so callers see no difference but speed.
 *
 * Kept apart from jsonrpc.c, which calls it, because nothing in it is
 * JSON-RPC: json-out.h is its counterpart for writing. */
#ifndef XSW_JSON_IN_H
#define XSW_JSON_IN_H 1

#include <jansson.h>
#include <stddef.h>

/* Text with arrays and objects nested deeper than this goes to jansson
 * (whose own limit is 2048): the fast path recurses, and OVSDB messages
 * nest fewer than 10 levels. */
#define JSON_IN_MAX_FAST_DEPTH 64

/* What json_loadb(text, len, flags, error) returns, the same value or the
 * same error.  'flags' may be 0 or JSON_DECODE_ANY; with any other flag the
 * text goes to jansson directly. */
json_t *json_in_loadb(const char *text, size_t len, size_t flags,
                      json_error_t *error);

/* The fast path alone: the value json_loadb() would return, or NULL if the
 * text is outside the fast subset (or not JSON).  For tests, which check
 * that everyday messages take it; json_in_loadb() counts each text that
 * does not as "json_in_fallback" in coverage/show. */
json_t *json_in_parse_fast(const char *text, size_t len, size_t flags);

#endif /* json-in.h */
