package dev.ferry.inventory.discovery;

import java.util.Map;

/**
 * libvirt names x86 vendors "Intel" and "AMD"; inventory, like /proc/cpuinfo and XenServer, keeps the CPUID vendor
 * strings, which the CPU_VENDOR rule compares. A discovered host and a typed-in one must agree.
 */
final class Vendors {
    private static final Map<String, String> CPUID = Map.of("intel", "GenuineIntel", "amd", "AuthenticAMD", "hygon", "HygonGenuine");

    private Vendors() {
    }

    static String cpuid(String libvirtVendor) {
        return libvirtVendor == null ? "unknown" : CPUID.getOrDefault(libvirtVendor.toLowerCase(java.util.Locale.ROOT), libvirtVendor);
    }
}
