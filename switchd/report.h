/* report.h: the settings xsw-switchd accepts but does not apply, said where
 * Open vSwitch's users look.
 *
 * The Open_vSwitch schema has columns for features xsw-switchd does not
 * have (QoS, mirrors, sFlow, NetFlow, IPFIX, STP, BFD, ...).  The database
 * takes them, and a switch that then forwards as if they were not there
 * must say so.  This module reads those columns from the replica and, for
 * every row that sets one:
 *
 *   - an Interface gets "SETTING: not applied: WHY" in 'error' (several
 *     joined by "; "), which "ovs-vsctl show" and "xsw-ctl show" print;
 *     an error of the interface's own (it cannot be opened) comes first;
 *   - a Port or Bridge gets a key SETTING in 'status' with the value
 *     "not applied: WHY" (the rows that only a Bridge references, Mirror,
 *     sFlow, NetFlow, IPFIX, Flow_Sample_Collector_Set, are reported on
 *     that Bridge: they have no column for it);
 *   - the log says it once per setting, when a first row sets it (and
 *     again if it is set again after it was removed everywhere); for the
 *     Open_vSwitch row (Open vSwitch's datapath tuning in other_config,
 *     connection-tracking 'datapaths'), which has no status column, the
 *     log is the only place.
 *
 * A report goes away with the setting.  The keys a Bridge or Port 'status'
 * may get are listed in REPORT_*_KEYS in report.c; other writers' keys
 * (bonds' bond_effective_mode, ...) are left alone.
 *
 * Settings that xsw-switchd applies, or that mean nothing without
 * something that is already reported (a Controller's protocols, cvlans
 * without dot1q-tunnel, ...), are not reported; README.md lists every
 * column and what xsw-switchd does with it.
 *
 * For the control thread; uses the IDL given to report_init(). */
#ifndef XSW_SWITCHD_REPORT_H
#define XSW_SWITCHD_REPORT_H 1

#include <stdbool.h>

struct ovsdb_idl;
struct uuid;

/* Registers the tables and columns the checks read and the status columns
 * they write. */
void report_init(struct ovsdb_idl *);

/* Checks the replica again.  Returns true if any row's report changed
 * (its state needs writing). */
bool report_run(void);

/* The report of Interface 'uuid' ("SETTING: not applied: WHY; ..."), or
 * NULL.  Owned by this module; valid until the next report_run(). */
const char *report_get_interface(const struct uuid *);

/* Writes the reports of Bridges and Ports into their 'status' columns in
 * the IDL's open transaction, and removes those of rows that have none any
 * more.  Returns the number of columns written. */
unsigned int report_write_status(void);

/* Frees everything. */
void report_destroy(void);

#endif /* report.h */
