-- libvirt's id of the running domain at the last CPU reading (discovery's GuestCpu): new each time the guest starts,
-- so a guest restarted between two reports is not taken for the same hypervisor process. Null where not sent.
ALTER TABLE host_guest ADD COLUMN cpu_domain_id INTEGER;
