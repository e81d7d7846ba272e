/* daemon.h: program name, run/log directories, --pidfile and --detach.
 *
 * A daemon's main() goes like this:
 *
 *     daemon_set_program_name(argv[0]);
 *     ...parse options with DAEMON_LONG_OPTIONS / daemon_handle_option()...
 *     daemonize_start();           // forks if --detach, takes the pidfile
 *     loop = uv_default_loop();    // only now: libuv does not survive fork
 *     ...open sockets, load the database; on failure daemon_fatal(...)...
 *     daemonize_complete();        // ready: the --detach parent exits 0
 *     uv_run(loop, UV_RUN_DEFAULT);
 *
 * With --detach the parent waits until the child calls daemonize_complete()
 * and then exits 0, so that "xsw-dbserver --detach && ovs-vsctl show" works.
 * If the child fails first, through daemon_fatal() or by dying, the parent
 * prints the child's error message and exits 1.
 *
 * The pidfile is locked (fcntl) for the daemon's whole life: a second
 * instance refuses to start while the first one lives, and a pidfile left
 * by a dead process is simply taken over.  It is removed at exit.  The
 * lock and the file names follow Open vSwitch's conventions, so with
 * OVS_RUNDIR=$XSW_RUNDIR, "ovs-appctl -t xsw-dbserver ..." finds the
 * daemon through <rundir>/xsw-dbserver.pid and
 * <rundir>/xsw-dbserver.<pid>.ctl. */
#ifndef XSW_DAEMON_H
#define XSW_DAEMON_H 1

#include <stdbool.h>
#include <sys/types.h>
#include "util.h"

/* ---- Program name and directories. ---- */

/* Sets the name used in messages, default file names and "version" to the
 * last component of 'argv0'. */
void daemon_set_program_name(const char *argv0);
/* The name set above, or "xsw" if none was set. */
const char *daemon_program_name(void);

/* $XSW_RUNDIR or /var/run/xsw: pidfiles and control sockets. */
const char *xsw_rundir(void);
/* $XSW_LOGDIR or /var/log/xsw: log files. */
const char *xsw_logdir(void);
/* Creates directory 'dir' and its parents if missing (mode 0755).  Returns
 * 0 or a positive errno value. */
int daemon_ensure_dir(const char *dir);

/* ---- Options. ---- */

enum {
    DAEMON_OPT_DETACH = 0x10000,
    DAEMON_OPT_NO_CHDIR,
    DAEMON_OPT_PIDFILE,
    DAEMON_OPT_OVERWRITE_PIDFILE
};

/* --detach, --no-chdir, --pidfile[=FILE], --overwrite-pidfile. */
#define DAEMON_LONG_OPTIONS                                                 \
    {"detach", no_argument, NULL, DAEMON_OPT_DETACH},                       \
    {"no-chdir", no_argument, NULL, DAEMON_OPT_NO_CHDIR},                   \
    {"pidfile", optional_argument, NULL, DAEMON_OPT_PIDFILE},               \
    {"overwrite-pidfile", no_argument, NULL, DAEMON_OPT_OVERWRITE_PIDFILE}

/* Handles option 'c' if it is one of DAEMON_LONG_OPTIONS and returns true;
 * returns false otherwise. */
bool daemon_handle_option(int c, const char *arg);
/* Help text for DAEMON_LONG_OPTIONS. */
void daemon_usage(void);

/* --pidfile=FILE (NULL: <rundir>/<program>.pid; relative: under the run
 * directory), --detach, --no-chdir, --overwrite-pidfile. */
void daemon_set_pidfile(const char *name);
const char *daemon_get_pidfile(void);       /* NULL if none. */
void daemon_set_detach(bool);
bool daemon_is_detached(void);

/* ---- Start-up. ---- */

/* Detaches (if requested) and creates the pidfile (if requested).  Returns
 * in the process that will serve; exits the --detach parent.  Errors are
 * fatal, through daemon_fatal().  Call before creating libuv loops or
 * threads. */
void daemonize_start(void);

/* Tells the --detach parent, and systemd (sd_notify "READY=1" when
 * $NOTIFY_SOCKET is set: a Type=notify unit), that start-up succeeded,
 * then (if detached) points stdin, stdout and stderr at /dev/null and
 * chdirs to "/" (unless --no-chdir).  Harmless to call twice or without
 * --detach. */
void daemonize_complete(void);

/* Reports a start-up failure and exits 1: "<program>: message" goes to the
 * waiting --detach parent, which prints it, or else straight to stderr.
 * Log it too (VLOG_ERR) if it belongs in the log file. */
void daemon_fatal(const char *format, ...) PRINTF_FORMAT(1, 2) NO_RETURN;

/* ---- Pidfiles, directly (also what daemonize_start() uses). ---- */

/* Creates 'path', locks it and writes our pid to it.  Returns 0, or EBUSY
 * (with a message naming the pid that holds it) if a live process holds it,
 * or another positive errno value.  The file is removed at exit. */
int daemon_pidfile_create(const char *path, bool overwrite, char **errorp);
/* Removes the pidfile now (if we created one). */
void daemon_pidfile_remove(void);
/* The pid of the live process that holds the lock on pidfile 'path', or 0
 * if none does (or the file does not exist). */
pid_t daemon_pidfile_read(const char *path);

#endif /* daemon.h */
