/* vlan.c: VLAN settings and 802.1Q tag push/pop. */
#include <config.h>
#include "vlan.h"

#include <errno.h>
#include <string.h>

static void
trunks_set(struct vlan_config *vc, uint16_t vlan, bool on)
{
    if (on) {
        vc->trunks[vlan / 64] |= UINT64_C(1) << (vlan % 64);
    } else {
        vc->trunks[vlan / 64] &= ~(UINT64_C(1) << (vlan % 64));
    }
}

int
vlan_config_init(struct vlan_config *vc, const char *mode, int tag,
                 const int64_t *trunks, size_t n_trunks)
{
    size_t n_valid = 0;

    memset(vc, 0, sizeof *vc);
    if (tag < -1 || tag >= VLAN_N_VIDS) {
        return EINVAL;
    }
    if (!mode) {
        vc->mode = tag >= 0 ? VLAN_MODE_ACCESS : VLAN_MODE_TRUNK;
    } else if (!strcmp(mode, "access")) {
        vc->mode = VLAN_MODE_ACCESS;
    } else if (!strcmp(mode, "trunk")) {
        vc->mode = VLAN_MODE_TRUNK;
    } else if (!strcmp(mode, "native-tagged")) {
        vc->mode = VLAN_MODE_NATIVE_TAGGED;
    } else if (!strcmp(mode, "native-untagged")) {
        vc->mode = VLAN_MODE_NATIVE_UNTAGGED;
    } else {
        return EINVAL;
    }
    /* OVS: an access or native port without a tag uses VLAN 0; a trunk
     * ignores its tag. */
    vc->tag = vc->mode == VLAN_MODE_TRUNK || tag < 0 ? 0 : tag;
    if (vc->mode == VLAN_MODE_ACCESS) {
        return 0;
    }

    for (size_t i = 0; i < n_trunks; i++) {
        if (trunks[i] >= 0 && trunks[i] < VLAN_N_VIDS) {
            trunks_set(vc, trunks[i], true);
            n_valid++;
        }
    }
    if (!n_valid) {
        memset(vc->trunks, 0xff, sizeof vc->trunks);
    }
    if (vc->mode != VLAN_MODE_TRUNK && vc->tag) {
        /* As ofproto-dpif's bundle_set(): a native port always trunks its
         * native VLAN and never VLAN 0. */
        trunks_set(vc, vc->tag, true);
        trunks_set(vc, 0, false);
    }
    return 0;
}

static void
ol_shift(struct dp_packet *p, int delta)
{
    if (p->ol.flags & DP_PACKET_OL_NEEDS_CSUM) {
        p->ol.csum_start += delta;
    }
    if (p->ol.hdr_len) {
        p->ol.hdr_len += delta;
    }
}

bool
vlan_packet_set_vid(struct dp_packet *p, const struct flow_l2 *l2,
                    uint16_t vid)
{
    uint8_t *d = dp_packet_data(p);
    uint16_t tci;

    if (l2->vlan_present) {
        if (vid) {
            tci = (l2->vlan_tci & ~VLAN_VID_MASK) | vid;
            d[14] = tci >> 8;
            d[15] = tci;
        } else {
            memmove(d + VLAN_HEADER_LEN, d, 2 * ETH_ADDR_LEN);
            dp_packet_pull(p, VLAN_HEADER_LEN);
            ol_shift(p, -VLAN_HEADER_LEN);
        }
    } else if (vid) {
        if (dp_packet_headroom(p) < VLAN_HEADER_LEN) {
            return false;
        }
        d = dp_packet_push_uninit(p, VLAN_HEADER_LEN);
        memmove(d, d + VLAN_HEADER_LEN, 2 * ETH_ADDR_LEN);
        d[12] = ETH_TYPE_VLAN >> 8;
        d[13] = ETH_TYPE_VLAN & 0xff;
        d[14] = vid >> 8;
        d[15] = vid;
        ol_shift(p, VLAN_HEADER_LEN);
    }
    return true;
}
