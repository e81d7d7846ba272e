#!/bin/bash
# Settings xsw-switchd does not apply are reported where Open vSwitch's
# users look, and the report goes with the setting: for each one, set it
# with ovs-vsctl, find "not applied" in the row's status (Bridge, Port) or
# error (Interface), then remove it and see the report go.  The log says
# each once; xsw-ctl show prints the reports; forwarding carries on.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-report
xt_need ping ovs-vsctl

# col_matches TABLE RECORD COLUMN RE: the column, as ovs-vsctl prints it,
# matches extended regex RE.
col_matches() { xt_vsctl get "$1" "$2" "$3" 2>/dev/null | grep -Eq -- "$4"; }
col_lacks() { ! col_matches "$@"; }
wait_col() {
    xt_wait_for 5 col_matches "$@" ||
        { echo "$1 $2 $3 is $(xt_vsctl get "$1" "$2" "$3"), wanted /$4/";
          return 1; }
}
wait_col_lacks() {
    xt_wait_for 5 col_lacks "$@" ||
        { echo "$1 $2 $3 is still $(xt_vsctl get "$1" "$2" "$3")"; return 1; }
}

# try TABLE RECORD COLUMN SETTING SET CLEAR: "xt_vsctl SET" (eval'd) must
# make COLUMN of the record say that SETTING is not applied, and
# "xt_vsctl CLEAR" must take that away.
try() {
    local table=$1 rec=$2 col=$3 setting=$4 set=$5 clear=$6
    local re="$setting[\"]?[=:] ?\"?not applied"
    if ! eval "xt_vsctl $set" >/dev/null; then
        xt_check "$setting: ovs-vsctl $set" false
        return
    fi
    xt_check "$setting: reported in $table $col" \
        wait_col "$table" "$rec" "$col" "$re"
    eval "xt_vsctl $clear"
    xt_check "$setting: the report goes with the setting" \
        wait_col_lacks "$table" "$rec" "$col" "$re"
}

xt_start_switch
xt_ns a
xt_ns b
xt_attach_internal a 10.68.0.1/24
xt_attach_internal b 10.68.0.2/24
xt_require "a pings b" xt_ping a 10.68.0.2
BR=$XT_BR A=${XT}a

# Bridge settings, in Bridge status.
try Bridge "$BR" status mirrors \
    "-- --id=@p get Port $A -- --id=@m create Mirror name=${XT}m \
     select_all=true output_port=@p -- add Bridge $BR mirrors @m" \
    "clear Bridge $BR mirrors"
try Bridge "$BR" status sflow \
    "-- --id=@s create sFlow agent=lo targets='\"127.0.0.1:6343\"' \
     -- set Bridge $BR sflow=@s" "clear Bridge $BR sflow"
try Bridge "$BR" status netflow \
    "-- --id=@n create NetFlow targets='\"127.0.0.1:2055\"' \
     -- set Bridge $BR netflow=@n" "clear Bridge $BR netflow"
try Bridge "$BR" status ipfix \
    "-- --id=@i create IPFIX targets='\"127.0.0.1:4739\"' \
     -- set Bridge $BR ipfix=@i" "clear Bridge $BR ipfix"
try Bridge "$BR" status flow_sample_collector_set \
    "-- --id=@b get Bridge $BR -- --id=@i create IPFIX \
     targets='\"127.0.0.1:4739\"' -- create Flow_Sample_Collector_Set id=7 \
     bridge=@b ipfix=@i" "--all destroy Flow_Sample_Collector_Set"
try Bridge "$BR" status flood_vlans "set Bridge $BR flood_vlans=10,20" \
    "clear Bridge $BR flood_vlans"
try Bridge "$BR" status stp_enable "set Bridge $BR stp_enable=true" \
    "set Bridge $BR stp_enable=false"
try Bridge "$BR" status rstp_enable "set Bridge $BR rstp_enable=true" \
    "set Bridge $BR rstp_enable=false"
try Bridge "$BR" status mcast_snooping_enable \
    "set Bridge $BR mcast_snooping_enable=true" \
    "set Bridge $BR mcast_snooping_enable=false"
try Bridge "$BR" status datapath_type "set Bridge $BR datapath_type=dummy" \
    "set Bridge $BR datapath_type=netdev"
try Bridge "$BR" status auto_attach \
    "-- --id=@a create AutoAttach system_name=${XT} \
     system_description=${XT} -- set Bridge $BR auto_attach=@a" \
    "clear Bridge $BR auto_attach"
try Bridge "$BR" status flow_tables \
    "-- --id=@f create Flow_Table flow_limit=100 \
     -- set Bridge $BR flow_tables:0=@f" "clear Bridge $BR flow_tables"
try Bridge "$BR" status protocols "set Bridge $BR protocols=OpenFlow13" \
    "clear Bridge $BR protocols"
try Bridge "$BR" status hwaddr \
    "set Bridge $BR other_config:hwaddr=02:00:00:00:68:01" \
    "remove Bridge $BR other_config hwaddr"

# Port settings, in Port status.
try Port "$A" status qos \
    "-- set Port $A qos=@q -- --id=@q create QoS type=linux-htb \
     queues:0=@q0 -- --id=@q0 create Queue other_config:max-rate=1000000" \
    "clear Port $A qos"
try Port "$A" status mac "set Port $A mac='\"02:00:00:00:68:02\"'" \
    "clear Port $A mac"
try Port "$A" status protected "set Port $A protected=true" \
    "set Port $A protected=false"
try Port "$A" status lacp "set Port $A lacp=active" "clear Port $A lacp"
try Port "$A" status priority-tags \
    "set Port $A other_config:priority-tags=true" \
    "remove Port $A other_config priority-tags"

# Interface settings, in Interface error.
try Interface "$A" error ingress_policing_rate \
    "set Interface $A ingress_policing_rate=1000 ingress_policing_burst=100" \
    "set Interface $A ingress_policing_rate=0 ingress_policing_burst=0"
try Interface "$A" error ingress_policing_kpkts_rate \
    "set Interface $A ingress_policing_kpkts_rate=10" \
    "set Interface $A ingress_policing_kpkts_rate=0"
try Interface "$A" error bfd "set Interface $A bfd:enable=true" \
    "remove Interface $A bfd enable"
try Interface "$A" error cfm_mpid "set Interface $A cfm_mpid=5" \
    "clear Interface $A cfm_mpid"
try Interface "$A" error lldp "set Interface $A lldp:enable=true" \
    "remove Interface $A lldp enable"
try Interface "$A" error options:n_rxq "set Interface $A options:n_rxq=2" \
    "remove Interface $A options n_rxq"

# Several at once: each is there, xsw-ctl show prints them, and ping
# goes on (nothing was applied, so nothing broke).
xt_vsctl set Bridge "$BR" stp_enable=true flood_vlans=30 -- \
    set Port "$A" protected=true -- \
    set Interface "$A" ingress_policing_rate=500 bfd:enable=true
xt_check "two reports in one Interface error" \
    wait_col Interface "$A" error \
    'bfd: not applied.*; ingress_policing_rate: not applied'
show_prints() {
    local out
    out=$("$XSW_CTL" --db="$XT_DB" show) || return 1
    echo "$out" | grep -Eq 'status: .*stp_enable="not applied' &&
    echo "$out" | grep -Eq 'status: .*protected="not applied' &&
    echo "$out" | grep -Eq 'error: ".*ingress_policing_rate: not applied' ||
        { echo "$out"; return 1; }
}
xt_check "xsw-ctl show prints Bridge and Port status and Interface error" \
    show_prints
xt_check "a still pings b" xt_ping a 10.68.0.2
xt_vsctl set Bridge "$BR" stp_enable=false -- clear Bridge "$BR" flood_vlans \
    -- set Port "$A" protected=false -- \
    set Interface "$A" ingress_policing_rate=0 -- \
    remove Interface "$A" bfd enable
xt_check "all removed: no report left" \
    eval 'wait_col_lacks Bridge "$BR" status "not applied" &&
          wait_col_lacks Port "$A" status "not applied" &&
          wait_col Interface "$A" error "^\[\]$"'

# The log says each setting once, not at every reconfiguration; again only
# after it was gone and came back.
count_log() { grep -c "Bridge $BR: stp_enable: not applied" \
              "$XT_TMP/switchd.log"; }
once_then_twice() {
    local n0 n1 n2
    n0=$(count_log)
    xt_vsctl set Bridge "$BR" stp_enable=true
    xt_vsctl add-port "$BR" "${XT}t" -- set Interface "${XT}t" type=internal
    xt_vsctl del-port "${XT}t"
    n1=$(count_log)
    xt_vsctl set Bridge "$BR" stp_enable=false
    xt_vsctl set Bridge "$BR" stp_enable=true
    n2=$(count_log)
    xt_vsctl set Bridge "$BR" stp_enable=false
    echo "logged $n0, then $n1, then $n2 times"
    [ $((n1 - n0)) -eq 1 ] && [ $((n2 - n1)) -eq 1 ]
}
xt_check "the log says a setting once while it stays" once_then_twice

# The Open_vSwitch row has no status column: its settings are said in the
# log, once.
log_has() { grep -q -- "$1" "$XT_TMP/switchd.log"; }
xt_vsctl set Open_vSwitch . other_config:flow-restore-wait=true
xt_check "other_config:flow-restore-wait: said in the log" \
    xt_wait_for 5 log_has \
    "Open_vSwitch: other_config:flow-restore-wait: not applied: xsw-switchd forwards as soon as it starts"
xt_check "and xsw-switchd forwards all the same" xt_ping a 10.68.0.2
xt_vsctl remove Open_vSwitch . other_config flow-restore-wait
xt_vsctl -- --id=@d create Datapath datapath_version=xt \
    -- set Open_vSwitch . datapaths:netdev=@d >/dev/null
xt_check "Datapath rows (conntrack zones): said in the log" \
    xt_wait_for 5 log_has "Open_vSwitch: datapaths: not applied: xsw-switchd has no connection tracking"
xt_vsctl clear Open_vSwitch . datapaths
xt_check "and the log says when they are gone" \
    xt_wait_for 5 log_has "Open_vSwitch datapaths: no longer set anywhere"

# Interface types xsw-switchd cannot make are errors of their own.
xt_vsctl add-port "$BR" "${XT}v" -- set Interface "${XT}v" type=vxlan \
    options:remote_ip=192.0.2.1 >/dev/null 2>&1
xt_check "type=vxlan: an error says it is unsupported, ofport -1" \
    eval 'wait_col Interface "${XT}v" error "unsupported interface type" &&
          col_matches Interface "${XT}v" ofport "^-1$"'
xt_vsctl del-port "${XT}v"
xt_check "a still pings b at the end" xt_ping a 10.68.0.2
xt_done
