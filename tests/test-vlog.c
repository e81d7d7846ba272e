/* test-vlog.c: log line format, level specs, rate limiting, log files. */
#include <config.h>
#include "vlog.h"

#include <check.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

VLOG_DEFINE_THIS_MODULE(test_vlog);

static char log_path[] = "/tmp/xt-vlog-XXXXXX";

/* Reads the whole log file (malloc'd). */
static char *
read_log(void)
{
    FILE *f = fopen(log_path, "r");
    char *s = xzalloc(1 << 20);
    size_t n;

    ck_assert_ptr_nonnull(f);
    n = fread(s, 1, (1 << 20) - 1, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

static int
count_lines(const char *s, const char *needle)
{
    int n = 0;

    for (const char *p = s; (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

static void
setup(void)
{
    int fd = mkstemp(log_path);

    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(vlog_set_log_file(log_path), 0);
    ck_assert_str_eq(vlog_get_log_file(), log_path);
    /* Keep the console quiet: only the file is under test. */
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
}

static void
teardown(void)
{
    vlog_close_log_file();
    unlink(log_path);
    strcpy(log_path, "/tmp/xt-vlog-XXXXXX");
}

START_TEST(test_format)
{
    regex_t re;
    char *log;

    VLOG_INFO("hello %d", 42);
    VLOG_DBG("not shown at the default file level");
    log = read_log();
    /* The file starts, as Open vSwitch's do, with where it began. */
    ck_assert_int_eq(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
                             "[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z\\|[0-9]{5}\\|"
                             "vlog\\|INFO\\|opened log file /tmp/xt-vlog-"
                             "[^\n]*\n"
                             "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
                             "[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z\\|[0-9]{5}\\|"
                             "test_vlog\\|INFO\\|hello 42\n$",
                             REG_EXTENDED), 0);
    ck_assert_msg(!regexec(&re, log, 0, NULL, 0), "bad line: %s", log);
    regfree(&re);
    free(log);
}
END_TEST

/* Open vSwitch's "PATTERN:destination:pattern" and "FACILITY:name". */
START_TEST(test_patterns_and_facility)
{
    char *error;

    ck_assert_ptr_null(vlog_set_levels_from_string(
        "PATTERN:file:%c|%p|%-6m|%5N|%05P|%t%T|%D{%C}|%%|%x"));
    VLOG_WARN("hi\n");
    char *log = read_log();
    char *want = xasprintf("test_vlog|WARN|hi    |    2|%05ld|main|%s|%%|x\n",
                           (long int) getpid(), "20");
    ck_assert_msg(strstr(log, want), "%s lacks %s", log, want);
    free(want);
    free(log);
    ck_assert_ptr_null(vlog_set_levels_from_string(
        "PATTERN:any:%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m"));

    error = vlog_set_levels_from_string("PATTERN:nowhere:%m");
    ck_assert_msg(error && !strcmp(error, "unknown destination \"nowhere\""),
                  "%s", error);
    free(error);
    error = vlog_set_levels_from_string("PATTERN");
    ck_assert_msg(error && !strcmp(error, "missing destination"), "%s",
                  error);
    free(error);

    ck_assert_ptr_null(vlog_set_levels_from_string("FACILITY:local3"));
    ck_assert_ptr_null(vlog_set_levels_from_string("facility:daemon"));
    error = vlog_set_levels_from_string("FACILITY:nosuch");
    ck_assert_msg(error && !strcmp(error, "invalid facility"), "%s", error);
    free(error);

    /* The module of the log's own messages. */
    ck_assert_ptr_null(vlog_set_levels_from_string("vlog:off"));
    ck_assert_int_eq(vlog_get_level(vlog_module_from_name("vlog"),
                                    VLF_FILE), VLL_OFF);
}
END_TEST

START_TEST(test_levels_from_string)
{
    char *error;

    ck_assert_ptr_null(vlog_set_levels_from_string("test_vlog:file:dbg"));
    ck_assert_int_eq(vlog_get_level(this_module, VLF_FILE), VLL_DBG);
    ck_assert_int_eq(vlog_get_level(this_module, VLF_CONSOLE), VLL_OFF);
    VLOG_DBG("now shown");

    ck_assert_ptr_null(vlog_set_levels_from_string("file:warn"));
    ck_assert_int_eq(vlog_get_level(this_module, VLF_FILE), VLL_WARN);
    VLOG_INFO("hidden again");

    ck_assert_ptr_null(vlog_set_levels_from_string("ANY:console:ERR"));
    ck_assert_int_eq(vlog_get_level(this_module, VLF_CONSOLE), VLL_ERR);

    /* Just a module: all destinations at dbg, like "-vtest_vlog". */
    ck_assert_ptr_null(vlog_set_levels_from_string("test_vlog"));
    ck_assert_int_eq(vlog_get_level(this_module, VLF_CONSOLE), VLL_DBG);
    ck_assert_int_eq(vlog_get_level(this_module, VLF_FILE), VLL_DBG);
    ck_assert_ptr_null(vlog_set_levels_from_string("console:off"));

    error = vlog_set_levels_from_string("test_vlog:bogus:dbg");
    ck_assert_ptr_nonnull(error);
    ck_assert_msg(strstr(error, "\"bogus\""), "%s", error);
    free(error);
    error = vlog_set_levels_from_string("file:console:dbg");
    ck_assert_msg(error && strstr(error, "multiple destinations"), "%s",
                  error);
    free(error);
    error = vlog_set_levels_from_string("dbg:warn");
    ck_assert_msg(error && strstr(error, "multiple levels"), "%s", error);
    free(error);
    /* A failed spec changes nothing. */
    ck_assert_int_eq(vlog_get_level(this_module, VLF_FILE), VLL_DBG);

    char *log = read_log();
    ck_assert_int_eq(count_lines(log, "now shown"), 1);
    ck_assert_int_eq(count_lines(log, "hidden again"), 0);
    free(log);

    char *list = vlog_get_levels();
    ck_assert_msg(strstr(list, "\ntest_vlog          OFF        DBG        DBG\n"),
                  "%s", list);
    ck_assert_ptr_nonnull(strstr(list, "\njsonrpc "));
    free(list);

    ck_assert_int_eq(vlog_get_level_val("WARN"), VLL_WARN);
    ck_assert_int_eq(vlog_get_level_val("loud"), VLL_N_LEVELS);
    ck_assert_int_eq(vlog_get_destination_val("file"), VLF_FILE);
}
END_TEST

START_TEST(test_rate_limit)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 3);
    char *log;

    for (int i = 0; i < 1000; i++) {
        VLOG_WARN_RL(&rl, "flood %d", i);
    }
    log = read_log();
    /* The burst gets through, the rest is dropped. */
    ck_assert_int_eq(count_lines(log, "|WARN|flood "), 3);
    free(log);

    /* Once a token is back, the next message says how many were lost. */
    rl.tokens = 1000;
    VLOG_WARN_RL(&rl, "after the flood");
    log = read_log();
    ck_assert_msg(strstr(log, "Dropped 997 log messages"), "%s", log);
    ck_assert_ptr_nonnull(strstr(log, "after the flood"));
    free(log);
}
END_TEST

/* Reopening after a rename (what logrotate does) starts a new file. */
START_TEST(test_reopen)
{
    char *rotated = xasprintf("%s.1", log_path);
    char *log;

    VLOG_WARN("before rotation");
    ck_assert_int_eq(rename(log_path, rotated), 0);
    ck_assert_int_eq(vlog_reopen_log_file(), 0);
    VLOG_WARN("after rotation");
    log = read_log();
    ck_assert_ptr_null(strstr(log, "before rotation"));
    ck_assert_ptr_nonnull(strstr(log, "after rotation"));
    free(log);
    unlink(rotated);
    free(rotated);

    ck_assert_int_ne(vlog_set_log_file("/nonexistent/dir/x.log"), 0);
    ck_assert_str_eq(vlog_get_log_file(), log_path);  /* Unchanged. */
}
END_TEST

static void
never_cb(uv_timer_t *timer OVS_UNUSED)
{
    ck_abort_msg("SIGHUP was not handled within a minute");
}

START_TEST(test_options_and_sighup)
{
    char *rotated = xasprintf("%s.1", log_path);
    uv_loop_t loop;
    char *log;

    ck_assert(vlog_handle_option('v', "test_vlog:file:err"));
    ck_assert_int_eq(vlog_get_level(this_module, VLF_FILE), VLL_ERR);
    ck_assert(!vlog_handle_option('x', NULL));
    ck_assert(vlog_handle_option(VLOG_OPT_LOG_FILE, log_path));

    /* SIGHUP reopens the log file, like logrotate's postrotate expects. */
    uv_loop_init(&loop);
    vlog_reopen_on_sighup(&loop);
    /* The signal handle does not keep a loop alive; a program's sockets
     * do.  This timer stands in for them. */
    uv_timer_t busy;
    uv_timer_init(&loop, &busy);
    uv_timer_start(&busy, never_cb, 60000, 0);
    VLOG_ERR("before rotation");
    ck_assert_int_eq(rename(log_path, rotated), 0);
    raise(SIGHUP);
    for (int i = 0; i < 100 && access(log_path, F_OK); i++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
    uv_close((uv_handle_t *) &busy, NULL);
    vlog_stop_reopen_on_sighup();
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
    VLOG_ERR("after rotation");
    log = read_log();
    ck_assert_ptr_null(strstr(log, "before rotation"));
    ck_assert_ptr_nonnull(strstr(log, "after rotation"));
    free(log);
    unlink(rotated);
    free(rotated);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("vlog");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_levels_from_string);
    tcase_add_test(tc, test_patterns_and_facility);
    tcase_add_test(tc, test_rate_limit);
    tcase_add_test(tc, test_reopen);
    tcase_add_test(tc, test_options_and_sighup);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
