# The switch's schema: database Open_vSwitch, with Open vSwitch 3.1's table
# and column names, types and constraints, so that its clients work as is.
dist_pkgdata_DATA += schema/vswitch.ovsschema
