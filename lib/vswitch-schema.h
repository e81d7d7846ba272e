/* vswitch-schema.h: the Open_vSwitch schema (schema/vswitch.ovsschema),
 * compiled in, so that xsw-dbserver can create the default database and
 * xsw-ctl can check table and column names wherever the binaries run. */
#ifndef XSW_VSWITCH_SCHEMA_H
#define XSW_VSWITCH_SCHEMA_H 1

extern const char xsw_vswitch_schema[];

#endif /* vswitch-schema.h */
