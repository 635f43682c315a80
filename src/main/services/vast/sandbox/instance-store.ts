import { randomBytes } from 'node:crypto';
import { splitEnvObject } from '../env-flags';
import type { ParsedRuntype } from '../runtype';
import type { InstanceBackend } from './instance-backend';

export type ActualStatus = null | 'created' | 'loading' | 'running' | 'stopped' | 'exited' | 'rebooting';

export interface SandboxTimings {
  /** How long actual_status stays null (provisioning) after create, ms. */
  provisionMs: number;
  /** Minimum time in `loading`, ms (the backend may take longer). */
  loadingMs: number;
  /** Time a stop, start or reboot takes, ms. */
  transitionMs: number;
}

export const DEFAULT_TIMINGS: SandboxTimings = { provisionMs: 1000, loadingMs: 3000, transitionMs: 1000 };

export interface NewInstance {
  offer: Record<string, unknown>;
  image: string;
  runtype: ParsedRuntype;
  runtypeText: string;
  env: Record<string, string>;
  args: string[] | null;
  onstart: string | null;
  diskGb: number;
  label: string | null;
  priceBid: number | null;
  templateHashId: string | null;
  templateId: number | null;
  sshPublicKeys: string[];
  stuckLoading: boolean;
  failImagePull: boolean;
}

interface InstanceRecord extends NewInstance {
  id: number;
  createdAt: number;
  actual: ActualStatus;
  intended: 'running' | 'stopped';
  statusMsg: string | null;
  hostPorts: Record<string, number> | null;
  /** Epoch seconds of the last transition to running. */
  startDate: number;
  runningSince: number | null;
  runningSeconds: number;
  jupyterToken: string;
  instanceApiKey: string;
  sshIdx: string;
  instanceKeys: { id: number; name: string; public_key: string }[];
  /** The backend has made the container (a stop or destroy may race a create). */
  containerCreated: boolean;
  generation: number;
  timers: Set<NodeJS.Timeout>;
}

/**
 * The sandbox's instances and their Vast-side state machine: null → loading → running, stop,
 * start, reboot, destroy; with the fields and quirks of reference/vast-api.md §3 (ports only
 * while running with string HostPorts, extra_env as pairs, -1 direct ports when none…).
 */
export class InstanceStore {
  private readonly instances = new Map<number, InstanceRecord>();
  private nextId: number;
  private spentBefore = 0;
  private nextKeyId = 900_000;

  constructor(
    private readonly backend: InstanceBackend,
    private readonly timings: SandboxTimings,
    firstId = 30_000_000 + Math.floor(Math.random() * 1_000_000),
  ) {
    this.nextId = firstId;
  }

  create(input: NewInstance): InstanceRecord {
    const id = this.nextId++;
    const now = Date.now() / 1000;
    const rec: InstanceRecord = {
      ...input,
      id,
      createdAt: now,
      actual: null,
      intended: 'running',
      statusMsg: null,
      hostPorts: null,
      startDate: now,
      runningSince: null,
      runningSeconds: 0,
      jupyterToken: randomBytes(32).toString('hex'),
      instanceApiKey: randomBytes(32).toString('hex'),
      sshIdx: String(1 + (id % 9)),
      instanceKeys: [],
      containerCreated: false,
      generation: 0,
      timers: new Set(),
    };
    this.instances.set(id, rec);
    this.after(rec, this.timings.provisionMs, () => this.load(rec));
    return rec;
  }

  get(id: number): InstanceRecord | undefined {
    return this.instances.get(id);
  }

  all(): InstanceRecord[] {
    return [...this.instances.values()];
  }

  /** Money spent so far by all instances, destroyed ones included ($). */
  spent(nowMs = Date.now()): number {
    let total = this.spentBefore;
    for (const rec of this.instances.values()) total += costOf(rec, nowMs / 1000);
    return total;
  }

  async stop(rec: InstanceRecord): Promise<void> {
    rec.intended = 'stopped';
    const gen = this.bump(rec);
    this.markNotRunning(rec);
    if (rec.actual === null || rec.actual === 'exited') {
      rec.actual = rec.actual ?? 'stopped';
      return;
    }
    this.after(rec, this.timings.transitionMs, async () => {
      try {
        await this.backend.stop(rec.id);
      } catch {
        // A container that is already gone is stopped enough.
      }
      if (gen !== rec.generation) return;
      rec.actual = 'stopped';
      rec.statusMsg = 'stopped';
    });
  }

  async start(rec: InstanceRecord): Promise<void> {
    rec.intended = 'running';
    if (rec.actual === 'running') return;
    const gen = this.bump(rec);
    if (!rec.containerCreated) {
      this.after(rec, 0, () => this.load(rec));
      return;
    }
    rec.actual = 'loading';
    rec.statusMsg = 'starting container';
    this.bringUp(rec, gen, () => this.backend.start(rec.id));
  }

  async reboot(rec: InstanceRecord): Promise<void> {
    if (rec.actual !== 'running') return this.start(rec);
    const gen = this.bump(rec);
    this.markNotRunning(rec);
    rec.actual = 'rebooting';
    rec.statusMsg = 'rebooting';
    this.bringUp(rec, gen, async () => {
      await this.backend.stop(rec.id);
      return this.backend.start(rec.id);
    });
  }

  /**
   * After the transition time, runs `up` (the backend's start, or stop then start) and marks the
   * instance running, or exited with the backend's reason. A newer command (another generation)
   * makes the outcome moot.
   */
  private bringUp(rec: InstanceRecord, gen: number, up: () => ReturnType<InstanceBackend['start']>): void {
    this.after(rec, this.timings.transitionMs, async () => {
      try {
        const { ports } = await up();
        if (gen !== rec.generation) return;
        this.markRunning(rec, ports);
      } catch (err) {
        if (gen !== rec.generation) return;
        rec.actual = 'exited';
        rec.statusMsg = messageOf(err);
      }
    });
  }

  async destroy(rec: InstanceRecord): Promise<void> {
    this.bump(rec);
    this.markNotRunning(rec);
    this.spentBefore += costOf(rec, Date.now() / 1000);
    this.instances.delete(rec.id);
    await this.backend.remove(rec.id).catch(() => undefined);
  }

  addInstanceKey(rec: InstanceRecord, publicKey: string): { id: number } {
    const key = {
      id: this.nextKeyId++,
      name: publicKey.split(/\s+/)[2] ?? `key-${this.nextKeyId}`,
      public_key: publicKey,
    };
    rec.instanceKeys.push(key);
    return key;
  }

  async dispose(): Promise<void> {
    for (const rec of this.instances.values()) this.bump(rec);
    await Promise.all([...this.instances.keys()].map((id) => this.backend.remove(id).catch(() => undefined)));
    this.instances.clear();
    await this.backend.dispose();
  }

  /** The instance as GET /instances/{id}/ shows it. */
  toVast(rec: InstanceRecord, publicHost: string): Record<string, unknown> {
    const offer = rec.offer;
    const now = Date.now() / 1000;
    const running = rec.actual === 'running';
    const directCount = Number(offer.direct_port_count ?? 0);
    const { vars } = splitEnvObject(rec.env);
    const extraEnv = Object.entries(rec.env).map(([k, v]) => [k, v]);
    const sshHostPort = rec.hostPorts?.['22/tcp'] ?? null;
    const dph = rec.priceBid ?? Number(offer.dph_total ?? 0);
    return {
      id: rec.id,
      machine_id: offer.machine_id ?? null,
      host_id: offer.host_id ?? null,
      bundle_id: offer.bundle_id ?? null,
      ask_contract_id: offer.id ?? null,
      label: rec.label,
      actual_status: rec.actual,
      intended_status: rec.intended,
      cur_state: rec.intended === 'running' ? 'running' : 'stopped',
      next_state: rec.intended,
      status_msg: rec.statusMsg,
      uptime_mins: rec.runningSince !== null ? Math.floor((now - rec.runningSince) / 60) : null,
      image_uuid: rec.image,
      image_args: rec.args ?? [],
      image_runtype: rec.runtypeText,
      onstart: rec.onstart,
      extra_env: extraEnv,
      jupyter_token: rec.jupyterToken,
      template_id: rec.templateId,
      template_hash_id: rec.templateHashId,
      ssh_host: publicHost,
      // The proxy port for jupyter runtypes is listed one below the real one: clients add 1 (`ssh-url`).
      ssh_port:
        sshHostPort === null
          ? 20_000 + (rec.id % 10_000)
          : rec.runtype.mode.startsWith('jupyter')
            ? sshHostPort - 1
            : sshHostPort,
      ssh_idx: rec.sshIdx,
      public_ipaddr: publicHost,
      local_ipaddrs: `${publicHost} `,
      machine_dir_ssh_port: null,
      ports: running ? this.visiblePorts(rec) : rec.actual === 'stopped' ? null : {},
      direct_port_count: directCount,
      direct_port_start: directCount > 0 ? 40_000 : -1,
      direct_port_end: directCount > 0 ? 40_000 + directCount - 1 : -1,
      static_ip: offer.static_ip ?? false,
      geolocation: offer.geolocation ?? null,
      gpu_name: offer.gpu_name,
      num_gpus: offer.num_gpus,
      gpu_ram: offer.gpu_ram,
      gpu_totalram: offer.gpu_total_ram,
      gpu_arch: offer.gpu_arch ?? null,
      compute_cap: offer.compute_cap ?? null,
      cpu_name: offer.cpu_name ?? null,
      cpu_cores: offer.cpu_cores ?? null,
      cpu_cores_effective: offer.cpu_cores_effective ?? null,
      cpu_ram: offer.cpu_ram ?? null,
      cpu_arch: offer.cpu_arch ?? null,
      disk_space: rec.diskGb,
      disk_name: offer.disk_name ?? null,
      disk_bw: offer.disk_bw ?? null,
      cuda_max_good: offer.cuda_max_good ?? null,
      driver_version: offer.driver_version ?? null,
      mobo_name: offer.mobo_name ?? null,
      pci_gen: offer.pci_gen ?? null,
      pcie_bw: offer.pcie_bw ?? null,
      inet_up_billed: null,
      inet_down_billed: null,
      gpu_util: running ? 0.0 : null,
      gpu_temp: running ? 34.0 : null,
      cpu_util: running ? 0.01 : null,
      mem_usage: running ? 0.3 : null,
      mem_limit: running ? Number(offer.cpu_ram ?? 0) / 1000 : null,
      disk_usage: running ? 0.5 : null,
      disk_util: running ? 0.01 : null,
      vmem_usage: running ? 0.0 : null,
      inet_up: running ? offer.inet_up : null,
      inet_down: running ? offer.inet_down : null,
      dph_base: offer.dph_base ?? null,
      dph_total: dph,
      min_bid: offer.min_bid ?? null,
      is_bid: rec.priceBid !== null,
      storage_cost: offer.storage_cost ?? null,
      // storage_cost is $/GB/month; this is the hourly storage charge for the disk.
      storage_total_cost: (Number(offer.storage_cost ?? 0) * rec.diskGb) / (30 * 24),
      credit_balance: null,
      reliability2: offer.reliability2 ?? offer.reliability ?? null,
      verification: offer.verification ?? null,
      start_date: rec.startDate,
      end_date: rec.createdAt + Number(offer.duration ?? 30 * 86400),
      duration: null,
      volume_info: null,
      env_count: Object.keys(vars).length,
    };
  }

  private visiblePorts(rec: InstanceRecord): Record<string, { HostIp: string; HostPort: string }[]> {
    const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
    const { ports: requested } = splitEnvObject(rec.env);
    const wanted = new Set(requested.map((p) => `${p.internal}/${p.protocol}`));
    // Proxy-only instances have no 22/tcp: clients take its presence to mean "direct".
    if (rec.runtype.sshDirect) wanted.add('22/tcp');
    if (rec.runtype.jupyterDirect) wanted.add('8080/tcp');
    for (const [key, host] of Object.entries(rec.hostPorts ?? {})) {
      if (wanted.has(key)) out[key] = [{ HostIp: '0.0.0.0', HostPort: String(host) }];
    }
    return out;
  }

  private load(rec: InstanceRecord): void {
    const gen = rec.generation;
    rec.actual = 'loading';
    rec.statusMsg = `Pulling image ${rec.image}`;
    if (rec.stuckLoading) return;
    const startedAt = Date.now();
    const finish = (fn: () => void) =>
      this.after(rec, Math.max(0, this.timings.loadingMs - (Date.now() - startedAt)), fn);
    if (rec.failImagePull) {
      finish(() => {
        if (gen !== rec.generation) return;
        rec.actual = 'exited';
        rec.statusMsg = `Error response from daemon: failed to pull image ${rec.image}: manifest unknown: manifest unknown`;
      });
      return;
    }
    const { vars, ports } = splitEnvObject(rec.env);
    this.backend
      .create({
        instanceId: rec.id,
        image: rec.image,
        runtype: rec.runtype,
        env: vars,
        vastEnv: this.vastEnv(rec),
        ports,
        onstart: rec.onstart,
        args: rec.args,
        diskGb: rec.diskGb,
        sshPublicKeys: rec.sshPublicKeys,
        labels: { 'tstudio.sandbox': '1', 'tstudio.sandbox.instance': String(rec.id) },
      })
      .then(
        ({ ports: hostPorts }) => {
          rec.containerCreated = true;
          if (gen !== rec.generation) {
            // Destroyed or stopped while the container was being made: keep the backend in step.
            if (!this.instances.has(rec.id)) void this.backend.remove(rec.id).catch(() => undefined);
            else if (rec.intended === 'stopped') void this.backend.stop(rec.id).catch(() => undefined);
            return;
          }
          finish(() => {
            if (gen !== rec.generation) return;
            this.markRunning(rec, hostPorts);
          });
        },
        (err: unknown) =>
          finish(() => {
            if (gen !== rec.generation) return;
            rec.actual = 'exited';
            rec.statusMsg = messageOf(err);
          }),
      );
  }

  private vastEnv(rec: InstanceRecord): Record<string, string> {
    return {
      CONTAINER_ID: String(rec.id),
      CONTAINER_API_KEY: rec.instanceApiKey,
      VAST_CONTAINERLABEL: `C.${rec.id}`,
      PUBLIC_IPADDR: '127.0.0.1',
      SSH_PUBLIC_KEY: rec.sshPublicKeys.join('\n'),
      GPU_COUNT: String(rec.offer.num_gpus ?? 1),
      DATA_DIRECTORY: '/workspace/',
      JUPYTER_TOKEN: rec.jupyterToken,
      JUPYTER_SERVER_ROOT: '/',
      JUPYTER_SERVER_URL: 'http://localhost:8080/',
    };
  }

  private markRunning(rec: InstanceRecord, hostPorts: Record<string, number>): void {
    rec.actual = 'running';
    rec.hostPorts = hostPorts;
    rec.startDate = Date.now() / 1000;
    rec.runningSince = rec.startDate;
    rec.statusMsg = `success, running ${rec.image}/${rec.runtype.mode.startsWith('jupyter') ? 'jupyter' : rec.runtype.mode === 'args' ? 'args' : 'ssh'}`;
  }

  private markNotRunning(rec: InstanceRecord): void {
    if (rec.runningSince !== null) rec.runningSeconds += Date.now() / 1000 - rec.runningSince;
    rec.runningSince = null;
  }

  private bump(rec: InstanceRecord): number {
    rec.generation++;
    for (const t of rec.timers) clearTimeout(t);
    rec.timers.clear();
    return rec.generation;
  }

  private after(rec: InstanceRecord, ms: number, fn: () => void | Promise<void>): void {
    const timer = setTimeout(() => {
      rec.timers.delete(timer);
      void fn();
    }, ms);
    rec.timers.add(timer);
  }
}

export type SandboxInstance = InstanceRecord;

function costOf(rec: InstanceRecord, nowSec: number): number {
  const running = rec.runningSeconds + (rec.runningSince !== null ? nowSec - rec.runningSince : 0);
  const dph = rec.priceBid ?? Number(rec.offer.dph_total ?? 0);
  return (dph * running) / 3600;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
