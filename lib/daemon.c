/* daemon.c: see daemon.h. */
#include <config.h>
#include "daemon.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

static char *program_name;

/* Options. */
static char *pidfile;               /* Absolute path, or NULL. */
static bool detach;
static bool no_chdir;
static bool overwrite_pidfile;

/* Write end of the pipe to the waiting --detach parent, or -1. */
static int ready_fd = -1;

/* The pidfile we created, removed at exit by the process that made it (a
 * child forked later must not remove its parent's pidfile). */
static char *pidfile_created;
static int pidfile_fd = -1;
static pid_t pidfile_pid;

/* ---- Program name and directories. ---- */

void
daemon_set_program_name(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    const char *name = slash ? slash + 1 : argv0;

    /* libtool wrappers run the real binary as "lt-NAME". */
    if (str_starts_with(name, "lt-")) {
        name += 3;
    }
    free(program_name);
    program_name = xstrdup(name);
}

const char *
daemon_program_name(void)
{
    return program_name ? program_name : "xsw";
}

static const char *
env_or(const char *var, const char *fallback)
{
    const char *value = getenv(var);
    return value && value[0] ? value : fallback;
}

const char *
xsw_rundir(void)
{
    return env_or("XSW_RUNDIR", "/var/run/xsw");
}

const char *
xsw_logdir(void)
{
    return env_or("XSW_LOGDIR", "/var/log/xsw");
}

int
daemon_ensure_dir(const char *dir)
{
    char *copy = xstrdup(dir);
    int error = 0;

    /* mkdir -p: create each missing ancestor in turn. */
    for (char *p = copy + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;

            *p = '\0';
            if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
                error = errno;
                break;
            }
            *p = saved;
            if (!saved) {
                break;
            }
        }
    }
    free(copy);
    return error;
}

/* Makes 'name' absolute by putting it under 'dir' unless it already is. */
static char *
abs_file_name(const char *dir, const char *name)
{
    return name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", dir, name);
}

/* ---- Options. ---- */

void
daemon_set_pidfile(const char *name)
{
    free(pidfile);
    pidfile = (name
               ? abs_file_name(xsw_rundir(), name)
               : xasprintf("%s/%s.pid", xsw_rundir(), daemon_program_name()));
}

const char *
daemon_get_pidfile(void)
{
    return pidfile;
}

void
daemon_set_detach(bool on)
{
    detach = on;
}

bool
daemon_is_detached(void)
{
    return detach;
}

bool
daemon_handle_option(int c, const char *arg)
{
    switch (c) {
    case DAEMON_OPT_DETACH:
        detach = true;
        return true;
    case DAEMON_OPT_NO_CHDIR:
        no_chdir = true;
        return true;
    case DAEMON_OPT_PIDFILE:
        daemon_set_pidfile(arg);
        return true;
    case DAEMON_OPT_OVERWRITE_PIDFILE:
        overwrite_pidfile = true;
        return true;
    default:
        return false;
    }
}

void
daemon_usage(void)
{
    printf("\nDaemon options:\n"
           "  --detach                run in background as daemon\n"
           "  --no-chdir              do not chdir to '/'\n"
           "  --pidfile[=FILE]        create pidfile (default: %s/%s.pid)\n"
           "  --overwrite-pidfile     with --pidfile, start even if already "
           "running\n",
           xsw_rundir(), daemon_program_name());
}

/* ---- Pidfiles. ---- */

static void
pidfile_atexit(void)
{
    daemon_pidfile_remove();
}

void
daemon_pidfile_remove(void)
{
    if (pidfile_created && getpid() == pidfile_pid) {
        unlink(pidfile_created);
        close(pidfile_fd);
        free(pidfile_created);
        pidfile_created = NULL;
        pidfile_fd = -1;
    }
}

/* Reads the pid written in open file 'fd', or 0. */
static pid_t
read_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

    if (n <= 0) {
        return 0;
    }
    buf[n] = '\0';
    return atol(buf);
}

/* Classic POSIX record locks, because that is what Open vSwitch's
 * ovs-appctl checks: it reads a pidfile only if F_GETLK names the pid
 * written inside (and deletes it as stale otherwise).  POSIX locks belong
 * to the process, so within the process that holds one, F_GETLK sees
 * nothing and closing *any* descriptor for the file drops the lock: the
 * functions below therefore never open our own pidfile (see
 * is_our_pidfile()). */
static bool
lock_is_held(int fd, pid_t *pidp)
{
    struct flock lck = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

    *pidp = 0;
    if (fcntl(fd, F_GETLK, &lck) < 0 || lck.l_type == F_UNLCK) {
        return false;
    }
    *pidp = lck.l_pid > 0 ? lck.l_pid : read_pid(fd);
    return true;
}

/* True if 'path' is the pidfile this process holds. */
static bool
is_our_pidfile(const char *path)
{
    struct stat ours, theirs;

    return (pidfile_created && getpid() == pidfile_pid
            && !fstat(pidfile_fd, &ours) && !stat(path, &theirs)
            && ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino);
}

pid_t
daemon_pidfile_read(const char *path)
{
    pid_t pid = 0;
    int fd;

    if (is_our_pidfile(path)) {
        return getpid();
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        lock_is_held(fd, &pid);
        close(fd);
    }
    return pid;
}

int
daemon_pidfile_create(const char *path, bool overwrite, char **errorp)
{
    struct flock lck = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    char *dir, *slash, buf[32];
    int fd, error, len;

    if (errorp) {
        *errorp = NULL;
    }
    dir = xstrdup(path);
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        daemon_ensure_dir(dir);
    }
    free(dir);

    if (is_our_pidfile(path)) {
        if (errorp) {
            *errorp = xasprintf("%s: already running as pid %ld, aborting",
                                path, (long) getpid());
        }
        return EBUSY;
    }
    if (overwrite) {
        /* A fresh inode: whoever holds the old one keeps a lock on a file
         * nobody can see anymore. */
        unlink(path);
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = errno;
        if (errorp) {
            *errorp = xasprintf("%s: create failed (%s)", path,
                                strerror(error));
        }
        return error;
    }
    if (fcntl(fd, F_SETLK, &lck) < 0) {
        pid_t pid = 0;

        error = errno;
        if (error == EAGAIN || error == EACCES) {
            lock_is_held(fd, &pid);
            error = EBUSY;
            if (errorp) {
                *errorp = (pid > 0
                           ? xasprintf("%s: already running as pid %ld, "
                                       "aborting", path, (long) pid)
                           : xasprintf("%s: locked by another process, "
                                       "aborting", path));
            }
        } else if (errorp) {
            *errorp = xasprintf("%s: lock failed (%s)", path,
                                strerror(error));
        }
        close(fd);
        return error;
    }

    len = snprintf(buf, sizeof buf, "%ld\n", (long) getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, len, 0) != len) {
        error = errno ? errno : EIO;
        if (errorp) {
            *errorp = xasprintf("%s: write failed (%s)", path,
                                strerror(error));
        }
        unlink(path);
        close(fd);
        return error;
    }

    daemon_pidfile_remove();
    if (!pidfile_pid) {
        atexit(pidfile_atexit);
    }
    pidfile_created = xstrdup(path);
    pidfile_fd = fd;            /* Holds the lock until we exit. */
    pidfile_pid = getpid();
    return 0;
}

/* ---- Start-up. ---- */

/* In the --detach parent: waits for the child's verdict and exits. */
static void NO_RETURN
wait_for_child(pid_t child, int fd)
{
    char buf[4096];
    size_t len = 0;
    int status;

    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR) {
            continue;
        } else if (n <= 0) {
            break;
        }
        len += n;
        if (buf[0] == '\0' || len == sizeof buf - 1) {
            break;
        }
    }
    if (len > 0 && buf[0] == '\0') {
        _exit(EXIT_SUCCESS);        /* Ready. */
    }
    if (len > 0) {
        buf[len] = '\0';
        fprintf(stderr, "%s", buf);
    } else if (waitpid(child, &status, 0) == child && WIFSIGNALED(status)) {
        fprintf(stderr, "%s: child died before start-up completed "
                "(killed by signal %d)\n", daemon_program_name(),
                WTERMSIG(status));
    } else {
        fprintf(stderr, "%s: child exited before start-up completed\n",
                daemon_program_name());
    }
    _exit(EXIT_FAILURE);
}

void
daemonize_start(void)
{
    if (detach) {
        int fds[2];
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0) {
            daemon_fatal("pipe failed (%s)", strerror(errno));
        }
        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0) {
            daemon_fatal("fork failed (%s)", strerror(errno));
        } else if (pid > 0) {
            close(fds[1]);
            wait_for_child(pid, fds[0]);
        }
        close(fds[0]);
        ready_fd = fds[1];
        setsid();
    }

    if (pidfile) {
        char *error;

        if (daemon_pidfile_create(pidfile, overwrite_pidfile, &error)) {
            daemon_fatal("%s", error);
        }
    }
}

/* Sends systemd "READY=1" through libsystemd's sd_notify(), which is
 * loaded here rather than linked: every program links daemon.c, and
 * linking libsystemd (and with it libgcrypt, liblzma, libzstd, liblz4,
 * libcap and libgpg-error) cost each xsw-ctl command 0.93 million
 * instructions of loading and relocating before main(), for a function
 * that only a daemon under systemd calls.  Outside systemd
 * ($NOTIFY_SOCKET unset) there is nothing to do and nothing is loaded. */
static void
notify_systemd_ready(void)
{
    __typeof__(sd_notify) *notify = NULL;
    void *libsystemd;

    if (!getenv("NOTIFY_SOCKET")) {
        return;
    }
    libsystemd = dlopen(XSW_LIBSYSTEMD_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (libsystemd) {
        notify = (__typeof__(sd_notify) *) dlsym(libsystemd, "sd_notify");
    }
    if (!notify) {
        /* systemd will say that the start timed out; this says why. */
        fprintf(stderr, "%s: cannot tell systemd that start-up is complete "
                "(%s)\n", daemon_program_name(), dlerror());
        return;
    }
    notify(0, "READY=1");
}

void
daemonize_complete(void)
{
    /* Under systemd with Type=notify, start-up is complete when this
     * arrives, so that xsw-switchd (After=xsw-dbserver.service) starts
     * only once the database socket accepts.  Outside systemd
     * ($NOTIFY_SOCKET unset) it does nothing.  $NOTIFY_SOCKET stays set,
     * so that a second call is harmless, and a failure is no reason to
     * stop serving: systemd then says the start timed out. */
    notify_systemd_ready();

    if (ready_fd >= 0) {
        int null_fd;

        if (write(ready_fd, "", 1) != 1) {
            /* The parent is gone; nobody is waiting for the verdict. */
        }
        close(ready_fd);
        ready_fd = -1;

        if (!no_chdir && chdir("/") < 0) {
            /* Stay where we are: only a nicety for unmounting. */
        }
        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null_fd >= 0) {
            dup2(null_fd, STDIN_FILENO);
            dup2(null_fd, STDOUT_FILENO);
            dup2(null_fd, STDERR_FILENO);
            close(null_fd);
        }
    }
}

void
daemon_fatal(const char *format, ...)
{
    va_list args;
    char *message, *line;

    va_start(args, format);
    message = xvasprintf(format, args);
    va_end(args);
    line = xasprintf("%s: %s\n", daemon_program_name(), message);

    if (ready_fd >= 0) {
        /* The parent prints it; printing here too would show it twice. */
        if (write(ready_fd, line, strlen(line)) < 0) {
            fputs(line, stderr);
        }
    } else {
        fputs(line, stderr);
    }
    free(line);
    free(message);
    exit(EXIT_FAILURE);
}
