"""Reading the current throughput-related settings of a host (sysctl, sysfs, ethtool)."""
