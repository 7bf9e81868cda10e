package dev.ferry.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An OCI image archive as a container runtime reads it: index.json names the manifest, the manifest names the
 * config and the layers, each a gzipped tar applied in order over the one before.
 */
final class OciImage {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path archive;
    final String refName;
    final JsonNode config;
    private final Path blobs;
    private final List<Path> layers = new ArrayList<>();

    private OciImage(Path archive, Path unpacked) throws IOException {
        this.archive = archive;
        this.blobs = unpacked.resolve("blobs/sha256");
        JsonNode manifestRef = JSON.readTree(unpacked.resolve("index.json").toFile()).path("manifests").path(0);
        this.refName = manifestRef.path("annotations").path("org.opencontainers.image.ref.name").asText();
        JsonNode manifest = JSON.readTree(blob(manifestRef.path("digest").asText()).toFile());
        this.config = JSON.readTree(blob(manifest.path("config").path("digest").asText()).toFile()).path("config");
        for (JsonNode layer : manifest.path("layers")) {
            layers.add(blob(layer.path("digest").asText()));
        }
    }

    /** Unpacks the archive's blobs into {@code work} (not the layers: see {@link #extractTo}). */
    static OciImage open(Path archive, Path work) throws IOException, InterruptedException {
        Files.createDirectories(work);
        Shell.run("tar", "-xf", archive.toString(), "-C", work.toString());
        return new OciImage(archive, work);
    }

    /**
     * The root file system: every layer in order, owners and modes kept (this needs root, as a runtime does). The
     * first layer (the Debian base, the same in the three images) is extracted once under {@code shared} and linked
     * into each root (cp -al), and the later layers replace files rather than write through those links.
     */
    Path extractTo(Path rootfs, Path shared) throws IOException, InterruptedException {
        Path base = shared.resolve(layers.get(0).getFileName().toString());
        if (!Files.isDirectory(base)) {
            Path partial = shared.resolve(base.getFileName() + ".partial");
            untar(layers.get(0), partial);
            Files.move(partial, base);
        }
        Files.createDirectories(rootfs.getParent());
        Shell.run("cp", "-al", base.toString(), rootfs.toString());
        for (Path layer : layers.subList(1, layers.size())) {
            untar(layer, rootfs);
        }
        return rootfs;
    }

    private static void untar(Path layer, Path into) throws IOException, InterruptedException {
        Files.createDirectories(into);
        // no whiteouts in these layers (nothing is deleted above the base), so plain extraction is exact; GNU tar
        // replaces an existing file (unlink, create) rather than writing through the base's links
        Shell.run("tar", "--numeric-owner", "--warning=no-unknown-keyword", "-xzf", layer.toString(),
                "-C", into.toString());
    }

    List<String> entrypoint() {
        return strings(config.path("Entrypoint"));
    }

    List<String> env() {
        return strings(config.path("Env"));
    }

    List<String> exposedPorts() {
        List<String> ports = new ArrayList<>();
        config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        return ports;
    }

    String user() {
        return config.path("User").asText();
    }

    String workingDir() {
        return config.path("WorkingDir").asText();
    }

    int layerCount() {
        return layers.size();
    }

    private Path blob(String digest) {
        if (!digest.startsWith("sha256:")) {
            throw new IllegalStateException(archive + ": a digest that is not sha256: " + digest);
        }
        return blobs.resolve(digest.substring("sha256:".length()));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
