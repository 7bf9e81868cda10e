package dev.ferry.inventory.model;

import jakarta.persistence.Embeddable;

/** A VM disk on a storage pool. */
@Embeddable
public class Volume {
    public Long poolId;
    public long sizeBytes;
}
