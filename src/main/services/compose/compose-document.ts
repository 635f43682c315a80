import { Document, isMap, isScalar, type Node, type Pair } from 'yaml';
import { WORKSPACE_ACL_SCRIPT, type LaunchDescription } from '../launch/index';

export interface ComposeRenderOptions {
  /** Labels put on every container compose makes (tests add tstudio.test=1). */
  labels?: Record<string, string>;
  /** The folder the launch files are written to, relative to the compose file. */
  launchDir?: string;
}

export const COMPOSE_FILE = 'docker-compose.yaml';
export const LAUNCH_DIR = 'launch';

/**
 * Compose interpolates `$NAME` in every string of the file; a literal `$` (in a token, a script, a
 * template's env) must be written `$$` or compose would replace it, or refuse the file.
 */
export function composeEscape(value: string): string {
  return value.replace(/\$/g, '$$$$');
}

/**
 * A docker-compose.yaml (format 2.4, which Debian's docker-compose 1.29 and Compose v2 both read)
 * that reproduces a local run without the app, with comments saying which parts mimic Vast.
 */
export function renderCompose(desc: LaunchDescription, opts: ComposeRenderOptions = {}): string {
  const launchDir = opts.launchDir ?? LAUNCH_DIR;
  const launched = desc.launchFiles !== null;
  const vastNames = new Set(desc.vastEnvNames);
  const ownEnv = Object.keys(desc.env).filter((n) => !vastNames.has(n));
  const env: Record<string, string> = {};
  for (const name of [...ownEnv, ...desc.vastEnvNames]) env[name] = composeEscape(desc.env[name] ?? '');

  const service: Record<string, unknown> = { image: desc.image };
  if (desc.entrypoint) service.entrypoint = desc.entrypoint.map(composeEscape);
  if (desc.cmd) service.command = desc.cmd.map(composeEscape);
  service.environment = env;
  const ports = Object.entries(desc.ports).map(([key, host]) => {
    const [port, protocol] = key.split('/');
    return `127.0.0.1:${host}:${port}/${protocol ?? 'tcp'}`;
  });
  if (ports.length > 0) service.ports = ports;
  const volumes: unknown[] = [];
  if (launched) volumes.push(`./${launchDir}:/.tstudio/launch:ro`);
  if (desc.workspace) {
    volumes.push(
      desc.workspace.kind === 'host'
        ? { type: 'bind', source: desc.workspace.source, target: desc.workspace.target }
        : { type: 'volume', source: 'workspace', target: desc.workspace.target },
    );
  }
  if (volumes.length > 0) service.volumes = volumes;
  if (desc.limits.nanoCpus) service.cpus = Number((desc.limits.nanoCpus / 1e9).toFixed(3));
  if (desc.limits.memoryBytes) service.mem_limit = desc.limits.memoryBytes;
  if (desc.limits.shmBytes) service.shm_size = desc.limits.shmBytes;
  if (desc.gpu) {
    service.deploy = {
      resources: { reservations: { devices: [{ driver: 'nvidia', count: 'all', capabilities: ['gpu'] }] } },
    };
  }
  const labels = { ...(opts.labels ?? {}), 'tstudio.compose': '1' };
  service.labels = labels;
  const aclService = desc.workspace?.kind === 'host' && desc.aclWanted;
  if (aclService) service.depends_on = { 'workspace-acl': { condition: 'service_completed_successfully' } };

  const services: Record<string, unknown> = { run: service };
  if (aclService && desc.workspace) {
    services['workspace-acl'] = {
      image: desc.image,
      user: '0',
      network_mode: 'none',
      // Never fails the run: an image without setfacl, or a file system without ACLs, only loses the ACL.
      entrypoint: [
        '/bin/sh',
        '-c',
        composeEscape(`(\n${WORKSPACE_ACL_SCRIPT}\n) || echo "workspace ACL not applied (exit $?)"`),
        'sh',
      ],
      command: ['owner'],
      volumes: [{ type: 'bind', source: desc.workspace.source, target: '/tstudio-acl' }],
      // A copy: a shared object would be written as a YAML anchor and alias.
      labels: { ...labels },
    };
  }
  const root: Record<string, unknown> = { version: '2.4', services };
  if (desc.workspace?.kind === 'volume') {
    root.volumes = { workspace: { external: true, name: desc.workspace.source } };
  }

  const doc = new Document(root);
  const origin =
    desc.origin.kind === 'run'
      ? `local run ${desc.origin.id}`
      : `${desc.origin.source} (fresh ids and tokens, made at export)`;
  const sshPort = desc.ports['22/tcp'];
  doc.commentBefore = [
    ` Exported by Template Studio from ${origin}, ${desc.mode} mode.`,
    ' It reproduces the run without the app: `docker-compose up -d` in this folder (Compose v2:',
    ' `docker compose up -d`), `docker-compose down` to end it.',
    ...(sshPort !== undefined
      ? [
          ` SSH: ssh -i ${desc.identityFile ?? '<the key whose public half is SSH_PUBLIC_KEY>'} -p ${sshPort} root@127.0.0.1`,
        ]
      : []),
    ...(desc.origin.kind === 'run'
      ? [' The host ports are the run’s own: stop or remove that run first (tstudio rm), or edit them.']
      : []),
    ' A literal $ is written $$ (compose would read $NAME as one of its own variables).',
  ].join('\n');

  const runNode = doc.getIn(['services', 'run'], true) as Node;
  commentKey(runNode, 'image', ' The image, as the template names it (built by the app or `tstudio build`).');
  if (launched) {
    commentKey(
      runNode,
      'entrypoint',
      [
        ' Vast replaces the ENTRYPOINT in ssh and jupyter modes with its /.launch; launch.sh (beside this',
        ' file, mounted read-only) is the app’s stand-in: it writes /.launch, installs SSH_PUBLIC_KEY,',
        ' starts sshd (and Jupyter), then runs the template’s onstart (launch/onstart) in the background.',
      ].join('\n'),
    );
  } else {
    commentKey(
      runNode,
      desc.cmd ? 'command' : 'environment',
      ' args mode: Vast keeps the image’s ENTRYPOINT and passes the template’s args as its CMD.',
    );
  }
  const envNode = doc.getIn(['services', 'run', 'environment'], true) as Node;
  commentKey(runNode, 'environment', ' The template’s env (and your own -e), then what Vast injects.');
  const firstVast = desc.vastEnvNames[0];
  if (firstVast)
    commentKey(
      envNode,
      firstVast,
      [
        ' From here on: what Vast injects into every instance (ids, tokens, GPU_COUNT, the SSH key);',
        ' VAST_TCP_PORT_<n> is the public port of container port <n>, here the host port below.',
      ].join('\n'),
    );
  if (ports.length > 0)
    commentKey(
      runNode,
      'ports',
      ' Vast maps each requested port to a public one; locally they are published on 127.0.0.1 only.',
    );
  if (service.volumes)
    commentKey(
      runNode,
      'volumes',
      desc.workspace
        ? [
            ...(launched ? [' The launch files, read-only; then'] : []),
            ` the workspace at WORKSPACE (${desc.workspace.target}): Vast keeps it on the instance disk; here it is a`,
            ` ${desc.workspace.kind === 'host' ? 'host folder' : 'named volume'}, so its data survives \`down\` and the next run.`,
          ].join('\n')
        : ' The launch files, read-only.',
    );
  if (service.cpus || service.mem_limit || service.shm_size)
    commentKey(
      runNode,
      service.cpus ? 'cpus' : service.mem_limit ? 'mem_limit' : 'shm_size',
      ' Limits, like an offer’s cpu_cores, cpu_ram and shm (Vast gives big /dev/shm; Docker’s default is 64 MB).',
    );
  const gpuNote = desc.gpu
    ? ' GPU: all NVIDIA GPUs, as Vast passes the rented ones (needs the NVIDIA container runtime).'
    : [
        ' GPU: the engine had no NVIDIA runtime, so this run is CPU-only (GPU_COUNT=0). With one, add:',
        ' deploy:',
        '   resources:',
        '     reservations:',
        '       devices:',
        '         - {driver: nvidia, count: all, capabilities: [gpu]}',
      ].join('\n');
  commentKey(runNode, desc.gpu ? 'deploy' : 'labels', gpuNote);
  if (aclService) {
    commentKey(
      doc.get('services', true) as Node,
      'workspace-acl',
      [
        ' Once before the run: as ai-dock does, a default ACL on the workspace folder for its owner, so',
        ' files the container’s root creates stay readable and writable on the host (set SKIP_ACL=true',
        ' in the app to leave the folder alone).',
      ].join('\n'),
    );
  }
  if (root.volumes)
    commentKey(
      doc,
      'volumes',
      ' The named volume already exists (external): `down -v` never deletes your workspace. Make it with `docker volume create NAME` if it is gone.',
    );
  return doc.toString({ lineWidth: 0 });
}

/** A comment line above `key` in a mapping node. */
function commentKey(node: Node | Document, key: string, text: string): void {
  const map = node instanceof Document ? node.contents : node;
  if (!isMap(map)) return;
  const pair = (map.items as Pair[]).find((p) => isScalar(p.key) && p.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = text;
}
