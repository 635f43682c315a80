import { modeFromTemplate, type LaunchModeName } from './runtype';
import { imageRef, type TemplateSource } from './template-source';
import type { LaunchSpec } from './vast-client';

export const APP_LABEL_PREFIX = 'tstudio:';

/** Every instance the app creates carries the app's prefix, so a cleanup can tell them apart. */
export function appLabel(label: string | undefined, templateName: string): string {
  const base = label?.trim() || templateName;
  return (base.startsWith(APP_LABEL_PREFIX) ? base : `${APP_LABEL_PREFIX}${base}`).slice(0, 256);
}

/** A template.yml -> what PUT /asks/{id}/ sends for it, in its own mode unless another is asked for. */
export function launchSpecFromTemplate(
  t: TemplateSource,
  options: {
    mode?: LaunchModeName;
    label?: string;
    diskGb?: number;
    imageLogin?: string | null;
    dphTotal?: number | null;
  } = {},
): LaunchSpec {
  const mode =
    options.mode ??
    modeFromTemplate({ runtype: t.runtype, ssh_direct: t.sshDirect, jup_direct: t.jupDirect });
  return {
    image: imageRef(t),
    mode,
    env: t.env,
    ports: t.ports,
    onstart: t.onstart,
    diskGb: options.diskGb ?? t.recommendedDiskSpace ?? 10,
    label: appLabel(options.label, t.name),
    imageLogin: options.imageLogin ?? null,
    dphTotal: options.dphTotal ?? null,
  };
}
