import type { z } from 'zod';
import type { InstanceSummary, OfferRow, VastTemplateRow } from '../../../shared/contract/vast';
import type { VastInstanceData, VastOfferData, VastTemplateData } from './schemas';
import { sshEndpoint } from './ssh-endpoint';

export type OfferRowData = z.output<typeof OfferRow>;
export type InstanceSummaryData = z.output<typeof InstanceSummary>;
export type VastTemplateRowData = z.output<typeof VastTemplateRow>;

export function toOfferRow(o: VastOfferData): OfferRowData {
  return {
    id: o.id,
    machineId: o.machine_id ?? null,
    gpuName: o.gpu_name,
    numGpus: o.num_gpus,
    gpuRamMb: o.gpu_ram,
    dphTotal: o.dph_total,
    reliability: o.reliability ?? o.reliability2 ?? null,
    cudaMaxGood: o.cuda_max_good ?? null,
    computeCap: o.compute_cap ?? null,
    geolocation: o.geolocation ?? null,
    inetUpMbps: o.inet_up ?? null,
    inetDownMbps: o.inet_down ?? null,
    diskSpaceGb: o.disk_space ?? null,
    directPortCount: o.direct_port_count ?? null,
    verified: o.verified ?? (o.verification ? o.verification === 'verified' : null),
  };
}

export function toInstanceSummary(
  i: VastInstanceData,
  createdByApp: boolean,
  nowMs = Date.now(),
): InstanceSummaryData {
  const start = i.start_date ?? null;
  const uptime = start !== null && i.actual_status === 'running' ? Math.max(0, nowMs / 1000 - start) : null;
  const sinceStart = start !== null ? Math.max(0, nowMs / 1000 - start) : null;
  const ports: { container: string; hostPort: number }[] = [];
  for (const [container, bindings] of Object.entries(i.ports ?? {})) {
    const hostPort = Number(bindings?.[0]?.HostPort);
    if (Number.isInteger(hostPort) && hostPort > 0) ports.push({ container, hostPort });
  }
  return {
    id: i.id,
    label: i.label ?? null,
    actualStatus: i.actual_status ?? null,
    intendedStatus: i.intended_status ?? null,
    curState: i.cur_state ?? null,
    statusMsg: i.status_msg ?? null,
    image: i.image_uuid ?? null,
    runtype: i.image_runtype ?? null,
    gpuName: i.gpu_name ?? null,
    numGpus: i.num_gpus ?? null,
    dphTotal: i.dph_total ?? null,
    diskSpaceGb: i.disk_space ?? null,
    geolocation: i.geolocation ?? null,
    startDate: start,
    uptimeSeconds: uptime,
    costSoFar: sinceStart !== null && i.dph_total != null ? (i.dph_total * sinceStart) / 3600 : null,
    publicIp: i.public_ipaddr ?? null,
    ssh: i.actual_status === 'running' ? sshEndpoint(i) : null,
    ports,
    createdByApp,
  };
}

export function toTemplateRow(t: VastTemplateData, publishedByApp: boolean): VastTemplateRowData {
  return {
    id: t.id,
    hashId: t.hash_id,
    name: t.name ?? null,
    image: t.image ?? null,
    tag: t.tag ?? null,
    private: t.private ?? null,
    createdAt: t.created_at ?? null,
    publishedByApp,
  };
}
