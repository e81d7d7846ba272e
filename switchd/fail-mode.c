/* fail-mode.c: what a bridge forwards without an OpenFlow controller (see
 * fail-mode.h). */
#include <config.h>

#include "fail-mode.h"

#include <string.h>

#include "iface-state.h"
#include "idl.h"
#include "ovsdb-data.h"
#include "shash.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(fail_mode);

#define FORWARDING_KEY "forwarding"

#define SECURE_STATUS \
    "disabled: fail_mode=secure and xsw-switchd has no OpenFlow " \
    "controller support"
#define STANDALONE_STATUS \
    "normal switching: fail_mode=standalone and the controller is never " \
    "connected (xsw-switchd has no OpenFlow support)"
#define CONTROLLER_ERROR \
    "OpenFlow is not supported by xsw-switchd: no connection is attempted"

static struct ovsdb_idl_table *bridge_table, *controller_table;
static const struct ovsdb_idl_column *br_name, *br_fail_mode, *br_controller,
    *br_status;
static const struct ovsdb_idl_column *ctl_target, *ctl_is_connected,
    *ctl_status;

/* What was last logged: bridge name -> its status text (or ""); controller
 * targets already logged. */
static struct shash logged_bridges = SHASH_INITIALIZER(&logged_bridges);
static struct shash logged_targets = SHASH_INITIALIZER(&logged_targets);

void
fail_mode_init(struct ovsdb_idl *idl)
{
    bridge_table = ovsdb_idl_add_table(idl, "Bridge");
    br_name = ovsdb_idl_add_column(bridge_table, "name");
    br_fail_mode = ovsdb_idl_add_column(bridge_table, "fail_mode");
    br_controller = ovsdb_idl_add_column(bridge_table, "controller");
    br_status = ovsdb_idl_add_column(bridge_table, "status");

    controller_table = ovsdb_idl_add_table(idl, "Controller");
    ctl_target = ovsdb_idl_add_column(controller_table, "target");
    ctl_is_connected = ovsdb_idl_add_column(controller_table,
                                            "is_connected");
    ctl_status = ovsdb_idl_add_column(controller_table, "status");
}

/* What Bridge 'row' does for want of a controller, as status:forwarding
 * says it, or NULL if it switches normally, as it would anyway. */
static const char *
bridge_forwarding(const struct ovsdb_idl_row *row)
{
    const char *mode = ovsdb_idl_row_get_string(row, br_fail_mode, "");
    const struct ovsdb_datum *ctls = ovsdb_idl_row_get_datum(row,
                                                             br_controller);

    if (!strcmp(mode, "secure")) {
        return SECURE_STATUS;
    }
    return ctls && ctls->n ? STANDALONE_STATUS : NULL;
}

bool
fail_mode_bridge_closed(const struct ovsdb_idl_row *row, const char *name)
{
    const char *what = bridge_forwarding(row);
    const char *old = shash_find_data(&logged_bridges, name);

    if (!old ? what != NULL : strcmp(old, what ? what : "")) {
        if (what) {
            VLOG_WARN("bridge %s: forwarding %s", name, what);
        } else if (old) {
            VLOG_INFO("bridge %s: forwarding normal switching", name);
        }
        free(shash_replace(&logged_bridges, name, xstrdup(what ? what : "")));
    }
    return what && !strcmp(what, SECURE_STATUS);
}

static unsigned int
write_bridge_status(const struct ovsdb_idl_row *row)
{
    static const char *const keys[] = { FORWARDING_KEY };
    const char *what = bridge_forwarding(row);
    struct shash values = SHASH_INITIALIZER(&values);
    unsigned int n;

    if (what) {
        shash_add(&values, FORWARDING_KEY, what);
    }
    n = iface_state_write_owned_keys(row, br_status, keys, ARRAY_SIZE(keys),
                                     &values);
    shash_destroy(&values);
    return n;
}

static unsigned int
write_controller(const struct ovsdb_idl_row *row)
{
    static const char *const keys[] = { "state", "last_error",
                                        "sec_since_connect",
                                        "sec_since_disconnect" };
    const char *target = ovsdb_idl_row_get_string(row, ctl_target, "");
    struct shash values = SHASH_INITIALIZER(&values);
    unsigned int n = 0;

    if (shash_add_once(&logged_targets, target, NULL)) {
        VLOG_WARN("controller %s: not connected: %s", target,
                  CONTROLLER_ERROR);
    }
    if (ovsdb_idl_column_get_type(ctl_is_connected)
        && ovsdb_idl_row_get_boolean(row, ctl_is_connected, true)) {
        ovsdb_idl_txn_write_boolean(row, ctl_is_connected, false);
        n++;
    }
    shash_add(&values, "state", "VOID");
    shash_add(&values, "last_error", CONTROLLER_ERROR);
    n += iface_state_write_owned_keys(row, ctl_status, keys,
                                      ARRAY_SIZE(keys), &values);
    shash_destroy(&values);
    return n;
}

unsigned int
fail_mode_write_status(void)
{
    const struct ovsdb_idl_row *row;
    unsigned int n = 0;

    OVSDB_IDL_FOR_EACH_ROW (row, bridge_table) {
        n += write_bridge_status(row);
    }
    OVSDB_IDL_FOR_EACH_ROW (row, controller_table) {
        n += write_controller(row);
    }
    return n;
}

void
fail_mode_destroy(void)
{
    shash_destroy_free_data(&logged_bridges);
    shash_destroy(&logged_targets);
}
