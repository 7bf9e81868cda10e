package dev.ferry.support;

/** Bounds of every paged list, so that page times size can never overflow the offset the database is asked for. */
public final class Pages {
    /** The highest page number a list accepts: with the largest page size (5,000) still far below 2^31 rows. */
    public static final int MAX_PAGE = 100_000;

    private Pages() {
    }
}
