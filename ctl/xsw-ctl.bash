# bash completion for xsw-ctl.
#
# Completes global and command options, command names, and, after
# commands that take them, bridge, port and interface names (read from the
# database with xsw-ctl itself, honouring a --db given on the line) and
# table names.

_xsw_ctl_commands="init show emer-reset add-br del-br list-br br-exists
br-to-vlan br-to-parent br-set-external-id br-get-external-id list-ports
add-port add-bond del-port port-to-br list-ifaces iface-to-br fdb-show
dpif-show bond-show trace get-controller del-controller set-controller
get-fail-mode del-fail-mode set-fail-mode get-manager del-manager set-manager
get-ssl del-ssl set-ssl comment get list find set add remove clear create
destroy wait-until"

_xsw_ctl_options="--db= --no-wait --retry --timeout= --dry-run --oneline
--format= --data= --no-headings --pretty --bare --columns= --may-exist
--if-exists --with-iface --all --id= --inactivity-probe= --bootstrap
--verbose --verbose= --log-file --log-file= --max-column-width=
--private-key= --certificate= --ca-cert= --commands --options --help
--version"

_xsw_ctl_tables="Open_vSwitch Bridge Port Interface Flow_Table QoS Queue
Mirror Controller Manager NetFlow SSL sFlow IPFIX Flow_Sample_Collector_Set
AutoAttach Datapath CT_Zone CT_Timeout_Policy"

# Runs xsw-ctl with the --db of the line being completed, quietly.
_xsw_ctl_query()
{
    local db="" w
    for w in "${COMP_WORDS[@]}"; do
        case $w in --db=*) db=$w ;; esac
    done
    xsw-ctl ${db:+"$db"} --timeout=2 --no-wait "$@" 2>/dev/null
}

_xsw_ctl()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local i cmd="" nargs=0

    # Find the current command: the first non-option word after the last
    # "--" separator, and how many arguments it has so far.
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --) cmd=""; nargs=0 ;;
            -*) ;;
            *) if [ -z "$cmd" ]; then cmd=${COMP_WORDS[i]}; else
                   nargs=$((nargs + 1)); fi ;;
        esac
    done

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$_xsw_ctl_options" -- "$cur"))
        [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
        return 0
    fi
    if [ -z "$cmd" ]; then
        COMPREPLY=($(compgen -W "$_xsw_ctl_commands" -- "$cur"))
        return 0
    fi

    local words=""
    case $cmd in
        del-br|br-exists|br-to-vlan|br-to-parent|br-set-external-id|\
        br-get-external-id|list-ports|list-ifaces|fdb-show|\
        get-controller|del-controller|set-controller|get-fail-mode|\
        del-fail-mode|trace)
            [ $nargs -eq 0 ] && words=$(_xsw_ctl_query list-br) ;;
        add-port|add-bond)
            [ $nargs -eq 0 ] && words=$(_xsw_ctl_query list-br) ;;
        set-fail-mode)
            if [ $nargs -eq 0 ]; then
                words=$(_xsw_ctl_query list-br)
            elif [ $nargs -eq 1 ]; then
                words="standalone secure"
            fi ;;
        add-br)
            [ $nargs -eq 1 ] && words=$(_xsw_ctl_query list-br) ;;
        del-port)
            if [ $nargs -eq 0 ]; then
                words=$(_xsw_ctl_query list-br)
                words="$words $(_xsw_ctl_query --bare --columns=name list Port)"
            elif [ $nargs -eq 1 ]; then
                words=$(_xsw_ctl_query list-ports "${COMP_WORDS[COMP_CWORD-1]}")
            fi ;;
        port-to-br)
            words=$(_xsw_ctl_query --bare --columns=name list Port) ;;
        iface-to-br)
            words=$(_xsw_ctl_query --bare --columns=name list Interface) ;;
        get|list|find|set|add|remove|clear|create|destroy|wait-until)
            [ $nargs -eq 0 ] && words=$_xsw_ctl_tables ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return 0
}

complete -F _xsw_ctl xsw-ctl
