/* netdev-tap.h: internal ports as persistent Linux TAP devices.
 *
 * An internal port (Interface type "internal") is a TAP device opened with
 * IFF_TAP | IFF_NO_PI | IFF_VNET_HDR and TUN_F_CSUM | TUN_F_TSO4 |
 * TUN_F_TSO6, so that the host stack hands it whole 64 KiB TCP packets with
 * partial checksums and takes them back the same way; nothing is segmented
 * or checksummed in software unless the packet leaves through a port that
 * cannot take offloads.  The class's caps are NETDEV_TX_CSUM |
 * NETDEV_TX_TSO.
 *
 * The device is persistent (TUNSETPERSIST): it, and the addresses and
 * routes an administrator or a container put on it, survive a crash or
 * restart of xsw-switchd.  It gets the alias "xsw:NAME:db=OWNER", OWNER
 * being the identity of the database that configured it (the caller's
 * "owner" option: xsw-switchd passes its Open_vSwitch row's UUID): the mark
 * by which a later xsw-switchd on the same database recognises it as its
 * own, and by which every other xsw-switchd on the host (another database)
 * leaves it alone.  It may be moved into another network namespace ("ip
 * link set NAME netns NS"): the open fd keeps working, and open() finds
 * such a device again by searching every namespace (named ones and those
 * of running processes) for a tun device called NAME with our mark, and
 * attaches to it there.  Queries (MAC, MTU, ifindex, link and
 * administrative state) are answered from the namespace the device is in
 * *now*.  open() sets a device in our namespace up; one found in another
 * namespace keeps the administrative state the container gave it.
 *
 * Devices of older versions, marked "xsw:NAME" without an owner, are
 * adopted by open() (they get our mark) when our database asks for NAME,
 * and never deleted by the sweep: nothing says whose they are.
 *
 * Options understood by open() (values are strings):
 *   "owner"        Required: the database's identity (no ':' or spaces).
 *   "mac"          MAC address "xx:xx:xx:xx:xx:xx" (Interface column 'mac').
 *                  Without it, a locally administered unicast MAC derived
 *                  from "mac-seed" (or the name), stable across restarts.
 *   "mac-seed"     Any string, e.g. the Interface UUID.
 *   "mtu_request"  MTU to set (Interface column 'mtu_request').
 *
 * Errors from open():
 *   ENAMETOOLONG / EINVAL  bad name or option value.
 *   EEXIST   a device with that name exists and is not a TAP device, or
 *            is another database's.
 *   EBUSY    the TAP device is attached to another process.
 *   others   from the kernel (open of /dev/net/tun, ioctls, rtnetlink).
 * with a one-line explanation in open()'s '*errorp'. */
#ifndef XSW_NETDEV_TAP_H
#define XSW_NETDEV_TAP_H 1

#include <stddef.h>
#include <stdint.h>

struct netdev;
struct shash;

/* Makes 'netdev' (of netdev_tap_class) non-persistent, so that closing it
 * removes the device, wherever it lives.  For deleting a port; a plain
 * close (switchd exiting) leaves the device in place. */
int netdev_tap_unpersist(struct netdev *);

/* Deletes TAP device 'name' marked with 'owner', in whichever namespace it
 * is.  ENODEV if there is none.  It must not be open by this process: use
 * netdev_tap_unpersist() for that. */
int netdev_tap_delete(const char *name, const char *owner);

/* Start-up sweep: adds to 'stale' the names of TAP devices marked with
 * 'owner', in any namespace, that are not keys of 'keep' (the configured
 * internal ports; may be NULL), and to 'legacy' those of such devices
 * marked by an older xsw without an owner.  Data pointers are NULL.
 * The caller usually passes each stale name to netdev_tap_delete(), and
 * only reports the legacy ones.  EINVAL if 'owner' is empty. */
int netdev_tap_list_stale(const char *owner, const struct shash *keep,
                          struct shash *stale, struct shash *legacy);

/* Stores in 'mac' the MAC address a TAP port without a configured 'mac'
 * gets: locally administered, unicast, a function of 'seed' only. */
void netdev_tap_derive_mac(const char *seed, uint8_t mac[6]);

#endif /* netdev-tap.h */
