package dev.ferry.inventory.api;

/** Kind of storage behind a pool. LOCAL is reachable only from its one host. */
public enum StoragePoolType { NFS, ISCSI, CEPH_RBD, LOCAL }
