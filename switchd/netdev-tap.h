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
 * restart of xsw-switchd.  At creation it gets the alias "xsw:NAME", the
 * marker by which a later xsw-switchd recognises it as its own.  It may be
 * moved into another network namespace ("ip link set NAME netns NS"): the
 * open fd keeps working, and open() finds such a device again by searching
 * every namespace (named ones and those of running processes) for a tun
 * device called NAME with that marker, and attaches to it there.  Queries
 * (MAC, MTU, ifindex, link state) are answered from the namespace the
 * device is in *now*.
 *
 * Options understood by open() (all optional, values are strings):
 *   "mac"          MAC address "xx:xx:xx:xx:xx:xx" (Interface column 'mac').
 *                  Without it, a locally administered unicast MAC derived
 *                  from "mac-seed" (or the name), stable across restarts.
 *   "mac-seed"     Any string, e.g. the Interface UUID.
 *   "mtu_request"  MTU to set (Interface column 'mtu_request').
 *
 * Errors from open():
 *   ENAMETOOLONG / EINVAL  bad name or option value.
 *   EEXIST   a device with that name exists and is not a TAP device.
 *   EBUSY    the TAP device is attached to another process.
 *   others   from the kernel (open of /dev/net/tun, ioctls, rtnetlink).
 * with a one-line explanation in netdev_tap_open_error(). */
#ifndef XSW_NETDEV_TAP_H
#define XSW_NETDEV_TAP_H 1

#include <stddef.h>
#include <stdint.h>

struct netdev;
struct shash;

/* The message explaining the last failed open() of a TAP netdev on this
 * thread ("" if it succeeded).  Valid until the next open() on the
 * thread.  (Until netdev.h has a shared channel for it.) */
const char *netdev_tap_open_error(void);

/* Makes 'netdev' (of netdev_tap_class) non-persistent, so that closing it
 * removes the device, wherever it lives.  For deleting a port; a plain
 * close (switchd exiting) leaves the device in place. */
int netdev_tap_unpersist(struct netdev *);

/* Deletes our TAP device 'name' (a tun device with our marker), in
 * whichever namespace it is.  ENODEV if there is none.  It must not be
 * open by this process: use netdev_tap_unpersist() for that. */
int netdev_tap_delete(const char *name);

/* Start-up sweep: stores in '*names' a malloc()ed array of '*n' malloc()ed
 * names of TAP devices marked as xsw's, in any namespace, that are not
 * keys of 'keep' (the configured internal ports; may be NULL).  The caller
 * frees the names and the array, and usually passes each name to
 * netdev_tap_delete(). */
int netdev_tap_list_stale(const struct shash *keep, char ***names,
                          size_t *n);

/* Stores in 'mac' the MAC address a TAP port without a configured 'mac'
 * gets: locally administered, unicast, a function of 'seed' only. */
void netdev_tap_derive_mac(const char *seed, uint8_t mac[6]);

#endif /* netdev-tap.h */
