/* vlan.h: 802.1Q VLANs as Open vSwitch's Port table describes them.
 *
 * A port's 'vlan_mode' decides which VLAN a received frame belongs to and
 * how a frame of a given VLAN leaves (ovs-vswitchd.conf.db(5), and what
 * ofproto-dpif-xlate does):
 *
 *   mode             in: untagged/VID 0   in: VID v        out: VLAN v
 *   access (tag t)   VLAN t               dropped          untagged, v == t
 *   trunk            VLAN 0 if 0 trunked  v if trunked     tagged v (v == 0:
 *                                                           untagged)
 *   native-tagged    VLAN t               v if trunked     tagged v
 *   native-untagged  VLAN t               v if trunked     untagged if v == t,
 *                                                           else tagged v
 *
 * "Trunked" means listed in 'trunks', an empty list meaning every VLAN.
 * A native port always carries its native VLAN t and never VLAN 0.  A frame
 * tagged with VID 0 (priority-tagged) counts as untagged.  Without an
 * explicit mode, a port with a tag is an access port, otherwise a trunk.
 * A port carries VLAN v on output if it is its access/native VLAN or, for
 * non-access ports, trunked. */
#ifndef XSW_SWITCHD_VLAN_H
#define XSW_SWITCHD_VLAN_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flow.h"
#include "packet.h"

#define VLAN_N_VIDS 4096

enum vlan_mode {
    VLAN_MODE_ACCESS,
    VLAN_MODE_TRUNK,
    VLAN_MODE_NATIVE_TAGGED,
    VLAN_MODE_NATIVE_UNTAGGED,
};

/* A port's VLAN settings, resolved: 'trunks' is the set of VLANs the port
 * carries tagged (or, for a trunk, untagged as VLAN 0), after the rules
 * above are applied, so that the fast path only tests bits. */
struct vlan_config {
    enum vlan_mode mode;
    uint16_t tag;                             /* Access or native VLAN. */
    uint64_t trunks[VLAN_N_VIDS / 64];        /* Unused for access ports. */
};

/* Builds '*vc' from the Port columns: 'mode' is the vlan_mode string
 * ("access", "trunk", "native-tagged", "native-untagged") or NULL if
 * unset; 'tag' is the tag column or -1 if unset; 'trunks' lists 'n_trunks'
 * VLANs (out-of-range values are ignored, as OVS does).  Returns 0, or
 * EINVAL for an unknown mode or a tag outside 0..4095. */
int vlan_config_init(struct vlan_config *vc, const char *mode, int tag,
                     const int64_t *trunks, size_t n_trunks);

static inline bool
vlan_config_trunks(const struct vlan_config *vc, uint16_t vlan)
{
    return (vc->trunks[vlan / 64] >> (vlan % 64)) & 1;
}

/* Decides the VLAN of a frame received on a port with settings 'vc' whose
 * 802.1Q tag (if 'tagged') carries 'vid'.  Returns false if the port does
 * not accept it, otherwise true with '*vlan' set. */
static inline bool
vlan_input(const struct vlan_config *vc, bool tagged, uint16_t vid,
           uint16_t *vlan)
{
    vid = tagged ? vid & VLAN_VID_MASK : 0;
    switch (vc->mode) {
    case VLAN_MODE_ACCESS:
        *vlan = vc->tag;
        return vid == 0;
    case VLAN_MODE_NATIVE_TAGGED:
    case VLAN_MODE_NATIVE_UNTAGGED:
        if (!vid) {
            *vlan = vc->tag;
            return true;
        }
        /* Fall through. */
    case VLAN_MODE_TRUNK:
    default:
        *vlan = vid;
        return vlan_config_trunks(vc, vid);
    }
}

/* Does a port with settings 'vc' carry 'vlan' on output? */
static inline bool
vlan_includes(const struct vlan_config *vc, uint16_t vlan)
{
    return vc->mode == VLAN_MODE_ACCESS
           ? vlan == vc->tag
           : vlan_config_trunks(vc, vlan);
}

/* The VID a frame of 'vlan' leaves a port with settings 'vc' with, 0
 * meaning untagged.  Only for a VLAN the port includes. */
static inline uint16_t
vlan_output_vid(const struct vlan_config *vc, uint16_t vlan)
{
    switch (vc->mode) {
    case VLAN_MODE_ACCESS:
        return 0;
    case VLAN_MODE_NATIVE_UNTAGGED:
        return vlan == vc->tag ? 0 : vlan;
    case VLAN_MODE_TRUNK:
    case VLAN_MODE_NATIVE_TAGGED:
    default:
        return vlan;
    }
}

/* Makes the frame in 'p', whose tag is as 'l2' describes, carry VID 'vid'
 * (0: no tag).  A tag already present keeps its priority bits.  Pushing
 * a tag uses 4 bytes of headroom; offload offsets follow the move.
 * Returns false (changing nothing) if there is no headroom for a tag. */
bool vlan_packet_set_vid(struct dp_packet *p, const struct flow_l2 *l2,
                         uint16_t vid);

#endif /* vlan.h */
