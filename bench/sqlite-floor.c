/* sqlite-floor: the least a SQLite commit of one port-adding transaction
 * costs on this machine, for bench/dbserver-bench.sh.
 *
 * usage: sqlite-floor DBFILE [N]
 *
 * A serial client waits a whole round trip for each transaction, so the
 * serial figure is bounded by what every transaction must do.  For
 * xsw-dbserver that includes a SQLite commit before the reply (the issue
 * asks that no reply leave before its data is committed).  This program
 * measures that commit alone, as cheaply as SQLite can make it: three
 * prepared INSERTs of small rows (a Port, an Interface, the port's entry
 * in its bridge's ports) between BEGIN and COMMIT, in WAL mode with
 * synchronous=NORMAL (no fsync per commit), the mode xsw-dbserver runs in.
 * No JSON, no schema checks, no network.  It creates DBFILE (and its
 * -wal), commits N times (default 5000), prints "commit_us=X n=N" and
 * removes the files. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void
remove_db(const char *path)
{
    static const char *const suffixes[] = { "", "-wal", "-shm" };

    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        char name[4096];

        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        unlink(name);
    }
}

static void
check(sqlite3 *db, int rc, int want, const char *what)
{
    if (rc != want) {
        fprintf(stderr, "sqlite-floor: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static sqlite3_stmt *
prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt;

    check(db, sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK, sql);
    return stmt;
}

static void
step(sqlite3 *db, sqlite3_stmt *stmt)
{
    check(db, sqlite3_step(stmt), SQLITE_DONE, sqlite3_sql(stmt));
    sqlite3_reset(stmt);
}

static void
random_uuid(unsigned char uuid[16])
{
    for (int i = 0; i < 16; i++) {
        uuid[i] = random();
    }
}

int
main(int argc, char *argv[])
{
    if (argc < 2 || argc > 3 || (argc == 3 && atoi(argv[2]) <= 0)) {
        fprintf(stderr, "usage: sqlite-floor DBFILE [N]\n");
        return 2;
    }
    const char *path = argv[1];
    int n = argc == 3 ? atoi(argv[2]) : 5000;
    sqlite3 *db;

    remove_db(path);
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        fprintf(stderr, "sqlite-floor: %s: %s\n", path, sqlite3_errmsg(db));
        return 1;
    }
    check(db, sqlite3_exec(db,
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE Port (_uuid BLOB PRIMARY KEY, name TEXT,"
        "                   interfaces BLOB, other_config TEXT)"
        "  WITHOUT ROWID;"
        "CREATE TABLE Interface (_uuid BLOB PRIMARY KEY, name TEXT,"
        "                        type TEXT, other_config TEXT)"
        "  WITHOUT ROWID;"
        "CREATE TABLE Bridge_ports (bridge BLOB, port BLOB,"
        "                           PRIMARY KEY (bridge, port))"
        "  WITHOUT ROWID;", NULL, NULL, NULL), SQLITE_OK, "creating tables");

    sqlite3_stmt *begin = prepare(db, "BEGIN");
    sqlite3_stmt *commit = prepare(db, "COMMIT");
    sqlite3_stmt *port = prepare(db,
                                 "INSERT INTO Port VALUES (?, ?, ?, '{}')");
    sqlite3_stmt *iface = prepare(db,
                                  "INSERT INTO Interface VALUES (?, ?, '', '{}')");
    sqlite3_stmt *member = prepare(db,
                                   "INSERT INTO Bridge_ports VALUES (?, ?)");
    unsigned char bridge[16] = { 1 }, port_uuid[16], iface_uuid[16];

    double start = now_s();
    for (int i = 0; i < n; i++) {
        char name[32];

        random_uuid(port_uuid);
        random_uuid(iface_uuid);
        snprintf(name, sizeof name, "p%d", i);

        step(db, begin);
        sqlite3_bind_blob(port, 1, port_uuid, 16, SQLITE_STATIC);
        sqlite3_bind_text(port, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_blob(port, 3, iface_uuid, 16, SQLITE_STATIC);
        step(db, port);
        sqlite3_bind_blob(iface, 1, iface_uuid, 16, SQLITE_STATIC);
        sqlite3_bind_text(iface, 2, name, -1, SQLITE_STATIC);
        step(db, iface);
        sqlite3_bind_blob(member, 1, bridge, 16, SQLITE_STATIC);
        sqlite3_bind_blob(member, 2, port_uuid, 16, SQLITE_STATIC);
        step(db, member);
        step(db, commit);
    }
    double elapsed = now_s() - start;

    printf("commit_us=%.1f n=%d\n", elapsed / n * 1e6, n);
    sqlite3_stmt *stmts[] = { begin, commit, port, iface, member };
    for (size_t i = 0; i < sizeof stmts / sizeof *stmts; i++) {
        sqlite3_finalize(stmts[i]);
    }
    sqlite3_close(db);
    remove_db(path);
    return 0;
}
