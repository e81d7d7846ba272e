/* report.c: the settings xsw-switchd does not apply, reported (see
 * report.h).
 *
 * Each check reads one row and adds what it finds to a fresh set of
 * reports (struct row_report, by row UUID); report_run() swaps it in and
 * tells whether anything changed, so that the state is written only then.
 * Nothing here is on the forwarding path. */
#include <config.h>
#include "report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds.h"
#include "idl.h"
#include "iface-state.h"
#include "ovsdb-data.h"
#include "shash.h"
#include "util.h"
#include "uuid.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(report);

/* The 'status' keys this module may write: it owns them, and removes them
 * when their setting goes. */
static const char *const REPORT_BRIDGE_KEYS[] = {
    "auto_attach", "datapath_type", "flood_vlans",
    "flow_sample_collector_set", "flow_tables", "hwaddr", "ipfix",
    "mcast_snooping_enable", "mirrors", "netflow", "protocols",
    "rstp_enable", "sflow", "stp_enable",
};
static const char *const REPORT_PORT_KEYS[] = {
    "bond_fake_iface", "lacp", "mac", "priority-tags", "protected", "qos",
};

/* What one row sets that is not applied. */
struct row_report {
    const char *table;          /* "Bridge", "Port" or "Interface". */
    const char *name;           /* The row's name (owned by the IDL: valid
                                 * during report_run() only). */
    struct shash items;         /* Setting -> "not applied: ..." (owned). */
    char *text;                 /* "SETTING: not applied: ...; ...". */
};

static struct ovsdb_idl *idl;

/* The reports, by row UUID (as a string): struct row_report * (owned). */
static struct shash reports = SHASH_INITIALIZER(&reports);

/* "Table SETTING" of every setting in use that the log has told about. */
static struct shash logged = SHASH_INITIALIZER(&logged);

static struct ovsdb_idl_table *ovs_table, *bridge_table, *port_table,
    *iface_table, *mirror_table, *qos_table, *fscs_table;
static const struct ovsdb_idl_column *ovs_other_config, *ovs_datapaths;
static const struct ovsdb_idl_column *br_name, *br_mirrors, *br_sflow,
    *br_netflow, *br_ipfix, *br_flood_vlans, *br_stp_enable,
    *br_rstp_enable, *br_mcast_snooping_enable, *br_datapath_type,
    *br_auto_attach, *br_flow_tables, *br_protocols, *br_other_config,
    *br_status;
static const struct ovsdb_idl_column *port_name, *port_interfaces, *port_qos,
    *port_mac, *port_protected, *port_bond_fake_iface, *port_lacp,
    *port_other_config, *port_status;
static const struct ovsdb_idl_column *if_name, *if_type, *if_options, *if_mac,
    *if_ingress_policing_rate, *if_ingress_policing_burst,
    *if_ingress_policing_kpkts_rate, *if_ingress_policing_kpkts_burst,
    *if_bfd, *if_cfm_mpid, *if_lldp;
static const struct ovsdb_idl_column *mirror_name, *qos_type, *qos_queues,
    *fscs_bridge, *fscs_id;

void
report_init(struct ovsdb_idl *idl_)
{
    idl = idl_;

    ovs_table = ovsdb_idl_add_table(idl, "Open_vSwitch");
    ovs_other_config = ovsdb_idl_add_column(ovs_table, "other_config");
    ovs_datapaths = ovsdb_idl_add_column(ovs_table, "datapaths");

    bridge_table = ovsdb_idl_add_table(idl, "Bridge");
    br_name = ovsdb_idl_add_column(bridge_table, "name");
    br_mirrors = ovsdb_idl_add_column(bridge_table, "mirrors");
    br_sflow = ovsdb_idl_add_column(bridge_table, "sflow");
    br_netflow = ovsdb_idl_add_column(bridge_table, "netflow");
    br_ipfix = ovsdb_idl_add_column(bridge_table, "ipfix");
    br_flood_vlans = ovsdb_idl_add_column(bridge_table, "flood_vlans");
    br_stp_enable = ovsdb_idl_add_column(bridge_table, "stp_enable");
    br_rstp_enable = ovsdb_idl_add_column(bridge_table, "rstp_enable");
    br_mcast_snooping_enable = ovsdb_idl_add_column(bridge_table,
                                                    "mcast_snooping_enable");
    br_datapath_type = ovsdb_idl_add_column(bridge_table, "datapath_type");
    br_auto_attach = ovsdb_idl_add_column(bridge_table, "auto_attach");
    br_flow_tables = ovsdb_idl_add_column(bridge_table, "flow_tables");
    br_protocols = ovsdb_idl_add_column(bridge_table, "protocols");
    br_other_config = ovsdb_idl_add_column(bridge_table, "other_config");
    br_status = ovsdb_idl_add_column(bridge_table, "status");

    port_table = ovsdb_idl_add_table(idl, "Port");
    port_name = ovsdb_idl_add_column(port_table, "name");
    port_interfaces = ovsdb_idl_add_column(port_table, "interfaces");
    port_qos = ovsdb_idl_add_column(port_table, "qos");
    port_mac = ovsdb_idl_add_column(port_table, "mac");
    port_protected = ovsdb_idl_add_column(port_table, "protected");
    port_bond_fake_iface = ovsdb_idl_add_column(port_table,
                                                "bond_fake_iface");
    port_lacp = ovsdb_idl_add_column(port_table, "lacp");
    port_other_config = ovsdb_idl_add_column(port_table, "other_config");
    port_status = ovsdb_idl_add_column(port_table, "status");

    iface_table = ovsdb_idl_add_table(idl, "Interface");
    if_name = ovsdb_idl_add_column(iface_table, "name");
    if_type = ovsdb_idl_add_column(iface_table, "type");
    if_options = ovsdb_idl_add_column(iface_table, "options");
    if_mac = ovsdb_idl_add_column(iface_table, "mac");
    if_ingress_policing_rate = ovsdb_idl_add_column(iface_table,
                                                    "ingress_policing_rate");
    if_ingress_policing_burst = ovsdb_idl_add_column(iface_table,
                                                     "ingress_policing_burst");
    if_ingress_policing_kpkts_rate = ovsdb_idl_add_column(
        iface_table, "ingress_policing_kpkts_rate");
    if_ingress_policing_kpkts_burst = ovsdb_idl_add_column(
        iface_table, "ingress_policing_kpkts_burst");
    if_bfd = ovsdb_idl_add_column(iface_table, "bfd");
    if_cfm_mpid = ovsdb_idl_add_column(iface_table, "cfm_mpid");
    if_lldp = ovsdb_idl_add_column(iface_table, "lldp");

    mirror_table = ovsdb_idl_add_table(idl, "Mirror");
    mirror_name = ovsdb_idl_add_column(mirror_table, "name");
    qos_table = ovsdb_idl_add_table(idl, "QoS");
    qos_type = ovsdb_idl_add_column(qos_table, "type");
    qos_queues = ovsdb_idl_add_column(qos_table, "queues");
    fscs_table = ovsdb_idl_add_table(idl, "Flow_Sample_Collector_Set");
    fscs_bridge = ovsdb_idl_add_column(fscs_table, "bridge");
    fscs_id = ovsdb_idl_add_column(fscs_table, "id");
}

/* ---- Building reports. ---- */

static void
row_report_destroy(struct row_report *r)
{
    if (r) {
        shash_destroy_free_data(&r->items);
        free(r->text);
        free(r);
    }
}

static void
reports_clear(struct shash *set)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, set) {
        row_report_destroy(node->data);
    }
    shash_destroy(set);
}

/* Adds to 'set' that 'row' of 'table' does not apply 'setting', saying why
 * with 'format'. */
static void PRINTF_FORMAT(5, 6)
add(struct shash *set, const char *table, const struct ovsdb_idl_row *row,
    const char *setting, const char *format, ...)
{
    char uuid[UUID_LEN + 1];
    struct row_report *r;
    struct ds why = DS_EMPTY_INITIALIZER;
    va_list args;

    uuid_to_string(ovsdb_idl_row_get_uuid(row), uuid);
    r = shash_find_data(set, uuid);
    if (!r) {
        const struct ovsdb_datum *name = ovsdb_idl_row_get_datum_by_name(
            row, "name");

        r = xzalloc(sizeof *r);
        r->table = table;
        r->name = name && name->n == 1 ? name->keys[0].string : "";
        shash_init(&r->items);
        shash_add(set, uuid, r);
    }
    ds_put_cstr(&why, "not applied: ");
    va_start(args, format);
    ds_put_format_valist(&why, format, args);
    va_end(args);
    free(shash_replace(&r->items, setting, ds_steal_cstr(&why)));
}

/* Whether set or map 'column' of 'row' has any element. */
static bool
is_set(const struct ovsdb_idl_row *row, const struct ovsdb_idl_column *column)
{
    const struct ovsdb_datum *d = ovsdb_idl_row_get_datum(row, column);
    return d && d->n > 0;
}

/* Integers of 'column' as "10, 20, 30" into 'ds' (at most 8, then "..."). */
static void
put_integers(struct ds *ds, const struct ovsdb_idl_row *row,
             const struct ovsdb_idl_column *column)
{
    const struct ovsdb_datum *d = ovsdb_idl_row_get_datum(row, column);

    for (unsigned int i = 0; d && i < d->n; i++) {
        if (i == 8) {
            ds_put_cstr(ds, ", ...");
            break;
        }
        ds_put_format(ds, "%s%"PRId64, i ? ", " : "", d->keys[i].integer);
    }
}

static bool
map_is_true(const struct ovsdb_idl_row *row,
            const struct ovsdb_idl_column *column, const char *key)
{
    const char *s = ovsdb_idl_row_get_map_string(row, column, key, "false");
    return !strcmp(s, "true");
}

/* Open vSwitch's settings of its own datapath, which xsw-switchd's has no
 * counterpart for, and why each matters.  The Open_vSwitch table has no
 * column to report them in: the log says them (once). */
static const struct {
    const char *key;
    const char *why;
} ovs_keys[] = {
    { "flow-restore-wait", "xsw-switchd forwards as soon as it starts: "
      "it has no flows to wait for" },
    { "vlan-limit", "xsw-switchd reads one 802.1Q tag, as vlan-limit=1" },
    { "dpdk-init", "xsw-switchd has no DPDK" },
    { "hw-offload", "xsw-switchd offloads no flows to hardware" },
    { "pmd-cpu-mask", "xsw-switchd's forwarding threads are not pinned "
      "(--n-threads sets how many)" },
    { "n-handler-threads", "xsw-switchd has no upcall handlers" },
    { "n-revalidator-threads", "xsw-switchd has no flow revalidators" },
    { "flow-limit", "xsw-switchd has no flow cache" },
    { "max-idle", "xsw-switchd has no flow cache" },
};

static void
check_open_vswitch(struct shash *set, const struct ovsdb_idl_row *ovs)
{
    for (size_t i = 0; i < ARRAY_SIZE(ovs_keys); i++) {
        const char *s = ovsdb_idl_row_get_map_string(ovs, ovs_other_config,
                                                     ovs_keys[i].key, NULL);
        if (s) {
            char *setting = xasprintf("other_config:%s", ovs_keys[i].key);
            add(set, "Open_vSwitch", ovs, setting, "%s (%s)", ovs_keys[i].why,
                s);
            free(setting);
        }
    }
    if (is_set(ovs, ovs_datapaths)) {
        add(set, "Open_vSwitch", ovs, "datapaths", "xsw-switchd has no "
            "connection tracking: CT zones and timeout policies do "
            "nothing");
    }
}

static void
check_bridge(struct shash *set, const struct ovsdb_idl_row *br)
{
    const struct ovsdb_datum *d;
    struct ds ds = DS_EMPTY_INITIALIZER;
    const char *s;

    d = ovsdb_idl_row_get_datum(br, br_mirrors);
    if (d && d->n) {
        for (unsigned int i = 0; i < d->n; i++) {
            const struct ovsdb_idl_row *m = ovsdb_idl_get_row(
                mirror_table, &d->keys[i].uuid);
            ds_put_format(&ds, "%s%s", i ? ", " : "",
                          m ? ovsdb_idl_row_get_string(m, mirror_name, "")
                          : "?");
        }
        add(set, "Bridge", br, "mirrors", "xsw-switchd mirrors no traffic "
            "(Mirror %s)", ds_cstr(&ds));
        ds_truncate(&ds, 0);
    }
    if (is_set(br, br_sflow)) {
        add(set, "Bridge", br, "sflow", "xsw-switchd samples no traffic "
            "for sFlow");
    }
    if (is_set(br, br_netflow)) {
        add(set, "Bridge", br, "netflow", "xsw-switchd exports no NetFlow "
            "records");
    }
    if (is_set(br, br_ipfix)) {
        add(set, "Bridge", br, "ipfix", "xsw-switchd exports no IPFIX "
            "records");
    }
    if (is_set(br, br_flood_vlans)) {
        put_integers(&ds, br, br_flood_vlans);
        add(set, "Bridge", br, "flood_vlans", "xsw-switchd learns MACs in "
            "every VLAN, %s too", ds_cstr(&ds));
        ds_truncate(&ds, 0);
    }
    if (ovsdb_idl_row_get_boolean(br, br_stp_enable, false)) {
        add(set, "Bridge", br, "stp_enable", "xsw-switchd runs no Spanning "
            "Tree Protocol: a loop in the network is not broken");
    }
    if (ovsdb_idl_row_get_boolean(br, br_rstp_enable, false)) {
        add(set, "Bridge", br, "rstp_enable", "xsw-switchd runs no Rapid "
            "Spanning Tree Protocol: a loop in the network is not broken");
    }
    if (ovsdb_idl_row_get_boolean(br, br_mcast_snooping_enable, false)) {
        add(set, "Bridge", br, "mcast_snooping_enable", "xsw-switchd "
            "snoops no IGMP/MLD and floods multicast in its VLAN");
    }
    s = ovsdb_idl_row_get_string(br, br_datapath_type, "");
    if (*s && strcmp(s, "netdev") && strcmp(s, "system")) {
        add(set, "Bridge", br, "datapath_type", "xsw-switchd has one "
            "datapath, its userspace one (\"netdev\" or \"system\"), and "
            "no \"%s\"", s);
    }
    if (is_set(br, br_auto_attach)) {
        add(set, "Bridge", br, "auto_attach", "xsw-switchd has no Auto "
            "Attach");
    }
    if (is_set(br, br_flow_tables)) {
        add(set, "Bridge", br, "flow_tables", "xsw-switchd has no OpenFlow "
            "tables");
    }
    if (is_set(br, br_protocols)) {
        add(set, "Bridge", br, "protocols", "xsw-switchd speaks no "
            "OpenFlow");
    }
    s = ovsdb_idl_row_get_map_string(br, br_other_config, "hwaddr", NULL);
    if (s) {
        add(set, "Bridge", br, "hwaddr", "the bridge's local port keeps "
            "its own MAC (other_config:hwaddr=%s; its Interface's mac "
            "column sets it)", s);
    }
    ds_destroy(&ds);
}

static void
check_collector_set(struct shash *set, const struct ovsdb_idl_row *fscs)
{
    const struct ovsdb_datum *d = ovsdb_idl_row_get_datum(fscs, fscs_bridge);
    const struct ovsdb_idl_row *br = (d && d->n
                                      ? ovsdb_idl_get_row(bridge_table,
                                                          &d->keys[0].uuid)
                                      : NULL);

    if (br) {
        add(set, "Bridge", br, "flow_sample_collector_set", "xsw-switchd "
            "exports no IPFIX records (Flow_Sample_Collector_Set id %"PRId64
            ")", ovsdb_idl_row_get_integer(fscs, fscs_id, 0));
    }
}

static void
check_port(struct shash *set, const struct ovsdb_idl_row *port)
{
    const struct ovsdb_datum *d = ovsdb_idl_row_get_datum(port, port_qos);
    const char *s;

    if (d && d->n) {
        const struct ovsdb_idl_row *qos = ovsdb_idl_get_row(
            qos_table, &d->keys[0].uuid);
        const struct ovsdb_datum *queues = (qos ? ovsdb_idl_row_get_datum(
                                                qos, qos_queues) : NULL);

        add(set, "Port", port, "qos", "xsw-switchd shapes and queues no "
            "traffic (QoS type \"%s\", %u queues)",
            qos ? ovsdb_idl_row_get_string(qos, qos_type, "") : "",
            queues ? queues->n : 0);
    }
    s = ovsdb_idl_row_get_string(port, port_mac, NULL);
    if (s) {
        add(set, "Port", port, "mac", "a bridge's MAC is its local port's "
            "own, not chosen among its ports' (mac %s)", s);
    }
    if (ovsdb_idl_row_get_boolean(port, port_protected, false)) {
        add(set, "Port", port, "protected", "xsw-switchd forwards between "
            "protected ports as between any others");
    }
    d = ovsdb_idl_row_get_datum(port, port_interfaces);
    if (ovsdb_idl_row_get_boolean(port, port_bond_fake_iface, false)
        && d && d->n > 1) {
        add(set, "Port", port, "bond_fake_iface", "xsw-switchd creates no "
            "device for a bond");
    }
    s = ovsdb_idl_row_get_string(port, port_lacp, "off");
    if (strcmp(s, "off") && d && d->n == 1) {
        /* A bond's LACP is the bond's business: see its
         * bond_effective_mode. */
        add(set, "Port", port, "lacp", "xsw-switchd speaks no LACP: the "
            "port forwards as with lacp=off");
    }
    s = ovsdb_idl_row_get_map_string(port, port_other_config,
                                     "priority-tags", "false");
    if (strcmp(s, "false") && strcmp(s, "never")) {
        add(set, "Port", port, "priority-tags", "xsw-switchd sends frames "
            "of VLAN 0 without a priority tag (other_config:priority-tags="
            "%s)", s);
    }
}

/* Interface types xsw-switchd opens, and whether they are TAP devices; an
 * unknown type is already an error of its own. */
static bool
iface_type_known(const char *type, bool *tap)
{
    static const char *const system_types[] = {
        "", "system", "afxdp", "afxdp-nonpmd", "afpacket",
    };

    *tap = !strcmp(type, "internal") || !strcmp(type, "tap");
    for (size_t i = 0; !*tap && i < ARRAY_SIZE(system_types); i++) {
        if (!strcmp(type, system_types[i])) {
            return true;
        }
    }
    return *tap;
}

static void
check_interface(struct shash *set, const struct ovsdb_idl_row *row)
{
    int64_t rate = ovsdb_idl_row_get_integer(row, if_ingress_policing_rate,
                                             0);
    int64_t kpkts = ovsdb_idl_row_get_integer(
        row, if_ingress_policing_kpkts_rate, 0);
    const char *type = ovsdb_idl_row_get_string(row, if_type, "");
    const struct ovsdb_datum *options;
    bool tap;

    if (rate > 0) {
        add(set, "Interface", row, "ingress_policing_rate", "xsw-switchd "
            "polices no traffic (%"PRId64" kbps, burst %"PRId64" kb)", rate,
            ovsdb_idl_row_get_integer(row, if_ingress_policing_burst, 0));
    }
    if (kpkts > 0) {
        add(set, "Interface", row, "ingress_policing_kpkts_rate",
            "xsw-switchd polices no traffic (%"PRId64" kpps, burst %"PRId64
            " kp)", kpkts,
            ovsdb_idl_row_get_integer(row, if_ingress_policing_kpkts_burst,
                                      0));
    }
    if (map_is_true(row, if_bfd, "enable")) {
        add(set, "Interface", row, "bfd", "xsw-switchd runs no BFD");
    }
    if (is_set(row, if_cfm_mpid)) {
        add(set, "Interface", row, "cfm_mpid", "xsw-switchd runs no 802.1ag "
            "CFM");
    }
    if (map_is_true(row, if_lldp, "enable")) {
        add(set, "Interface", row, "lldp", "xsw-switchd sends and reads no "
            "LLDP");
    }
    if (!iface_type_known(type, &tap)) {
        return;
    }
    if (!tap && is_set(row, if_mac)) {
        add(set, "Interface", row, "mac", "only internal interfaces take "
            "their MAC from this column (type \"%s\")", type);
    }
    options = ovsdb_idl_row_get_datum(row, if_options);
    for (unsigned int i = 0; options && i < options->n; i++) {
        const char *key = options->keys[i].string;

        if (tap || strcmp(key, "xdp-mode")) {
            char *setting = xasprintf("options:%s", key);
            add(set, "Interface", row, setting, "xsw-switchd has no such "
                "option for type \"%s\"%s", type,
                tap ? "" : " (it has options:xdp-mode)");
            free(setting);
        }
    }
}

/* ---- Running. ---- */

static void
row_report_finish(struct row_report *r)
{
    const struct shash_node **sorted = shash_sort(&r->items);
    struct ds ds = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < shash_count(&r->items); i++) {
        ds_put_format(&ds, "%s%s: %s", i ? "; " : "", sorted[i]->name,
                      (const char *) sorted[i]->data);
    }
    free(sorted);
    r->text = ds_steal_cstr(&ds);
}

/* Logs each setting that a first row now sets, once, and forgets those no
 * row sets any more. */
static void
log_settings(const struct shash *set)
{
    struct shash in_use = SHASH_INITIALIZER(&in_use);
    const struct shash_node **sorted = shash_sort(set);
    struct shash_node *node, *next;

    for (size_t i = 0; i < shash_count(set); i++) {
        const struct row_report *r = sorted[i]->data;
        const struct shash_node **items = shash_sort(&r->items);

        for (size_t j = 0; j < shash_count(&r->items); j++) {
            char *id = xasprintf("%s %s", r->table, items[j]->name);

            if (shash_add_once(&in_use, id, NULL)
                && !shash_find(&logged, id)) {
                VLOG_WARN("%s%s%s: %s: %s (%s)", r->table, *r->name ? " " : "",
                          r->name, items[j]->name,
                          (const char *) items[j]->data,
                          (!strcmp(r->table, "Interface")
                           ? "reported in its error"
                           : !strcmp(r->table, "Open_vSwitch")
                           ? "said only here: the table has no status column"
                           : "reported in its status"));
                shash_add(&logged, id, NULL);
            }
            free(id);
        }
        free(items);
    }
    free(sorted);
    SHASH_FOR_EACH_SAFE (node, next, &logged) {
        if (!shash_find(&in_use, node->name)) {
            VLOG_INFO("%s: no longer set anywhere", node->name);
            shash_delete(&logged, node);
        }
    }
    shash_destroy(&in_use);
}

bool
report_run(void)
{
    struct shash set = SHASH_INITIALIZER(&set);
    const struct ovsdb_idl_row *row;
    struct shash_node *node;
    bool changed;

    OVSDB_IDL_FOR_EACH_ROW (row, ovs_table) {
        check_open_vswitch(&set, row);
    }
    OVSDB_IDL_FOR_EACH_ROW (row, bridge_table) {
        check_bridge(&set, row);
    }
    OVSDB_IDL_FOR_EACH_ROW (row, fscs_table) {
        check_collector_set(&set, row);
    }
    OVSDB_IDL_FOR_EACH_ROW (row, port_table) {
        check_port(&set, row);
    }
    OVSDB_IDL_FOR_EACH_ROW (row, iface_table) {
        check_interface(&set, row);
    }
    SHASH_FOR_EACH (node, &set) {
        row_report_finish(node->data);
    }
    log_settings(&set);

    changed = shash_count(&set) != shash_count(&reports);
    SHASH_FOR_EACH (node, &set) {
        const struct row_report *new = node->data;
        const struct row_report *old = shash_find_data(&reports, node->name);

        if (changed || !old || strcmp(old->text, new->text)) {
            changed = true;
            break;
        }
    }
    reports_clear(&reports);
    shash_init(&reports);
    hmap_swap(&reports.map, &set.map);
    shash_destroy(&set);
    return changed;
}

const char *
report_get_interface(const struct uuid *uuid)
{
    char s[UUID_LEN + 1];
    const struct row_report *r;

    uuid_to_string(uuid, s);
    r = shash_find_data(&reports, s);
    return r ? r->text : NULL;
}

/* Whether 'status' of 'row' has one of the 'n_keys' 'keys'. */
static bool
has_owned_key(const struct ovsdb_idl_row *row,
              const struct ovsdb_idl_column *status,
              const char *const *keys, size_t n_keys)
{
    const struct ovsdb_datum *d = ovsdb_idl_row_get_datum(row, status);
    const struct ovsdb_type *type = ovsdb_idl_column_get_type(status);

    for (unsigned int i = 0; d && type && type->key.type == OVSDB_TYPE_STRING
                             && i < d->n; i++) {
        for (size_t j = 0; j < n_keys; j++) {
            if (!strcmp(d->keys[i].string, keys[j])) {
                return true;
            }
        }
    }
    return false;
}

/* Writes the reports of the rows of 'table' into 'status'.  A row with no
 * report and none of our keys (nearly every row) costs a glance. */
static unsigned int
write_table_status(struct ovsdb_idl_table *table,
                   const struct ovsdb_idl_column *status,
                   const char *const *keys, size_t n_keys)
{
    const struct ovsdb_idl_row *row;
    unsigned int n = 0;

    OVSDB_IDL_FOR_EACH_ROW (row, table) {
        char uuid[UUID_LEN + 1];
        const struct row_report *r;

        uuid_to_string(ovsdb_idl_row_get_uuid(row), uuid);
        r = shash_find_data(&reports, uuid);
        if (r || has_owned_key(row, status, keys, n_keys)) {
            n += iface_state_write_owned_keys(row, status, keys, n_keys,
                                              r ? &r->items : NULL);
        }
    }
    return n;
}

unsigned int
report_write_status(void)
{
    return (write_table_status(bridge_table, br_status, REPORT_BRIDGE_KEYS,
                               ARRAY_SIZE(REPORT_BRIDGE_KEYS))
            + write_table_status(port_table, port_status, REPORT_PORT_KEYS,
                                 ARRAY_SIZE(REPORT_PORT_KEYS)));
}

void
report_destroy(void)
{
    reports_clear(&reports);
    shash_init(&reports);
    shash_destroy(&logged);
    shash_init(&logged);
    idl = NULL;
}
