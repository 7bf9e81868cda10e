package dev.ferry.inventory.api;

/** Power state of a VM. Only RUNNING VMs live-migrate. */
public enum VmState { RUNNING, STOPPED, PAUSED }
