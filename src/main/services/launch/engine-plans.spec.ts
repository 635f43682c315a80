import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { diskPlanOf, engineGpuCounter, gpuPlanOf, gpusListed, rememberedGpuCounter } from './engine-plans';

const NVIDIA = { Runtimes: { runc: {}, nvidia: { path: 'nvidia-container-runtime' } } };
const SMI = 'GPU 0: NVIDIA RTX 4090 (UUID: GPU-1)\nGPU 1: NVIDIA RTX 4090 (UUID: GPU-2)\n';

/** A docker stderr/stdout frame: what a non-TTY container's logs are made of. */
function frame(text: string): Buffer {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = 1;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** An engine reached over tcp:// whose one-shot container prints `output` and exits `status`. */
function remoteEngine(output: string, status = 0) {
  const calls: { create?: Docker.ContainerCreateOptions; removed: boolean } = { removed: false };
  const docker = {
    modem: { host: 'gpu-box.lan', port: 2376 },
    createContainer: async (options: Docker.ContainerCreateOptions) => {
      calls.create = options;
      return {
        start: async () => undefined,
        wait: async () => ({ StatusCode: status }),
        logs: async () => frame(output),
        remove: async () => void (calls.removed = true),
      };
    },
  } as unknown as Docker;
  return { docker, calls };
}

describe('GPUs for a local run', () => {
  it('passes every GPU and sets GPU_COUNT when the engine has the NVIDIA runtime and GPUs', async () => {
    const plan = await gpuPlanOf(NVIDIA, async () => ({ count: 2, how: 'nvidia-smi' }));
    expect(plan).toEqual({
      count: 2,
      deviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }],
      warning: null,
    });
  });
  it('is CPU-only, and says why, without the runtime or without GPUs', async () => {
    let asked = false;
    const none = await gpuPlanOf({ Runtimes: { runc: {} } }, async () => {
      asked = true;
      return { count: 4, how: 'x' };
    });
    expect(none).toMatchObject({
      count: 0,
      deviceRequests: null,
      warning: expect.stringMatching(/no NVIDIA runtime/),
    });
    expect(asked).toBe(false);
    const noGpu = await gpuPlanOf(NVIDIA, async () => ({
      count: 0,
      how: "nvidia-smi on the engine's machine",
    }));
    expect(noGpu.warning).toBe(
      "The engine has an NVIDIA runtime but nvidia-smi on the engine's machine found no GPU: this run is CPU-only (GPU_COUNT=0).",
    );
  });
  it('counts the GPU lines of nvidia-smi -L', () => {
    expect(gpusListed(SMI)).toBe(2);
    expect(gpusListed('No devices were found\n')).toBe(0);
  });
  it("asks a remote engine's machine, through a one-shot container that gets every GPU and no network", async () => {
    const { docker, calls } = remoteEngine(SMI);
    expect(await engineGpuCounter(docker, 'acme/app:1')()).toEqual({
      count: 2,
      how: "nvidia-smi on the engine's machine",
    });
    expect(calls.create).toMatchObject({
      Image: 'acme/app:1',
      Entrypoint: ['nvidia-smi'],
      Cmd: ['-L'],
      HostConfig: { NetworkMode: 'none', DeviceRequests: [{ Driver: 'nvidia', Count: -1 }] },
    });
    expect(calls.removed).toBe(true);
  });
  it('counts none when the container cannot run nvidia-smi, and still removes it', async () => {
    const { docker, calls } = remoteEngine('', 127);
    expect((await engineGpuCounter(docker, 'acme/app:1')()).count).toBe(0);
    expect(calls.removed).toBe(true);
  });
});

describe('the GPU count, kept between runs', () => {
  it('counts once within its time, and again after it', async () => {
    let clock = 0;
    let counted = 0;
    const count = async () => ({ count: ++counted, how: 'nvidia-smi' });
    const remembered = rememberedGpuCounter(1000, () => clock);
    expect((await remembered(count)()).count).toBe(1);
    clock = 999;
    expect((await remembered(count)()).count).toBe(1);
    clock = 2000;
    expect((await remembered(count)()).count).toBe(2);
    expect(counted).toBe(2);
  });
});

describe('disk size for a local run', () => {
  it('is applied where the storage driver enforces one', () => {
    const xfs = { Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'xfs']] as [string, string][] };
    expect(diskPlanOf(xfs, 40)).toEqual({ storageOpt: { size: '40G' }, warning: null });
    expect(diskPlanOf({ Driver: 'zfs' }, 8).storageOpt).toEqual({ size: '8G' });
  });
  it('is not applied elsewhere, with a warning that names the driver', () => {
    const ext4 = {
      Driver: 'overlay2',
      DriverStatus: [['Backing Filesystem', 'extfs']] as [string, string][],
    };
    expect(diskPlanOf(ext4, 40)).toEqual({
      storageOpt: null,
      warning:
        'The disk size (40 GB) is not applied: the overlay2 storage driver on extfs has no per-container size limit.',
    });
  });
  it('asks for nothing when no size is given', () => {
    expect(diskPlanOf({ Driver: 'zfs' }, undefined)).toEqual({ storageOpt: null, warning: null });
  });
});
