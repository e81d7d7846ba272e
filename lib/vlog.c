/* vlog.c: see vlog.h. */
#include <config.h>
#include "vlog.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "ds.h"
#include "timeval.h"
#include "unixctl.h"

VLOG_DEFINE_THIS_MODULE(vlog);

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

/* Each destination's line format, in Open vSwitch's pattern language (see
 * format_message()), changed with "PATTERN:destination:pattern".  The
 * console and file defaults give xsw's usual lines (Open vSwitch's file
 * format), the syslog default Open vSwitch's. */
#define DEFAULT_PATTERN "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m"
static char *patterns[VLF_N_DESTINATIONS];
static const char *const default_patterns[VLF_N_DESTINATIONS] = {
    DEFAULT_PATTERN, "ovs|%05N|%c%T|%p|%m", DEFAULT_PATTERN
};

/* Syslog: the facility ("FACILITY:name"), and whether openlog() ran. */
static int syslog_facility = LOG_DAEMON;
static bool syslog_opened;

/* The syslog priority of each level, as Open vSwitch maps them. */
static const int syslog_levels[VLL_N_LEVELS] = {
    LOG_ALERT, LOG_ALERT, LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_DEBUG
};

static const struct {
    const char *name;
    int value;
} facilities[] = {
    { "kern", LOG_KERN }, { "user", LOG_USER }, { "mail", LOG_MAIL },
    { "daemon", LOG_DAEMON }, { "auth", LOG_AUTH }, { "syslog", LOG_SYSLOG },
    { "lpr", LOG_LPR }, { "news", LOG_NEWS }, { "uucp", LOG_UUCP },
    { "clock", LOG_CRON }, { "ftp", LOG_FTP }, { "ntp", 12 << 3 },
    { "audit", 13 << 3 }, { "alert", 14 << 3 }, { "clock2", 15 << 3 },
    { "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
    { "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
    { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
    { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static long long int start_ms = -1;   /* Wall clock at the first message. */

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
    int min = MAX(module->levels[VLF_CONSOLE], module->levels[VLF_SYSLOG]);

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

/* Appends to 'b' the time 'ms' (wall clock) formatted by strftime() format
 * 'fmt', in which "###" stands for the milliseconds. */
static void
put_time(struct ds *b, const char *fmt, long long int ms, bool utc)
{
    time_t secs = ms / 1000;
    char msecs[8], buf[128], *f;
    struct tm tm;

    snprintf(msecs, sizeof msecs, "%03lld", ms % 1000);
    f = xstrdup(fmt);
    for (char *p = strstr(f, "###"); p; p = strstr(p + 3, "###")) {
        memcpy(p, msecs, 3);
    }
    if (utc) {
        gmtime_r(&secs, &tm);
    } else {
        localtime_r(&secs, &tm);
    }
    if (strftime(buf, sizeof buf, f, &tm)) {
        ds_put_cstr(b, buf);
    }
    free(f);
}

/* Copies a "{...}" argument at 'p' into 'out' (or 'def' if there is none);
 * returns what follows it. */
static const char *
fetch_braces(const char *p, const char *def, char *out, size_t size)
{
    if (*p == '{') {
        size_t n = strcspn(p + 1, "}");
        size_t n_copy = MIN(n, size - 1);
        memcpy(out, p + 1, n_copy);
        out[n_copy] = '\0';
        return p[n + 1] ? p + n + 2 : p + n + 1;
    }
    snprintf(out, size, "%s", def);
    return p;
}

/* This thread's name, "" for the main thread (Open vSwitch's
 * "subprogram"). */
static void
get_subprogram(char *name, size_t size)
{
    name[0] = '\0';
    if (syscall(SYS_gettid) != getpid()) {
        pthread_getname_np(pthread_self(), name, size);
    }
}

/* Formats a log line by Open vSwitch's 'pattern' language: %A program,
 * %B syslog priority, %c module, %d{FMT} local and %D{FMT} UTC time
 * (strftime(), "###" = ms), %E host name, %m message, %N sequence number,
 * %n newline, %p level, %P pid, %r ms since the first message, %t thread
 * ("main"), %T "(thread)" or nothing in the main thread; each with an
 * optional "-" (left-justify) and width. */
static void
format_message(struct ds *b, const struct vlog_module *module,
               enum vlog_level level, const char *pattern,
               const char *message, unsigned int seq, long long int now_ms)
{
    char tmp[128];

    ds_clear(b);
    for (const char *p = pattern; *p; ) {
        bool left = false;
        int pad = ' ';
        size_t width = 0, start;

        if (*p != '%') {
            ds_put_char(b, *p++);
            continue;
        }
        p++;
        if (*p == '-') {
            left = true;
            p++;
        }
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (isdigit((unsigned char) *p)) {
            width = width * 10 + (*p++ - '0');
        }

        start = b->len;
        char conversion = *p ? *p++ : '%';
        switch (conversion) {
        case 'A':
            ds_put_cstr(b, daemon_program_name());
            break;
        case 'B':
            ds_put_format(b, "%d", (syslog_facility ? syslog_facility
                                    : LOG_LOCAL0) + syslog_levels[level]);
            break;
        case 'c':
            p = fetch_braces(p, "", tmp, sizeof tmp);
            ds_put_cstr(b, module->name);
            break;
        case 'd':
        case 'D':
            p = fetch_braces(p, "%Y-%m-%d %H:%M:%S.###", tmp, sizeof tmp);
            put_time(b, tmp, now_ms, conversion == 'D');
            break;
        case 'E':
            gethostname(tmp, sizeof tmp);
            tmp[sizeof tmp - 1] = '\0';
            ds_put_cstr(b, tmp);
            break;
        case 'm':
            ds_put_cstr(b, message);
            while (b->len > start && b->s[b->len - 1] == '\n') {
                ds_truncate(b, b->len - 1);
            }
            break;
        case 'N':
            ds_put_format(b, "%u", seq);
            break;
        case 'n':
            ds_put_char(b, '\n');
            break;
        case 'p':
            ds_put_cstr(b, level_tags[level]);
            break;
        case 'P':
            ds_put_format(b, "%ld", (long int) getpid());
            break;
        case 'r':
            ds_put_format(b, "%lld", now_ms - start_ms);
            break;
        case 't':
            get_subprogram(tmp, sizeof tmp);
            ds_put_cstr(b, tmp[0] ? tmp : "main");
            break;
        case 'T':
            get_subprogram(tmp, sizeof tmp);
            if (tmp[0]) {
                ds_put_format(b, "(%s)", tmp);
            }
            break;
        default:
            ds_put_char(b, conversion);
            break;
        }

        size_t used = b->len - start;
        if (used < width) {
            size_t n_pad = width - used;
            if (left) {
                for (size_t i = 0; i < n_pad; i++) {
                    ds_put_char(b, ' ');
                }
            } else {
                char *field = xmemdup(b->s + start, used);
                ds_truncate(b, start);
                for (size_t i = 0; i < n_pad; i++) {
                    ds_put_char(b, pad);
                }
                ds_put_buffer(b, field, used);
                free(field);
            }
        }
    }
}

static void
vlog_valist(const struct vlog_module *module, enum vlog_level level,
            const char *format, va_list args)
{
    bool to_console, to_syslog, to_file;
    char *message;

    if (level == VLL_OFF || level >= VLL_N_LEVELS) {
        return;
    }
    message = xvasprintf(format, args);
    long long int now_ms = time_wall_msec();

    pthread_mutex_lock(&vlog_mutex);
    to_console = module->levels[VLF_CONSOLE] >= (int) level;
    to_syslog = module->levels[VLF_SYSLOG] >= (int) level;
    to_file = log_fd >= 0 && module->levels[VLF_FILE] >= (int) level;
    if (to_console || to_syslog || to_file) {
        struct ds line = DS_EMPTY_INITIALIZER;
        unsigned int seq = ++msg_seq;

        if (start_ms < 0) {
            start_ms = now_ms;
        }
        /* One write() per line: lines from several processes appending to
         * one file, or threads sharing stderr, never interleave. */
        if (to_console) {
            format_message(&line, module, level,
                           patterns[VLF_CONSOLE] ? patterns[VLF_CONSOLE]
                           : default_patterns[VLF_CONSOLE],
                           message, seq, now_ms);
            ds_put_char(&line, '\n');
            write_fully(STDERR_FILENO, line.s, line.len);
        }
        if (to_syslog) {
            format_message(&line, module, level,
                           patterns[VLF_SYSLOG] ? patterns[VLF_SYSLOG]
                           : default_patterns[VLF_SYSLOG],
                           message, seq, now_ms);
            if (!syslog_opened) {
                openlog(daemon_program_name(), LOG_NDELAY, syslog_facility);
                syslog_opened = true;
            }
            char *save_ptr = NULL;
            for (char *l = strtok_r(line.s, "\n", &save_ptr); l;
                 l = strtok_r(NULL, "\n", &save_ptr)) {
                syslog(syslog_levels[level] | syslog_facility, "%s", l);
            }
        }
        if (to_file) {
            format_message(&line, module, level,
                           patterns[VLF_FILE] ? patterns[VLF_FILE]
                           : default_patterns[VLF_FILE],
                           message, seq, now_ms);
            ds_put_char(&line, '\n');
            write_fully(log_fd, line.s, line.len);
        }
        ds_destroy(&line);
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

static bool
vlog_should_drop(const struct vlog_module *module, enum vlog_level level,
                 struct vlog_rate_limit *rl)
{
    long long int now = time_msec();
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

/* "PATTERN:destination:pattern": 'rest' is what follows "PATTERN". */
static char *
set_pattern_from_string(char *rest)
{
    char *save_ptr = NULL;
    char *word = strtok_r(rest, " ,:\t", &save_ptr);
    enum vlog_destination dest;

    if (!word) {
        return xstrdup("missing destination");
    }
    dest = (!strcasecmp(word, "any") ? VLF_N_DESTINATIONS
            : vlog_get_destination_val(word));
    if (dest == VLF_N_DESTINATIONS && strcasecmp(word, "any")) {
        return xasprintf("unknown destination \"%s\"", word);
    }
    pthread_mutex_lock(&vlog_mutex);
    for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
        if (dest == VLF_N_DESTINATIONS || (int) dest == d) {
            free(patterns[d]);
            patterns[d] = xstrdup(save_ptr ? save_ptr : "");
        }
    }
    pthread_mutex_unlock(&vlog_mutex);
    return NULL;
}

/* "FACILITY:name". */
static char *
set_facility_from_string(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(facilities); i++) {
        if (name && !strcasecmp(facilities[i].name, name)) {
            pthread_mutex_lock(&vlog_mutex);
            syslog_facility = facilities[i].value;
            if (syslog_opened) {
                closelog();
                syslog_opened = false;
            }
            pthread_mutex_unlock(&vlog_mutex);
            return NULL;
        }
    }
    return xstrdup("invalid facility");
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
    char *word = strtok_r(copy, " ,:\t", &save_ptr);

    if (word && !strcasecmp(word, "pattern")) {
        error = set_pattern_from_string(save_ptr);
        free(copy);
        return error;
    } else if (word && !strcasecmp(word, "facility")) {
        error = set_facility_from_string(save_ptr);
        free(copy);
        return error;
    }

    /* Open vSwitch's messages, which scripts may match. */
    for (; word && !error; word = strtok_r(NULL, " ,:\t", &save_ptr)) {
        enum vlog_destination d;
        enum vlog_level l;
        struct vlog_module *m;

        if (!strcasecmp(word, "any")) {
            continue;
        } else if ((d = vlog_get_destination_val(word))
                   != VLF_N_DESTINATIONS) {
            if (dest != VLF_N_DESTINATIONS) {
                error = xstrdup("cannot specify multiple destinations");
            }
            dest = d;
        } else if ((l = vlog_get_level_val(word)) != VLL_N_LEVELS) {
            if (level != VLL_N_LEVELS) {
                error = xstrdup("cannot specify multiple levels");
            }
            level = l;
        } else if ((m = vlog_module_from_name(word)) != NULL) {
            if (module) {
                error = xstrdup("cannot specify multiple modules");
            }
            module = m;
        } else {
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

    char *opened = xstrdup(new_name);
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
    /* As Open vSwitch does, so that each file says where it began. */
    VLOG_INFO("opened log file %s", opened);
    free(opened);
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
sighup_cb(uv_signal_t *handle OVS_UNUSED, int signum OVS_UNUSED)
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
                 void *aux OVS_UNUSED)
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
vlog_unixctl_list(struct unixctl_conn *conn, int argc OVS_UNUSED,
                  const char *argv[] OVS_UNUSED,
                  void *aux OVS_UNUSED)
{
    char *levels = vlog_get_levels();
    unixctl_command_reply(conn, levels);
    free(levels);
}

static void
vlog_unixctl_reopen(struct unixctl_conn *conn, int argc OVS_UNUSED,
                    const char *argv[] OVS_UNUSED,
                    void *aux OVS_UNUSED)
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

static void
vlog_unixctl_list_pattern(struct unixctl_conn *conn, int argc OVS_UNUSED,
                          const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "         prefix                            format\n");
    ds_put_format(&s, "         ------                            ------\n");
    pthread_mutex_lock(&vlog_mutex);
    for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
        ds_put_format(&s, "%-7s  %-32s  %s\n", destination_names[d], "none",
                      patterns[d] ? patterns[d] : default_patterns[d]);
    }
    pthread_mutex_unlock(&vlog_mutex);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* As in Open vSwitch, the file is closed but remembered: "vlog/reopen"
 * opens it again. */
static void
vlog_unixctl_close(struct unixctl_conn *conn, int argc OVS_UNUSED,
                   const char *argv[] OVS_UNUSED,
                   void *aux OVS_UNUSED)
{
    pthread_mutex_lock(&vlog_mutex);
    int fd = log_fd;
    log_fd = -1;
    update_all_min_levels();
    pthread_mutex_unlock(&vlog_mutex);
    if (fd >= 0) {
        close(fd);
    }
    unixctl_command_reply(conn, NULL);
}

void
vlog_register_unixctl(void)
{
    unixctl_command_register("vlog/set", "{spec | PATTERN:destination:pattern}",
                             0, INT_MAX, vlog_unixctl_set, NULL);
    unixctl_command_register("vlog/list", "", 0, 0, vlog_unixctl_list, NULL);
    unixctl_command_register("vlog/list-pattern", "", 0, 0,
                             vlog_unixctl_list_pattern, NULL);
    unixctl_command_register("vlog/close", "", 0, 0, vlog_unixctl_close,
                             NULL);
    unixctl_command_register("vlog/reopen", "", 0, 0, vlog_unixctl_reopen,
                             NULL);
}

/* ---- Command line. ---- */

bool
vlog_handle_option(int c, const char *arg)
{
    if (c == 'v') {
        char *error = vlog_set_levels_from_string(arg ? arg : "");
        if (error) {
            fprintf(stderr, "%s: processing \"%s\": %s\n",
                    daemon_program_name(), arg ? arg : "", error);
            free(error);
            exit(EXIT_FAILURE);
        }
        return true;
    } else if (c == VLOG_OPT_LOG_FILE) {
        int error = vlog_set_log_file(arg);
        if (error) {
            char *path = arg ? xstrdup(arg) : get_default_log_file();
            fprintf(stderr, "%s: could not open log file %s (%s)\n",
                    daemon_program_name(), path, strerror(error));
            free(path);
            exit(EXIT_FAILURE);
        }
        return true;
    } else if (c == VLOG_OPT_SYSLOG_METHOD) {
        if (strcmp(arg, "libc")) {
            fprintf(stderr, "%s: --syslog-method=%s is not supported: xsw "
                    "logs to syslog through syslog(3) only "
                    "(--syslog-method=libc)\n", daemon_program_name(),
                    arg);
            exit(EXIT_FAILURE);
        }
        return true;
    } else if (c == VLOG_OPT_SYSLOG_TARGET) {
        fprintf(stderr, "%s: --syslog-target is not supported (Open vSwitch "
                "deprecated it): xsw logs to syslog through syslog(3) "
                "only\n", daemon_program_name());
        exit(EXIT_FAILURE);
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
           "                           (default: %s/%s.log)\n"
           "  --syslog-method=libc     log to syslog through syslog(3) "
           "(the only method)\n",
           xsw_logdir(), daemon_program_name());
}
