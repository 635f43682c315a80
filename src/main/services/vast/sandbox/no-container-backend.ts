import type { BackendPorts, InstanceBackend, InstanceContainerSpec } from './instance-backend';

/**
 * A backend where nothing runs: each instance gets invented host ports and a few log lines. The
 * Vast state machine around it is the real one, so API behaviour can be tested without Docker and
 * at the scale of hundreds of instances.
 */
export class NoContainerBackend implements InstanceBackend {
  readonly kind = 'none';
  private readonly instances = new Map<
    number,
    { spec: InstanceContainerSpec; ports: Record<string, number>; log: string[] }
  >();
  private nextPort = 20_000;

  async create(spec: InstanceContainerSpec): Promise<BackendPorts> {
    const ports: Record<string, number> = { '22/tcp': this.allocatePort() };
    if (spec.runtype.mode.startsWith('jupyter')) ports['8080/tcp'] = this.allocatePort();
    for (const p of spec.ports) ports[`${p.internal}/${p.protocol}`] ??= this.allocatePort();
    const log = [
      `sandbox: no container backend; instance ${spec.instanceId} is simulated`,
      `sandbox: image ${spec.image}, runtype "${spec.runtype.tokens.join(' ')}"`,
    ];
    if (spec.onstart) log.push(`sandbox: onstart would run: ${spec.onstart.split('\n')[0]}`);
    if (spec.args?.length) log.push(`sandbox: args: ${spec.args.join(' ')}`);
    log.push('sandbox: container started');
    this.instances.set(spec.instanceId, { spec, ports, log });
    return { ports: { ...ports } };
  }

  async start(instanceId: number): Promise<BackendPorts> {
    const entry = this.require(instanceId);
    entry.log.push('sandbox: container started');
    return { ports: { ...entry.ports } };
  }

  async stop(instanceId: number): Promise<void> {
    this.require(instanceId).log.push('sandbox: container stopped');
  }

  async remove(instanceId: number): Promise<void> {
    this.instances.delete(instanceId);
  }

  async logs(instanceId: number, tail: number): Promise<string> {
    const entry = this.instances.get(instanceId);
    if (!entry) return '';
    return `${entry.log.slice(-tail).join('\n')}\n`;
  }

  async addSshKey(instanceId: number, publicKey: string): Promise<void> {
    this.require(instanceId).log.push(`sandbox: ssh key added (${publicKey.split(/\s+/)[0] ?? 'key'})`);
  }

  async dispose(): Promise<void> {
    this.instances.clear();
  }

  private require(instanceId: number) {
    const entry = this.instances.get(instanceId);
    if (!entry) throw new Error(`No such container for instance ${instanceId}`);
    return entry;
  }

  private allocatePort(): number {
    this.nextPort = this.nextPort >= 60_000 ? 20_000 : this.nextPort + 1;
    return this.nextPort;
  }
}
