/* json-out.h: jansson values to compact JSON text, fast, with a memo.
 *
 * Why not json_dumps(): jansson's own dumper costs a hash table insertion
 * (with a malloc) per array and object, to detect cycles that a server's
 * messages never have, and then a copy of the whole text; a busy server
 * spent more time there than on building its replies.  This one appends to
 * a growable string (struct ds), which lets a batch of replies share one
 * buffer and one write() (jsonrpc.c's cork).
 *
 * The text is what json_dumps(json, JSON_COMPACT | JSON_REAL_PRECISION(15))
 * gives, byte for byte.  Reals get 15 significant digits, as Open vSwitch
 * prints them (DBL_DIG): 0.1 goes out as 0.1, not 0.10000000000000001, and
 * 1.0 as 1.0.  A string that is not valid UTF-8 cannot be serialized (as
 * with jansson, which refuses it): the whole value then fails.
 *
 * The memo serves a value shared by many messages (a database change that
 * many monitors see alike): see json_out_memo_begin().
 *
 * Kept apart from jsonrpc.c, which only calls it, because nothing in it is
 * JSON-RPC: it is the one JSON writer that the connections (jsonrpc.c) and
 * the blocking client (jsonrpc-client.c) share. */
#ifndef XSW_JSON_OUT_H
#define XSW_JSON_OUT_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct ds;

/* Appends 'json', an object or an array, to 'b'.  Returns false, with 'b'
 * as it was, if it cannot be serialized (invalid UTF-8 in a string, or a
 * top-level value that is neither an object nor an array). */
bool json_out_append(struct ds *b, const json_t *json);

/* Serializes 'json' (an object or an array) into a malloc'd buffer of
 * '*lenp' bytes (null-terminated, the null not counted), or returns NULL,
 * with '*lenp' 0, if it cannot be serialized.  The caller frees it. */
char *json_out_serialize(const json_t *json, size_t *lenp);

/* Serializing one value into many messages.  Between json_out_memo_begin()
 * and the matching json_out_memo_end() (scopes nest; the outermost one
 * counts), a value passed to json_out_memo_add() is serialized once, the
 * first time a message that holds it is, and its text is reused in every
 * later message of the scope.  The value must not change meanwhile: the
 * memo holds a reference to it until the scope ends.  Outside a scope
 * json_out_memo_add() does nothing.  Per thread. */
void json_out_memo_begin(void);
void json_out_memo_add(json_t *);
void json_out_memo_end(void);

#endif /* json-out.h */
