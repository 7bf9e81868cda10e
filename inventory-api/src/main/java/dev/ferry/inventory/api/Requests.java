package dev.ferry.inventory.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request bodies of the inventory API, validated before anything is written. */
public final class Requests {
    private Requests() {
    }

    @Schema(example = "{\"name\": \"rack-a\"}")
    public record NewCluster(@NotBlank String name, @Schema(description = VERSION) Long version) {
    }

    @Schema(example = "{\"name\": \"web-apart\", \"kind\": \"APART\", \"vmIds\": [11, 12, 13]}")
    public record NewPlacementRule(@NotBlank String name, @NotNull PlacementKind kind,
            @Schema(description = "The VMs it binds; TOGETHER and APART need two or more") @NotNull @Size(min = 1, max = 1000) Set<@NotNull Long> vmIds,
            @Schema(description = "ON_HOSTS only: the hosts its VMs may run on") @Size(max = 10_000) Set<@NotNull Long> hostIds,
            @Schema(description = VERSION) Long version) {
    }

    /** How every update says which version it changes. */
    public static final String VERSION = "On update: the version you read. If the resource changed since, the update is "
            + "refused with 409 instead of overwriting someone else's change. Ignored on create.";

    @Schema(description = "A hypervisor host", example = """
            {"name": "hv-01", "clusterId": 1, "cpu": {"vendor": "GenuineIntel", "family": 6, "model": 15,
             "modelName": "Intel Xeon 5130", "mhz": 2000, "sockets": 2, "cores": 2},
             "memoryBytes": 68719476736, "hypervisorType": "KVM", "hypervisorVersion": "QEMU 10.0.2",
             "migrationAddress": "10.0.0.11", "linkBandwidthBytesPerSecond": 1250000000,
             "libvirtUri": "qemu+tls://hv-01/system"}""")
    public record NewHost(
            @NotBlank String name,
            @NotNull Long clusterId,
            HostState state,
            @NotNull @Valid Cpu cpu,
            @Positive long memoryBytes,
            @DecimalMin("0.1") Double memoryOvercommit,
            @DecimalMin("0.1") Double cpuOvercommit,
            @NotBlank String hypervisorType,
            @NotBlank String hypervisorVersion,
            @NotBlank String migrationAddress,
            @Positive long linkBandwidthBytesPerSecond,
            @Min(1) @Max(64) Integer maxInboundMigrations,
            @Min(1) @Max(64) Integer maxOutboundMigrations,
            @Schema(description = VERSION) Long version,
            @Schema(description = "Where a worker's libvirt driver reaches the host's libvirtd, for example "
                    + "qemu+tls://hv-01/system; null for a host only simulated or reached over QMP")
            @Size(max = 512) @Pattern(regexp = LIBVIRT_URI, message = "must be a libvirt URI such as qemu+tls://hv-01/system")
            String libvirtUri) {
    }

    @Schema(description = "A host registered by its libvirt URI: a worker asks its libvirtd for the CPU, memory, networks, "
            + "pools and guests, and the host becomes UP once it has answered (state DISCOVERING until then)", example = """
            {"name": "hv-01", "clusterId": 1, "libvirtUri": "qemu+tls://hv-01/system", "migrationAddress": "10.0.0.11",
             "linkBandwidthBytesPerSecond": 1250000000}""")
    public record DiscoverHost(
            @NotBlank String name,
            @NotNull Long clusterId,
            @NotNull @Size(max = 512) @Pattern(regexp = LIBVIRT_URI, message = "must be a libvirt URI such as qemu+tls://hv-01/system")
            String libvirtUri,
            @NotBlank String migrationAddress,
            @Positive long linkBandwidthBytesPerSecond,
            @DecimalMin("0.1") Double memoryOvercommit,
            @DecimalMin("0.1") Double cpuOvercommit,
            @Min(1) @Max(64) Integer maxInboundMigrations,
            @Min(1) @Max(64) Integer maxOutboundMigrations) {
    }

    /** A libvirt URI of the QEMU driver: a transport and host (or none, for the local daemon), then /system or /session. */
    public static final String LIBVIRT_URI = "qemu(\\+(tls|tcp|ssh|unix|libssh2|libssh))?://[A-Za-z0-9.\\-:\\[\\]@_]*/(system|session)(\\?[^\\s]*)?";

    @Schema(description = "CPU of a host; vendor and family decide migration compatibility, speed does not; "
            + "flags are the features it offers (as in /proc/cpuinfo)")
    public record Cpu(@NotBlank String vendor, @PositiveOrZero int family, @PositiveOrZero int model,
            @NotBlank String modelName, @Positive int mhz, @Positive int sockets, @Positive int cores,
            Set<@NotBlank String> flags) {
    }

    @Schema(description = "What a VM needs of its host's CPU. Vendor and family default to those of the host it runs on; "
            + "a named model (e.g. Westmere) is kept for the record, its features are what is checked.",
            example = "{\"vendor\": \"GenuineIntel\", \"family\": 6, \"modelName\": \"Westmere\", \"features\": [\"sse4_2\", \"aes\"]}")
    public record CpuRequirement(String vendor, @PositiveOrZero Integer family, String modelName,
            Set<@NotBlank String> features) {
    }

    @Schema(example = "{\"state\": \"MAINTENANCE\"}")
    public record HostStateChange(@NotNull HostState state) {
    }

    @Schema(example = "{\"name\": \"nfs-primary\", \"type\": \"NFS\", \"scope\": \"CLUSTER\", \"capacityBytes\": 10995116277760, \"hostIds\": [1, 2, 3]}")
    public record NewStoragePool(@NotBlank String name, @NotNull StoragePoolType type, @NotNull StorageScope scope,
            @Positive long capacityBytes, @NotNull @Size(max = 10_000) Set<@NotNull Long> hostIds, @Schema(description = VERSION) Long version) {
    }

    @Schema(example = "{\"name\": \"guest-100\", \"vlan\": 100, \"hostIds\": [1, 2, 3]}")
    public record NewNetwork(@NotBlank String name, @Min(1) @Max(4094) Integer vlan, String bridge,
            @NotNull @Size(max = 10_000) Set<@NotNull Long> hostIds, @Schema(description = VERSION) Long version) {
    }

    @Schema(example = """
            {"name": "web-1", "memoryBytes": 4294967296, "vcpus": 2, "hostId": 1,
             "volumes": [{"poolId": 1, "sizeBytes": 21474836480}], "networkIds": [1],
             "cpu": {"features": ["sse4_2"]}}""")
    public record NewVm(@NotBlank String name, @Positive long memoryBytes, @Positive @Max(512) int vcpus,
            @NotNull Long hostId, @NotNull List<@NotNull @Valid NewVolume> volumes, @NotNull Set<@NotNull Long> networkIds,
            @Valid CpuRequirement cpu, VmState state, @Schema(description = VERSION) Long version) {
    }

    public record NewVolume(@NotNull Long poolId, @Positive long sizeBytes) {
    }

    @Schema(example = "{\"hostIds\": [2, 3]}")
    public record CompatibilityQuery(@NotEmpty @Size(max = InventoryApi.MAX_PAGE_SIZE) List<@NotNull Long> hostIds) {
    }

    @Schema(example = "{\"migrationId\": \"7d8e2f5c-2f61-4a7e-9a63-2c1a9d7c6a10\", \"vmId\": 1, \"hostId\": 2, \"ttlSeconds\": 900}")
    public record NewReservation(@NotNull UUID migrationId, @NotNull Long vmId, @NotNull Long hostId,
            @Min(10) @Max(86400) Integer ttlSeconds) {
    }

    @Schema(example = "{\"reason\": \"migration cancelled by operator\"}")
    public record Release(String reason) {
    }
}
