package dev.ferry.inventory.api;

/** How widely a pool is shared, as CloudStack scopes it. */
public enum StorageScope { ZONE, CLUSTER, HOST }
