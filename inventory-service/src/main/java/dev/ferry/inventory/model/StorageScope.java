package dev.ferry.inventory.model;

/** How widely a pool is shared, as CloudStack scopes it. */
public enum StorageScope { ZONE, CLUSTER, HOST }
