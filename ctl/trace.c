/* trace.c: "xsw-ctl trace BRIDGE FLOW...": where a frame received on
 * BRIDGE would go.
 *
 * FLOW is in_port=PORT (an interface's name or OpenFlow port number) and
 * any of dl_src=MAC, dl_dst=MAC, dl_vlan=VID, dl_vlan_pcp=PCP,
 * dl_type=ETHERTYPE, as separate arguments or joined by commas as
 * Open vSwitch writes a flow.  xsw-switchd answers ("ofproto/trace" on its
 * control socket, the command "ovs-appctl ofproto/trace" also reaches) by
 * running its datapath's own forwarding decision on such a frame: the
 * input VLAN rules, the fdb entries and the bond members that decide the
 * output ports.  Nothing is sent or learned. */
#include <config.h>

#include <limits.h>

#include "ctl.h"

static void
cmd_trace(struct ctl_context *ctx)
{
    switchd_query(ctx, "ofproto/trace");
}

static const struct ctl_command_syntax trace_commands[] = {
    {"trace", 2, INT_MAX, "BRIDGE FLOW...", NULL, cmd_trace, NULL, "",
     CTL_RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, CTL_RO},
};

void
trace_cmds_register(void)
{
    ctl_register_commands(trace_commands);
}
