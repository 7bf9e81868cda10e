-- Where the worker's libvirt driver reaches a host's libvirtd (qemu+tls://hv-01/system); null for a host that is only
-- simulated or reached over QMP.
ALTER TABLE host ADD COLUMN libvirt_uri TEXT;
