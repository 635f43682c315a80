import type { VastInstanceData } from './schemas';

export interface SshEndpointData {
  host: string;
  port: number;
  user: 'root';
  kind: 'direct' | 'proxy';
  url: string;
}

/**
 * Exactly `vastai ssh-url`: direct when `ports["22/tcp"]` exists (public_ipaddr + its HostPort),
 * else the proxy `ssh_host:ssh_port`, plus one for jupyter runtypes (the proxy's port for a jupyter
 * instance is the one after the listed one). The user is always root.
 */
export function sshEndpoint(instance: VastInstanceData): SshEndpointData | null {
  const direct = instance.ports?.['22/tcp']?.[0];
  if (direct && instance.public_ipaddr && direct.HostPort !== null && direct.HostPort !== undefined) {
    const port = Number(direct.HostPort);
    if (Number.isInteger(port) && port > 0) return make(instance.public_ipaddr.trim(), port, 'direct');
  }
  if (instance.ssh_host && instance.ssh_port !== null && instance.ssh_port !== undefined) {
    let port = Number(instance.ssh_port);
    if (!Number.isInteger(port) || port <= 0) return null;
    if ((instance.image_runtype ?? '').includes('jupyter')) port += 1;
    return make(instance.ssh_host.trim(), port, 'proxy');
  }
  return null;
}

function make(host: string, port: number, kind: 'direct' | 'proxy'): SshEndpointData {
  return { host, port, user: 'root', kind, url: `ssh://root@${host}:${port}` };
}
