-- Pre-checks and lists read only the rows they need (a VM, the hosts in question, their load): these indexes make
-- each of those reads cost what it returns, not what the fleet holds.
CREATE INDEX vm_by_host ON vm (host_id);
CREATE INDEX host_by_cluster ON host (cluster_id);
CREATE INDEX vm_volume_by_vm ON vm_volume (vm_id);
CREATE INDEX vm_volume_by_pool ON vm_volume (pool_id);
CREATE INDEX vm_nic_by_vm ON vm_nic (vm_id);
CREATE INDEX vm_nic_by_network ON vm_nic (network_id);
CREATE INDEX storage_pool_host_by_host ON storage_pool_host (host_id);
CREATE INDEX network_host_by_host ON network_host (host_id);
