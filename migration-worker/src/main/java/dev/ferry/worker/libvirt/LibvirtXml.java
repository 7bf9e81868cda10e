package dev.ferry.worker.libvirt;

import dev.ferry.events.HostReport;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Reads what discovery needs out of libvirt's XML: the host CPU of {@code virConnectGetCapabilities}, a domain's
 * CPU definition, architecture, machine type and virtualisation type (the arguments of libvirt's hypervisor CPU
 * comparison), and the disks and networks a domain's devices need. Pure: XML in, values out; a document that lacks an element gives defaults, not errors.
 */
public final class LibvirtXml {
    private LibvirtXml() {
    }

    /** The host CPU as the capabilities describe it; topology and speed come from node info (not in the XML). */
    public static HostReport.Cpu hostCpu(String capabilitiesXml, int mhz) {
        Element cpu = first(parse(capabilitiesXml).getDocumentElement(), "host", "cpu");
        if (cpu == null) {
            return new HostReport.Cpu("unknown", "unknown", 0, 0, 0, 0, 0, mhz, List.of());
        }
        Element signature = first(cpu, "signature");
        Element topology = first(cpu, "topology");
        List<String> features = new ArrayList<>();
        NodeList list = cpu.getElementsByTagName("feature");
        for (int i = 0; i < list.getLength(); i++) {
            features.add(((Element) list.item(i)).getAttribute("name"));
        }
        return new HostReport.Cpu(text(cpu, "vendor", "unknown"), text(cpu, "model", "unknown"), number(signature, "family"),
                number(signature, "model"), number(topology, "sockets"), number(topology, "cores"), number(topology, "threads"), mhz,
                features);
    }

    /** What libvirt's hypervisor CPU comparison needs of a guest: its CPU element and where it runs. */
    public record GuestCpu(String cpuXml, String arch, String machine, String virtType) {
    }

    /**
     * A domain's CPU definition as an XML fragment, with its architecture, machine and domain type. A domain without
     * a {@code <cpu>} element runs QEMU's default model; a host-passthrough CPU cannot be compared (null cpuXml).
     */
    public static GuestCpu guestCpu(String domainXml) {
        Element domain = parse(domainXml).getDocumentElement();
        Element type = first(domain, "os", "type");
        String arch = type == null ? null : blankToNull(type.getAttribute("arch"));
        String machine = type == null ? null : blankToNull(type.getAttribute("machine"));
        Element cpu = first(domain, "cpu");
        String cpuXml;
        if (cpu == null) {
            cpuXml = "<cpu><model>qemu64</model></cpu>";
        } else if ("host-passthrough".equals(cpu.getAttribute("mode")) || "maximum".equals(cpu.getAttribute("mode"))) {
            cpuXml = null;
        } else {
            cpuXml = serialise(cpu);
        }
        return new GuestCpu(cpuXml, arch, machine, blankToNull(domain.getAttribute("type")));
    }

    /**
     * What a guest's devices ask of a host. A disk is a file or block device by path, or a volume of a named pool;
     * a NIC is plugged into a libvirt network or a host interface (a bridge, or a device for macvtap). {@code unchecked}
     * names what no libvirt call can confirm for another host (a network disk: whether the host reaches a Ceph or
     * iSCSI server is not libvirt's knowledge), so that the answer can say so.
     */
    public record GuestDevices(List<Disk> disks, List<String> networks, List<String> interfaces, List<String> unchecked) {
    }

    /** A disk by path ({@code pool} null), or by pool and volume ({@code path} null). */
    public record Disk(String path, String pool, String volume) {
        public String describe() {
            return path != null ? path : "volume " + volume + " of pool " + pool;
        }
    }

    /** The disks and NICs of a domain; an empty CD-ROM drive and a user-mode NIC ask nothing of a host. */
    public static GuestDevices guestDevices(String domainXml) {
        Element devices = first(parse(domainXml).getDocumentElement(), "devices");
        List<Disk> disks = new ArrayList<>();
        List<String> networks = new ArrayList<>();
        List<String> interfaces = new ArrayList<>();
        List<String> unchecked = new ArrayList<>();
        for (Element disk : children(devices, "disk")) {
            Element source = first(disk, "source");
            if (source == null) {
                continue;
            }
            switch (disk.getAttribute("type")) {
                case "file" -> addIfSet(disks, source.getAttribute("file"));
                case "block" -> addIfSet(disks, source.getAttribute("dev"));
                case "dir" -> addIfSet(disks, source.getAttribute("dir"));
                case "volume" -> disks.add(new Disk(null, source.getAttribute("pool"), source.getAttribute("volume")));
                default -> unchecked.add(disk.getAttribute("type") + " disk " + source.getAttribute("protocol") + ":" + source.getAttribute("name"));
            }
        }
        for (Element nic : children(devices, "interface")) {
            Element source = first(nic, "source");
            String type = nic.getAttribute("type");
            if (source != null && "network".equals(type)) {
                networks.add(source.getAttribute("network"));
            } else if (source != null && "bridge".equals(type)) {
                interfaces.add(source.getAttribute("bridge"));
            } else if (source != null && "direct".equals(type)) {
                interfaces.add(source.getAttribute("dev"));
            }
        }
        return new GuestDevices(disks, networks, interfaces, unchecked);
    }

    private static void addIfSet(List<Disk> disks, String path) {
        if (!path.isBlank()) {
            disks.add(new Disk(path, null, null));
        }
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element child && child.getTagName().equals(name)) {
                out.add(child);
            }
        }
        return out;
    }

    /** A storage pool's type ({@code <pool type='dir'>}, 'netfs', 'rbd', ...). */
    public static String poolType(String poolXml) {
        String type = parse(poolXml).getDocumentElement().getAttribute("type");
        return type.isBlank() ? "unknown" : type;
    }

    private static Document parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalArgumentException("libvirt's XML does not parse: " + e.getMessage(), e);
        }
    }

    private static String serialise(Element e) {
        try {
            var t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter out = new StringWriter();
            t.transform(new DOMSource(e), new StreamResult(out));
            return out.toString();
        } catch (Exception ex) {
            throw new IllegalArgumentException("cannot write a CPU element back: " + ex.getMessage(), ex);
        }
    }

    /** The first descendant along a path of direct children, or null. */
    private static Element first(Element from, String... path) {
        Element at = from;
        for (String name : path) {
            Element next = null;
            for (Node n = at.getFirstChild(); n != null && next == null; n = n.getNextSibling()) {
                if (n instanceof Element child && child.getTagName().equals(name)) {
                    next = child;
                }
            }
            if (next == null) {
                return null;
            }
            at = next;
        }
        return at;
    }

    private static String text(Element parent, String child, String fallback) {
        Element e = first(parent, child);
        return e == null || e.getTextContent().isBlank() ? fallback : e.getTextContent().trim();
    }

    private static int number(Element e, String attribute) {
        if (e == null) {
            return 0;
        }
        try {
            return Integer.parseInt(e.getAttribute(attribute));
        } catch (NumberFormatException notThere) {
            return 0;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
