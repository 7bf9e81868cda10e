package dev.ferry.worker.libvirt;

import dev.ferry.events.HostReport;
import dev.ferry.worker.libvirt.LibvirtXml.Disk;
import dev.ferry.worker.libvirt.LibvirtXml.GuestDevices;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.libvirt.Connect;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * Asks other hosts' libvirtd whether they could run a guest's devices, for the STORAGE_REACHABLE and NETWORKS_CARRIED
 * pre-checks: is every disk in one of the host's active storage pools (by path, as a live migration without storage copy
 * needs the very same path), is every libvirt network defined and active, is every bridge or macvtap device there.
 * libvirt answers for what it manages; where a host's libvirtd has no storage (or network, or interface) driver, the
 * answer is "cannot say", never a guess.
 */
final class PeerReach {
    private PeerReach() {
    }

    enum State { REACHES, REFUSES, CANNOT_SAY }

    /** One host's answer about one device, or about all of a kind: refused with the reason, or not known. */
    record Answer(State state, String reason) {
        static final Answer REACHES = new Answer(State.REACHES, null);

        static Answer refuses(String reason) {
            return new Answer(State.REFUSES, reason);
        }

        static Answer cannotSay(String reason) {
            return new Answer(State.CANNOT_SAY, reason);
        }

        /** The first refusal decides; otherwise any device nobody could confirm leaves the whole unknown. */
        static Answer all(List<Answer> answers) {
            Answer unknown = null;
            for (Answer a : answers) {
                if (a.state == State.REFUSES) {
                    return a;
                }
                if (a.state == State.CANNOT_SAY && unknown == null) {
                    unknown = a;
                }
            }
            return unknown == null ? REACHES : unknown;
        }
    }

    /** Who of {@code peers} (connected, by host id) reaches the guest's disks and carries its networks. */
    static HostReport.Reach ask(GuestDevices devices, Map<Long, Connect> peers) {
        List<Long> disksYes = new ArrayList<>();
        List<HostReport.Refusal> disksNo = new ArrayList<>();
        List<Long> networksYes = new ArrayList<>();
        List<HostReport.Refusal> networksNo = new ArrayList<>();
        peers.forEach((id, peer) -> {
            List<Answer> disks = new ArrayList<>(devices.disks().stream().map(d -> disk(peer, d)).toList());
            devices.unchecked().forEach(u -> disks.add(Answer.cannotSay(u + ": libvirt cannot tell whether a host reaches it")));
            sort(id, Answer.all(disks), disksYes, disksNo);
            List<Answer> nics = new ArrayList<>(devices.networks().stream().map(n -> network(peer, n)).toList());
            devices.interfaces().forEach(i -> nics.add(hostInterface(peer, i)));
            sort(id, Answer.all(nics), networksYes, networksNo);
        });
        return new HostReport.Reach(disksYes, disksNo, networksYes, networksNo);
    }

    private static void sort(long peer, Answer a, List<Long> yes, List<HostReport.Refusal> no) {
        if (a.state() == State.REACHES) {
            yes.add(peer);
        } else if (a.state() == State.REFUSES) {
            no.add(new HostReport.Refusal(peer, a.reason()));
        }
    }

    static Answer disk(Connect peer, Disk d) {
        try {
            if (d.path() != null) {
                peer.storageVolLookupByPath(d.path()).free();
                return Answer.REACHES;
            }
            StoragePool pool = peer.storagePoolLookupByName(d.pool());
            try {
                if (pool.isActive() != 1) {
                    return Answer.refuses("storage pool " + d.pool() + " is defined but not active");
                }
                pool.storageVolLookupByName(d.volume()).free();
                return Answer.REACHES;
            } finally {
                pool.free();
            }
        } catch (LibvirtException e) {
            return switch (code(e)) {
                case VIR_ERR_NO_STORAGE_VOL -> Answer.refuses("no active storage pool holds disk " + d.describe());
                case VIR_ERR_NO_STORAGE_POOL -> Answer.refuses("no storage pool " + d.pool() + " for disk " + d.describe());
                case VIR_ERR_NO_SUPPORT -> Answer.cannotSay("its libvirtd manages no storage");
                default -> Answer.cannotSay("asking for disk " + d.describe() + " failed: " + e.getMessage());
            };
        }
    }

    static Answer network(Connect peer, String name) {
        try {
            var network = peer.networkLookupByName(name);
            try {
                return network.isActive() == 1 ? Answer.REACHES : Answer.refuses("network " + name + " is defined but not active");
            } finally {
                network.free();
            }
        } catch (LibvirtException e) {
            return switch (code(e)) {
                case VIR_ERR_NO_NETWORK -> Answer.refuses("no libvirt network " + name);
                case VIR_ERR_NO_SUPPORT -> Answer.cannotSay("its libvirtd manages no networks");
                default -> Answer.cannotSay("asking for network " + name + " failed: " + e.getMessage());
            };
        }
    }

    static Answer hostInterface(Connect peer, String name) {
        try {
            peer.interfaceLookupByName(name).free();
            return Answer.REACHES;
        } catch (LibvirtException e) {
            return switch (code(e)) {
                case VIR_ERR_NO_INTERFACE -> Answer.refuses("no host interface " + name);
                case VIR_ERR_NO_SUPPORT -> Answer.cannotSay("its libvirtd has no interface driver to ask for " + name);
                default -> Answer.cannotSay("asking for interface " + name + " failed: " + e.getMessage());
            };
        }
    }

    private static ErrorNumber code(LibvirtException e) {
        return e.getError() == null ? ErrorNumber.VIR_ERR_UNKNOWN : e.getError().getCode();
    }
}
