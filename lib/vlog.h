/* vlog.h: Open vSwitch-style logging.
 *
 * Each source file that logs names its module once:
 *
 *     VLOG_DEFINE_THIS_MODULE(server);
 *
 * and then logs with printf-style macros:
 *
 *     VLOG_WARN("%s: unknown method %s", peer, method);
 *
 *     static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
 *     VLOG_WARN_RL(&rl, "%s: syntax error", peer);
 *
 * A rate-limited message is logged only while its token bucket (RATE
 * messages per minute, bursts of up to BURST) has tokens; when logging
 * resumes, one line reports how many were dropped, so a flood of bad
 * clients produces a few clear lines instead of thousands.
 *
 * There are three destinations, each with a level per module: the console
 * (stderr; default WARN), syslog (default WARN; facility "daemon") and the
 * log file (default INFO, once one is set).  Lines look like Open
 * vSwitch's, and each destination's format can be changed with Open
 * vSwitch's patterns ("PATTERN:console:%c|%p|%m"):
 *
 *     2026-11-25T11:07:36.123Z|00042|server|INFO|message
 *
 * Levels are set with Open vSwitch's -v/--verbose syntax, from the command
 * line (VLOG_LONG_OPTIONS) or at run time through "ovs-appctl vlog/set"
 * (vlog_register_unixctl()).
 *
 * All functions are thread-safe. */
#ifndef XSW_VLOG_H
#define XSW_VLOG_H 1

#include <stdarg.h>
#include <stdbool.h>
#include "util.h"
#include <uv.h>

enum vlog_level {
    VLL_OFF,
    VLL_EMER,
    VLL_ERR,
    VLL_WARN,
    VLL_INFO,
    VLL_DBG,
    VLL_N_LEVELS
};

enum vlog_destination {
    VLF_CONSOLE,
    VLF_SYSLOG,                 /* syslog(3). */
    VLF_FILE,
    VLF_N_DESTINATIONS
};

/* The level named 'name' (case-insensitive), or VLL_N_LEVELS. */
enum vlog_level vlog_get_level_val(const char *name);
enum vlog_destination vlog_get_destination_val(const char *name);

struct vlog_module {
    const char *name;
    int levels[VLF_N_DESTINATIONS];   /* enum vlog_level per destination. */
    int min_level;                    /* Max over active destinations. */
    struct vlog_module *next;         /* In the list of all modules. */
};

/* Defines 'this_module' for the current file and registers it before main()
 * runs (so "vlog/list" shows every module of the program). */
#define VLOG_DEFINE_THIS_MODULE(MODULE)                                     \
    static struct vlog_module vlog_module_##MODULE = {                      \
        #MODULE, { VLL_WARN, VLL_WARN, VLL_INFO }, VLL_WARN, NULL };        \
    static struct vlog_module *const this_module = &vlog_module_##MODULE;   \
    __attribute__((constructor)) static void                                \
    vlog_init_module_##MODULE(void)                                         \
    {                                                                       \
        vlog_insert_module(&vlog_module_##MODULE);                          \
    }                                                                       \
    struct vlog_module_dummy_##MODULE /* Swallows the caller's ';'. */

void vlog_insert_module(struct vlog_module *);
struct vlog_module *vlog_module_from_name(const char *name);

/* True if a message at 'level' would go anywhere. */
bool vlog_is_enabled(const struct vlog_module *, enum vlog_level);

void vlog(const struct vlog_module *, enum vlog_level, const char *format,
          ...) PRINTF_FORMAT(3, 4);

/* Token bucket for rate limiting. */
struct vlog_rate_limit {
    unsigned int rate;          /* Tokens per minute. */
    unsigned int burst;         /* Bucket size. */
    unsigned int tokens;        /* Available now, scaled by 1000. */
    long long int last_fill;    /* Monotonic ms of the last refill. */
    long long int first_dropped;/* Monotonic ms of the first drop. */
    unsigned int n_dropped;
};
#define VLOG_RATE_LIMIT_INIT(RATE, BURST) \
    { (RATE), (BURST), (BURST) * 1000u, 0, 0, 0 }

/* Returns true if a message should be dropped by 'rl' (consumes a token
 * otherwise).  Exposed for callers that build expensive messages. */
void vlog_rate_limit(const struct vlog_module *, enum vlog_level,
                     struct vlog_rate_limit *, const char *format, ...)
    PRINTF_FORMAT(4, 5);

#define VLOG_EMER(...) VLOG_(VLL_EMER, __VA_ARGS__)
#define VLOG_ERR(...) VLOG_(VLL_ERR, __VA_ARGS__)
#define VLOG_WARN(...) VLOG_(VLL_WARN, __VA_ARGS__)
#define VLOG_INFO(...) VLOG_(VLL_INFO, __VA_ARGS__)
#define VLOG_DBG(...) VLOG_(VLL_DBG, __VA_ARGS__)

#define VLOG_ERR_RL(RL, ...) VLOG_RL_(RL, VLL_ERR, __VA_ARGS__)
#define VLOG_WARN_RL(RL, ...) VLOG_RL_(RL, VLL_WARN, __VA_ARGS__)
#define VLOG_INFO_RL(RL, ...) VLOG_RL_(RL, VLL_INFO, __VA_ARGS__)
#define VLOG_DBG_RL(RL, ...) VLOG_RL_(RL, VLL_DBG, __VA_ARGS__)

#define VLOG_IS_DBG_ENABLED() vlog_is_enabled(this_module, VLL_DBG)
#define VLOG_IS_INFO_ENABLED() vlog_is_enabled(this_module, VLL_INFO)

/* The level check is inline so that disabled messages cost one compare and
 * do not evaluate their arguments. */
#define VLOG_(LEVEL, ...)                                                   \
    do {                                                                    \
        if (this_module->min_level >= (LEVEL)) {                            \
            vlog(this_module, LEVEL, __VA_ARGS__);                          \
        }                                                                   \
    } while (0)
#define VLOG_RL_(RL, LEVEL, ...)                                            \
    do {                                                                    \
        if (this_module->min_level >= (LEVEL)) {                            \
            vlog_rate_limit(this_module, LEVEL, RL, __VA_ARGS__);           \
        }                                                                   \
    } while (0)

/* Configuration. */

/* Sets the level of 'module' (NULL: all modules) for 'destination'
 * (VLF_N_DESTINATIONS: all destinations). */
void vlog_set_levels(struct vlog_module *, enum vlog_destination,
                     enum vlog_level);
enum vlog_level vlog_get_level(const struct vlog_module *,
                               enum vlog_destination);

/* Applies an Open vSwitch verbosity spec: words separated by ':' (or
 * spaces), each a module name, a destination ("console", "syslog", "file")
 * or a level, with "any" matching all; omitted parts mean all, an omitted
 * level means "dbg".  Examples: "dbg", "console:warn", "server:file:dbg",
 * "" (everything at dbg).  Also "PATTERN:destination:pattern" (a line
 * format, see vlog.c) and "FACILITY:name" (syslog's facility).  Returns
 * NULL on success or a malloc'd error, in Open vSwitch's words. */
char *vlog_set_levels_from_string(const char *spec);

/* Levels of every module, in "vlog/list" format (malloc'd). */
char *vlog_get_levels(void);

/* Starts logging to 'path' (NULL: the default file, see
 * vlog_set_default_log_file()), appending.  Returns 0 or a positive errno
 * value; on failure the previous file stays in use. */
int vlog_set_log_file(const char *path);
/* The current log file name, or NULL. */
const char *vlog_get_log_file(void);
/* Reopens the log file, e.g. after logrotate renamed it. */
int vlog_reopen_log_file(void);
/* Stops logging to a file. */
void vlog_close_log_file(void);

/* Reopens the log file when SIGHUP arrives on 'loop' (once per process;
 * later calls do nothing).  The signal handle is unref'd so that it does
 * not keep the loop alive; vlog_stop_reopen_on_sighup() closes it, which a
 * program that wants uv_loop_close() to succeed must call first (and then
 * run the loop once). */
void vlog_reopen_on_sighup(uv_loop_t *);
void vlog_stop_reopen_on_sighup(void);

/* Registers "vlog/set", "vlog/list", "vlog/list-pattern", "vlog/reopen"
 * and "vlog/close" (see unixctl.h). */
void vlog_register_unixctl(void);

/* Command-line options, the way Open vSwitch programs take them:
 *
 *     static const struct option long_options[] = {
 *         ..., VLOG_LONG_OPTIONS, DAEMON_LONG_OPTIONS, {NULL, 0, NULL, 0},
 *     };
 *     ...getopt_long(argc, argv, "hv::", long_options, NULL)...
 *     default:
 *         if (!vlog_handle_option(c, optarg)
 *             && !daemon_handle_option(c, optarg)) { usage error }
 *
 * -v/--verbose[=SPEC], --log-file[=FILE], and Open vSwitch's
 * --syslog-method=METHOD (only "libc", syslog(3), which is what xsw does;
 * others are refused) and --syslog-target (refused).  Errors in option
 * arguments are fatal (printed, exit 1), as for any command-line error. */
enum {
    VLOG_OPT_LOG_FILE = 0x10100,
    VLOG_OPT_SYSLOG_METHOD,
    VLOG_OPT_SYSLOG_TARGET
};
#define VLOG_LONG_OPTIONS                                               \
    {"verbose", optional_argument, NULL, 'v'},                          \
    {"log-file", optional_argument, NULL, VLOG_OPT_LOG_FILE},           \
    {"syslog-method", required_argument, NULL, VLOG_OPT_SYSLOG_METHOD}, \
    {"syslog-target", required_argument, NULL, VLOG_OPT_SYSLOG_TARGET}
bool vlog_handle_option(int c, const char *arg);
/* Help text for the options above. */
void vlog_usage(void);

#endif /* vlog.h */
