/* vlog.c: see vlog.h. */
#include <config.h>
#include "vlog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "unixctl.h"

/* One lock covers the module list, the levels, the log file and the
 * sequence number: logging is not hot enough for finer locking to pay. */
static pthread_mutex_t vlog_mutex = PTHREAD_MUTEX_INITIALIZER;

static struct vlog_module *all_modules;

static char *log_file_name;         /* Current file, or NULL. */
static int log_fd = -1;
static char *default_log_file;      /* For vlog_set_log_file(NULL). */
static unsigned int msg_seq;

static const char *const level_names[VLL_N_LEVELS] = {
    "off", "emer", "err", "warn", "info", "dbg"
};
/* As they appear in log lines and "vlog/list", like Open vSwitch's. */
static const char *const level_tags[VLL_N_LEVELS] = {
    "OFF", "EMER", "ERR", "WARN", "INFO", "DBG"
};
static const char *const destination_names[VLF_N_DESTINATIONS] = {
    "console", "syslog", "file"
};

const char *
vlog_get_level_name(enum vlog_level level)
{
    return level < VLL_N_LEVELS ? level_names[level] : "?";
}

enum vlog_level
vlog_get_level_val(const char *name)
{
    for (int i = 0; i < VLL_N_LEVELS; i++) {
        if (!strcasecmp(name, level_names[i])) {
            return i;
        }
    }
    return VLL_N_LEVELS;
}

const char *
vlog_get_destination_name(enum vlog_destination d)
{
    return d < VLF_N_DESTINATIONS ? destination_names[d] : "?";
}

enum vlog_destination
vlog_get_destination_val(const char *name)
{
    for (int i = 0; i < VLF_N_DESTINATIONS; i++) {
        if (!strcasecmp(name, destination_names[i])) {
            return i;
        }
    }
    return VLF_N_DESTINATIONS;
}

/* Recomputes 'module->min_level', the level below which VLOG_*() macros do
 * not even call in.  A destination that is not active (no log file; syslog
 * is never active) does not count.  Caller holds the lock. */
static void
update_min_level(struct vlog_module *module)
{
    int min = module->levels[VLF_CONSOLE];

    if (log_fd >= 0 && module->levels[VLF_FILE] > min) {
        min = module->levels[VLF_FILE];
    }
    module->min_level = min;
}

static void
update_all_min_levels(void)
{
    for (struct vlog_module *m = all_modules; m; m = m->next) {
        update_min_level(m);
    }
}

void
vlog_insert_module(struct vlog_module *module)
{
    pthread_mutex_lock(&vlog_mutex);
    /* Keep the list sorted by name so that "vlog/list" reads well. */
    struct vlog_module **p = &all_modules;
    while (*p && strcmp((*p)->name, module->name) < 0) {
        p = &(*p)->next;
    }
    if (*p != module) {
        module->next = *p;
        *p = module;
    }
    update_min_level(module);
    pthread_mutex_unlock(&vlog_mutex);
}

struct vlog_module *
vlog_module_from_name(const char *name)
{
    struct vlog_module *m;

    pthread_mutex_lock(&vlog_mutex);
    for (m = all_modules; m; m = m->next) {
        if (!strcasecmp(m->name, name)) {
            break;
        }
    }
    pthread_mutex_unlock(&vlog_mutex);
    return m;
}

bool
vlog_is_enabled(const struct vlog_module *module, enum vlog_level level)
{
    return module->min_level >= (int) level;
}

/* ---- Writing. ---- */

static void
write_fully(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;             /* Nowhere left to report it. */
        }
        s += w;
        n -= w;
    }
}

void
vlog_valist(const struct vlog_module *module, enum vlog_level level,
            const char *format, va_list args)
{
    bool to_console, to_file;
    char stamp[64];
    struct timespec ts;
    struct tm tm;
    char *message, *line;

    if (level == VLL_OFF || level >= VLL_N_LEVELS) {
        return;
    }
    message = xvasprintf(format, args);

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);

    pthread_mutex_lock(&vlog_mutex);
    to_console = module->levels[VLF_CONSOLE] >= (int) level;
    to_file = log_fd >= 0 && module->levels[VLF_FILE] >= (int) level;
    if (to_console || to_file) {
        line = xasprintf("%s.%03ldZ|%05u|%s|%s|%s\n", stamp,
                         ts.tv_nsec / 1000000, ++msg_seq, module->name,
                         level_tags[level], message);
        /* One write() per line: lines from several processes appending to
         * one file, or threads sharing stderr, never interleave. */
        if (to_console) {
            write_fully(STDERR_FILENO, line, strlen(line));
        }
        if (to_file) {
            write_fully(log_fd, line, strlen(line));
        }
        free(line);
    }
    pthread_mutex_unlock(&vlog_mutex);
    free(message);
}

void
vlog(const struct vlog_module *module, enum vlog_level level,
     const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vlog_valist(module, level, format, args);
    va_end(args);
}

/* ---- Rate limiting. ---- */

static long long int
monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

bool
vlog_should_drop(const struct vlog_module *module, enum vlog_level level,
                 struct vlog_rate_limit *rl)
{
    long long int now = monotonic_ms();
    unsigned int n_dropped = 0;
    long long int first_dropped = 0;

    if (!vlog_is_enabled(module, level)) {
        return true;
    }

    pthread_mutex_lock(&vlog_mutex);
    /* Tokens are thousandths of a message: 'rate' per minute is 'rate'
     * thousandths per 60 ms. */
    if (!rl->last_fill) {
        rl->last_fill = now;
    } else if (now > rl->last_fill) {
        unsigned long long int add = (unsigned long long int)
            (now - rl->last_fill) * rl->rate / 60;
        unsigned long long int cap = rl->burst * 1000ULL;
        unsigned long long int tokens = rl->tokens + add;

        rl->tokens = tokens > cap ? cap : tokens;
        rl->last_fill = now;
    }
    if (rl->tokens < 1000) {
        if (!rl->n_dropped++) {
            rl->first_dropped = now;
        }
        pthread_mutex_unlock(&vlog_mutex);
        return true;
    }
    rl->tokens -= 1000;
    if (rl->n_dropped) {
        n_dropped = rl->n_dropped;
        first_dropped = rl->first_dropped;
        rl->n_dropped = 0;
    }
    pthread_mutex_unlock(&vlog_mutex);

    if (n_dropped) {
        vlog(module, level, "Dropped %u log messages in last %lld seconds "
             "due to excessive rate", n_dropped,
             (now - first_dropped + 999) / 1000);
    }
    return false;
}

void
vlog_rate_limit(const struct vlog_module *module, enum vlog_level level,
                struct vlog_rate_limit *rl, const char *format, ...)
{
    if (!vlog_should_drop(module, level, rl)) {
        va_list args;

        va_start(args, format);
        vlog_valist(module, level, format, args);
        va_end(args);
    }
}

/* ---- Levels. ---- */

/* Caller holds the lock. */
static void
set_levels_locked(struct vlog_module *module, enum vlog_destination dest,
                  enum vlog_level level)
{
    for (struct vlog_module *m = all_modules; m; m = m->next) {
        if (module && m != module) {
            continue;
        }
        for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
            if (dest == VLF_N_DESTINATIONS || (int) dest == d) {
                m->levels[d] = level;
            }
        }
        update_min_level(m);
    }
}

void
vlog_set_levels(struct vlog_module *module, enum vlog_destination dest,
                enum vlog_level level)
{
    pthread_mutex_lock(&vlog_mutex);
    set_levels_locked(module, dest, level);
    pthread_mutex_unlock(&vlog_mutex);
}

enum vlog_level
vlog_get_level(const struct vlog_module *module, enum vlog_destination dest)
{
    return dest < VLF_N_DESTINATIONS ? module->levels[dest] : VLL_OFF;
}

char *
vlog_set_levels_from_string(const char *spec)
{
    enum vlog_destination dest = VLF_N_DESTINATIONS;
    enum vlog_level level = VLL_N_LEVELS;
    struct vlog_module *module = NULL;
    char *copy = xstrdup(spec);
    char *save_ptr = NULL;
    char *error = NULL;

    for (char *word = strtok_r(copy, " ,:\t", &save_ptr); word && !error;
         word = strtok_r(NULL, " ,:\t", &save_ptr)) {
        enum vlog_destination d;
        enum vlog_level l;
        struct vlog_module *m;

        if (!strcasecmp(word, "any")) {
            continue;
        } else if (!strcasecmp(word, "pattern")
                   || !strcasecmp(word, "facility")) {
            error = xasprintf("\"%s\": log patterns and syslog facilities "
                              "are not supported", spec);
        } else if ((d = vlog_get_destination_val(word))
                   != VLF_N_DESTINATIONS) {
            if (dest != VLF_N_DESTINATIONS) {
                error = xasprintf("\"%s\": cannot specify multiple "
                                  "destinations", spec);
            }
            dest = d;
        } else if ((l = vlog_get_level_val(word)) != VLL_N_LEVELS) {
            if (level != VLL_N_LEVELS) {
                error = xasprintf("\"%s\": cannot specify multiple levels",
                                  spec);
            }
            level = l;
        } else if ((m = vlog_module_from_name(word)) != NULL) {
            if (module) {
                error = xasprintf("\"%s\": cannot specify multiple modules",
                                  spec);
            }
            module = m;
        } else {
            /* Open vSwitch's wording, which scripts may match. */
            error = xasprintf("no destination, level, or module \"%s\"",
                              word);
        }
    }
    free(copy);
    if (!error) {
        vlog_set_levels(module, dest,
                        level == VLL_N_LEVELS ? VLL_DBG : level);
    }
    return error;
}

static int
compare_module_names(const void *a_, const void *b_)
{
    const struct vlog_module *const *a = a_;
    const struct vlog_module *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

char *
vlog_get_levels(void)
{
    size_t n = 0, size = 0, used = 0;
    struct vlog_module **modules;
    char *s = NULL;
    FILE *stream;

    stream = open_memstream(&s, &size);
    if (!stream) {
        xsw_fatal("open_memstream failed");
    }
    fprintf(stream, "                 console    syslog    file\n");
    fprintf(stream, "                 -------    ------    ------\n");

    pthread_mutex_lock(&vlog_mutex);
    for (struct vlog_module *m = all_modules; m; m = m->next) {
        n++;
    }
    modules = xcalloc(n, sizeof *modules);
    for (struct vlog_module *m = all_modules; m; m = m->next) {
        modules[used++] = m;
    }
    qsort(modules, n, sizeof *modules, compare_module_names);
    for (size_t i = 0; i < n; i++) {
        fprintf(stream, "%-16s  %4s       %4s       %4s\n", modules[i]->name,
                level_tags[modules[i]->levels[VLF_CONSOLE]],
                level_tags[modules[i]->levels[VLF_SYSLOG]],
                level_tags[modules[i]->levels[VLF_FILE]]);
    }
    pthread_mutex_unlock(&vlog_mutex);
    free(modules);
    fclose(stream);
    return s;
}

/* ---- Log file. ---- */

void
vlog_set_default_log_file(const char *path)
{
    pthread_mutex_lock(&vlog_mutex);
    free(default_log_file);
    default_log_file = path ? xstrdup(path) : NULL;
    pthread_mutex_unlock(&vlog_mutex);
}

static char *
get_default_log_file(void)
{
    char *path;

    pthread_mutex_lock(&vlog_mutex);
    path = default_log_file ? xstrdup(default_log_file) : NULL;
    pthread_mutex_unlock(&vlog_mutex);
    if (!path) {
        path = xasprintf("%s/%s.log", xsw_logdir(), daemon_program_name());
        daemon_ensure_dir(xsw_logdir());
    }
    return path;
}

static int
open_log_file(const char *path, int *fdp)
{
    *fdp = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    return *fdp < 0 ? errno : 0;
}

int
vlog_set_log_file(const char *path)
{
    char *new_name = path ? xstrdup(path) : get_default_log_file();
    int new_fd, old_fd;
    int error;

    error = open_log_file(new_name, &new_fd);
    if (error) {
        free(new_name);
        return error;
    }

    pthread_mutex_lock(&vlog_mutex);
    old_fd = log_fd;
    log_fd = new_fd;
    free(log_file_name);
    log_file_name = new_name;
    update_all_min_levels();
    pthread_mutex_unlock(&vlog_mutex);

    if (old_fd >= 0) {
        close(old_fd);
    }
    return 0;
}

const char *
vlog_get_log_file(void)
{
    return log_file_name;
}

int
vlog_reopen_log_file(void)
{
    char *name;
    int error;

    pthread_mutex_lock(&vlog_mutex);
    name = log_file_name ? xstrdup(log_file_name) : NULL;
    pthread_mutex_unlock(&vlog_mutex);
    if (!name) {
        return 0;
    }
    error = vlog_set_log_file(name);
    free(name);
    return error;
}

void
vlog_close_log_file(void)
{
    int fd;

    pthread_mutex_lock(&vlog_mutex);
    fd = log_fd;
    log_fd = -1;
    free(log_file_name);
    log_file_name = NULL;
    update_all_min_levels();
    pthread_mutex_unlock(&vlog_mutex);
    if (fd >= 0) {
        close(fd);
    }
}

static uv_signal_t *sighup_handle;

static void
sighup_cb(uv_signal_t *handle, int signum)
{
    int error = vlog_reopen_log_file();
    if (error) {
        /* The old file stays open: logging goes on, just not rotated. */
        fprintf(stderr, "%s: could not reopen log file (%s)\n",
                daemon_program_name(), strerror(error));
    }
}

void
vlog_reopen_on_sighup(uv_loop_t *loop)
{
    if (!sighup_handle) {
        sighup_handle = xmalloc(sizeof *sighup_handle);
        uv_signal_init(loop, sighup_handle);
        uv_signal_start(sighup_handle, sighup_cb, SIGHUP);
        uv_unref((uv_handle_t *) sighup_handle);
    }
}

static void
free_handle_cb(uv_handle_t *handle)
{
    free(handle);
}

void
vlog_stop_reopen_on_sighup(void)
{
    if (sighup_handle) {
        uv_close((uv_handle_t *) sighup_handle, free_handle_cb);
        sighup_handle = NULL;
    }
}

/* ---- unixctl commands. ---- */

static void
vlog_unixctl_set(struct unixctl_conn *conn, int argc, const char *argv[],
                 void *aux)
{
    for (int i = 1; i < argc; i++) {
        char *error = vlog_set_levels_from_string(argv[i]);
        if (error) {
            unixctl_command_reply_error(conn, error);
            free(error);
            return;
        }
    }
    unixctl_command_reply(conn, NULL);
}

static void
vlog_unixctl_list(struct unixctl_conn *conn, int argc, const char *argv[],
                  void *aux)
{
    char *levels = vlog_get_levels();
    unixctl_command_reply(conn, levels);
    free(levels);
}

static void
vlog_unixctl_reopen(struct unixctl_conn *conn, int argc, const char *argv[],
                    void *aux)
{
    int error;

    if (!vlog_get_log_file()) {
        unixctl_command_reply_error(conn, "Logging to file not configured");
        return;
    }
    error = vlog_reopen_log_file();
    if (error) {
        char *msg = xasprintf("could not reopen log file (%s)",
                              strerror(error));
        unixctl_command_reply_error(conn, msg);
        free(msg);
    } else {
        unixctl_command_reply(conn, NULL);
    }
}

void
vlog_register_unixctl(void)
{
    unixctl_command_register("vlog/set", "{spec | PATTERN:destination:pattern}",
                             0, INT_MAX, vlog_unixctl_set, NULL);
    unixctl_command_register("vlog/list", "", 0, 0, vlog_unixctl_list, NULL);
    unixctl_command_register("vlog/reopen", "", 0, 0, vlog_unixctl_reopen,
                             NULL);
}

/* ---- Command line. ---- */

bool
vlog_handle_option(int c, const char *optarg)
{
    if (c == 'v') {
        char *error = vlog_set_levels_from_string(optarg ? optarg : "");
        if (error) {
            fprintf(stderr, "%s: %s\n", daemon_program_name(), error);
            free(error);
            exit(EXIT_FAILURE);
        }
        return true;
    } else if (c == VLOG_OPT_LOG_FILE) {
        int error = vlog_set_log_file(optarg);
        if (error) {
            char *path = optarg ? xstrdup(optarg) : get_default_log_file();
            fprintf(stderr, "%s: could not open log file %s (%s)\n",
                    daemon_program_name(), path, strerror(error));
            free(path);
            exit(EXIT_FAILURE);
        }
        return true;
    }
    return false;
}

void
vlog_usage(void)
{
    printf("\nLogging options:\n"
           "  -vSPEC, --verbose=SPEC   set logging levels\n"
           "  -v, --verbose            set maximum verbosity level\n"
           "  --log-file[=FILE]        enable logging to specified FILE\n"
           "                           (default: %s/%s.log)\n",
           xsw_logdir(), daemon_program_name());
}
