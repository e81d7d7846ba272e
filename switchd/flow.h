/* flow.h: parsing the headers of an Ethernet frame.
 *
 * The parser reads only what lies within the frame: a truncated header is
 * reported, never read past.  It understands one 802.1Q tag (the outer
 * one, TPID 0x8100), IPv4, IPv6 (without walking extension headers other
 * than none) and the start of TCP and UDP.  Offsets are from the start of
 * the frame; multi-byte values are in host byte order. */
#ifndef XSW_SWITCHD_FLOW_H
#define XSW_SWITCHD_FLOW_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "packet.h"

#define ETH_HEADER_LEN 14
#define VLAN_HEADER_LEN 4
#define ETH_TYPE_IP   0x0800
#define ETH_TYPE_ARP  0x0806
#define ETH_TYPE_VLAN 0x8100
#define ETH_TYPE_IPV6 0x86dd
#define VLAN_VID_MASK 0x0fff
#define VLAN_PCP_MASK 0xe000
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

/* What flow_parse_l2() found. */
struct flow_l2 {
    struct eth_addr dst, src;
    bool vlan_present;       /* An 802.1Q tag follows the MAC addresses. */
    uint16_t vlan_tci;       /* The tag's TCI (PCP, DEI, VID), if present. */
    uint16_t dl_type;        /* Ethertype after the tag, if any. */
    uint16_t l3_ofs;         /* 14, or 18 with a tag. */
};

/* What flow_parse_l4() found, on top of the L2 fields. */
struct flow_l4 {
    uint8_t ip_version;      /* 4, 6, or 0 for neither (or truncated). */
    uint8_t nw_proto;        /* IP protocol (IPv6: the first next-header). */
    bool is_fragment;        /* IPv4 MF or a nonzero offset. */
    uint16_t l4_ofs;         /* Offset of TCP/UDP; 0 if not IP. */
    uint16_t l4_len;         /* Bytes from l4_ofs to the end of the IP
                              * payload (as the IP header says, bounded by
                              * the frame). */
};

/* Parses the Ethernet header (and an 802.1Q tag) of the 'size'-byte frame
 * at 'data'.  Returns false, with '*l2' unspecified, if the frame is too
 * short to hold them. */
static inline bool
flow_parse_l2(const void *data, size_t size, struct flow_l2 *l2)
{
    const uint8_t *p = data;
    uint16_t type;

    if (size < ETH_HEADER_LEN) {
        return false;
    }
    memcpy(&l2->dst, p, ETH_ADDR_LEN);
    memcpy(&l2->src, p + ETH_ADDR_LEN, ETH_ADDR_LEN);
    type = (p[12] << 8) | p[13];
    if (type == ETH_TYPE_VLAN) {
        if (size < ETH_HEADER_LEN + VLAN_HEADER_LEN) {
            return false;
        }
        l2->vlan_present = true;
        l2->vlan_tci = (p[14] << 8) | p[15];
        l2->dl_type = (p[16] << 8) | p[17];
        l2->l3_ofs = ETH_HEADER_LEN + VLAN_HEADER_LEN;
    } else {
        l2->vlan_present = false;
        l2->vlan_tci = 0;
        l2->dl_type = type;
        l2->l3_ofs = ETH_HEADER_LEN;
    }
    return true;
}

/* Parses IPv4/IPv6 and finds the transport header of the frame at 'data'
 * whose L2 headers 'l2' describes.  Always fills in '*l4': ip_version is 0
 * if the frame holds no complete IP header, l4_ofs 0 if there is no
 * complete TCP (20 bytes) or UDP (8 bytes) header. */
void flow_parse_l4(const void *data, size_t size, const struct flow_l2 *l2,
                   struct flow_l4 *l4);

static inline bool
eth_addr_is_multicast(const struct eth_addr *a)
{
    return a->ea[0] & 1;
}

/* Open vSwitch's eth_addr_is_reserved(): the destinations of bridge and
 * link control protocols, which a switch must not forward unless told to
 * (Bridge other_config:forward-bpdu=true): the IEEE 802.1D reserved
 * multicast block 01:80:c2:00:00:00 to 0f (STP, pause frames, LACP,
 * 802.1X, LLDP...), Extreme's EDP and EAPS (00:e0:2b:00:00:00, 04, 06)
 * and Cisco's ISL, CDP/VTP/DTP/PAgP/UDLD, PVST+, UplinkFast and CFM
 * (01:00:0c:00:00:00, cc:cc:cc, cc:cc:cd, cd:cd:cd, cc:cc:c0 to c7).
 * The same 31 addresses as Open vSwitch 3.1's lib/packets.c.  It runs for
 * every frame: all 31 begin with 00 or 01, so a locally administered MAC
 * (containers', VMs', xsw's internal ports'), broadcast or IPv6 multicast
 * is rejected by its first byte (3 instructions in callgrind on
 * bench/dp-microbench; 23 when all six bytes were combined first), the
 * others by their first three. */
static inline bool
eth_addr_is_reserved(const struct eth_addr *a)
{
    const uint8_t *e = a->ea;

    if (__builtin_expect(e[0] > 1, 1)) {
        return false;
    }

    uint32_t oui = (uint32_t) e[0] << 16 | e[1] << 8 | e[2];
    uint32_t nic = (uint32_t) e[3] << 16 | e[4] << 8 | e[5];

    switch (oui) {
    case 0x0180c2:
        return nic <= 0x00000f;
    case 0x00e02b:
        return nic == 0 || nic == 4 || nic == 6;
    case 0x01000c:
        return (nic == 0 || nic == 0xcccccc || nic == 0xcccccd
                || nic == 0xcdcdcd || (nic & ~7u) == 0xccccc0);
    default:
        return false;
    }
}

static inline bool
eth_addr_equals(const struct eth_addr *a, const struct eth_addr *b)
{
    return !memcmp(a, b, sizeof *a);
}

#endif /* flow.h */
