package dev.ferry.images;

import dev.ferry.platform.Supervised;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An extracted image run the way a container runtime runs it, with what this machine has (no Docker): a mount
 * namespace of its own with /proc, /dev and the host's /etc/hosts mounted in the root file system (the JVM finds
 * its own libraries through /proc/self/exe), then chroot as the image's user, in its working directory, with only
 * the image's environment plus what the caller adds. The network is the host's, as with --network=host. Needs root.
 * The mounts live only in that namespace: they end with the process, and the host never sees them.
 */
final class Container {

    private static final String SETUP = "R=\"$1\"; U=\"$2\"; shift 2; "
            + "mount -t proc proc \"$R/proc\" && mount --rbind /dev \"$R/dev\" && mount --bind /etc/hosts \"$R/etc/hosts\" "
            + "|| exit 125; exec chroot --userspec=\"$U\" \"$R\" /usr/bin/env -i \"$@\"";

    private final OciImage image;
    private final Path rootfs;

    Container(OciImage image, Path rootfs) throws IOException {
        this.image = image;
        this.rootfs = rootfs;
        Path hosts = rootfs.resolve("etc/hosts");
        if (!Files.exists(hosts)) {
            Files.createFile(hosts); // the mount point for the host's, as a runtime provides it
        }
    }

    /** The image's entrypoint, supervised, its output in {@code log}. */
    Supervised start(String name, Map<String, String> env, Path log) throws IOException {
        return Supervised.start(name, command(env, image.entrypoint()), Map.of(), log, false, "java");
    }

    /** Another command in the image, as its user (docker run --entrypoint). */
    Shell.Result exec(String... command) throws IOException, InterruptedException {
        return Shell.result(command(Map.of(), List.of(command)).toArray(String[]::new));
    }

    private List<String> command(Map<String, String> env, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", SETUP,
                "container", rootfs.toString(), userspec(), "-C", image.workingDir(), "HOME=" + home()));
        cmd.addAll(image.env());
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(command);
        return cmd;
    }

    /** uid:gid, the group from the image's /etc/passwd as a runtime takes it (0 when the user has no entry). */
    private String userspec() throws IOException {
        return image.user() + ":" + passwd().map(f -> f[3]).orElse("0");
    }

    private String home() throws IOException {
        return passwd().map(f -> f[5]).orElse("/");
    }

    private java.util.Optional<String[]> passwd() throws IOException {
        return Files.readAllLines(rootfs.resolve("etc/passwd")).stream().map(l -> l.split(":"))
                .filter(f -> f.length >= 7 && (f[2].equals(image.user()) || f[0].equals(image.user()))).findFirst();
    }
}
