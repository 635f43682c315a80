/**
 * New template folders for the three classes an author starts from, following the conventions of
 * Vast's templates repository (and of its generator, `imagegen new`): a Dockerfile with the three
 * labels, `COPY ./ROOT /`, `set -euo pipefail`, the venv activated, `uv pip`, env-hash last; a
 * supervisor script sourcing the utilities in order and waiting for /.provisioning; a conf with
 * PROC_NAME; a boot env script for external images; template.yml and README.md with
 * <<LAUNCH_LINK>>. The values only the author knows are CHANGEME / >>> FILL markers, which L040
 * names, so a fresh scaffold lints clean except for them. Nothing in it downloads at build time
 * until the author fills in the install step.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AppError } from '../../../shared/errors';
import { writeCiWorkflow } from './ci-workflow';

export type ScaffoldClass = 'derivative' | 'external' | 'provisioning';

export interface ScaffoldOptions {
  class: ScaffoldClass;
  /** Lowercase letters, digits and dashes: it names the image, the program and the script. */
  name: string;
  /** The app's external port (Caddy's); the app itself binds external + 10000 on loopback. */
  port?: number;
  /** The folder to create the template in; the template goes to <dir>/<name>. */
  dir: string;
  /**
   * Also write the repository's CI workflow (.github/workflows/tstudio.yml) installing this CLI
   * version; not for the provisioning class, which has no image to build.
   */
  ciWorkflow?: { cliVersion?: string };
}

export interface ScaffoldResult {
  path: string;
  /** Created files, relative to path. */
  files: string[];
  /** The CI workflow written, when asked for (it may sit at an enclosing repository's root). */
  ciWorkflow?: string;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

interface Vars {
  name: string;
  envPrefix: string;
  ext: number;
  int: number;
}

function internalPortFor(ext: number): number {
  // Vast's images put the app on the external port with a leading 1 (8188 → 18188).
  if (ext + 10000 <= 65535) return ext + 10000;
  return ext - 10000 > 1024 ? ext - 10000 : ext + 1;
}

const LABELS = (
  v: Vars,
  what: string,
) => `LABEL org.opencontainers.image.source="https://github.com/CHANGEME/${v.name}" \\
      org.opencontainers.image.description="${what}, suitable for Vast.ai." \\
      maintainer="CHANGEME"`;

function derivativeDockerfile(v: Vars): string {
  return `# ${v.name}: built on vastai/base-image, so it inherits Vast's boot flow, supervisor, portal and Jupyter.
ARG BASE_IMAGE=vastai/base-image
# Pin a dated base tag (L005), never latest: a rebuild must not land on an untested base.
ARG BASE_TAG=CHANGEME
FROM \${BASE_IMAGE}:\${BASE_TAG}

${LABELS(v, v.name)}

SHELL ["/bin/bash", "-c"]

# Supervisor conf, launch script and boot hooks.
COPY ./ROOT /

# Install into the main venv with uv pip (it respects the active venv; bare pip does not).
# Download models at runtime (provisioning or ${v.envPrefix}_MODEL), never here (L053).
RUN set -euo pipefail; \\
    . /venv/main/bin/activate; \\
    : '>>> FILL: install ${v.name}, e.g. uv pip install ${v.name}==X.Y.Z'

# The environment hash Vast uses to sync venvs: it must stay the last RUN (L002).
RUN env-hash > /.env_hash
`;
}

function externalDockerfile(v: Vars): string {
  return `# ${v.name}: an upstream image grafted with Vast's boot flow, supervisor and portal.
ARG VAST_BASE_IMAGE=vastai/base-image
ARG VAST_BASE_TAG=CHANGEME
# The upstream image and its pinned tag, e.g. vllm/vllm-openai:v0.9.2
ARG UPSTREAM_IMAGE=CHANGEME
FROM \${VAST_BASE_IMAGE}:\${VAST_BASE_TAG} AS vast_base_image

FROM \${UPSTREAM_IMAGE}

${LABELS(v, v.name)}

SHELL ["/bin/bash", "-c"]
ENV DATA_DIRECTORY=/workspace \\
    WORKSPACE=/workspace \\
    DEBIAN_FRONTEND=noninteractive \\
    PYTHONUNBUFFERED=1 \\
    PIP_BREAK_SYSTEM_PACKAGES=1 \\
    UV_LINK_MODE=copy \\
    PATH=/opt/instance-tools/bin:$PATH
# The upstream image does not inherit the base image's ENV; unbuffer (the pty helper) needs this (L055).
ENV TCLLIBPATH=/usr/lib/tcltk/default

# The base_image_source stage is the base-image repository, given at build time with
# --build-context base_image_source=<path to vast-ai/base-image>.
COPY --from=base_image_source /ROOT /
COPY --from=base_image_source /portal-aio /opt/portal-aio
COPY --from=vast_base_image /opt/portal-aio/caddy_manager/caddy /opt/portal-aio/caddy_manager/caddy
COPY --from=base_image_source tools/convert-non-vast-image.sh /tmp/convert-non-vast-image.sh
RUN set -euo pipefail; \\
    chmod +x /tmp/convert-non-vast-image.sh; \\
    /tmp/convert-non-vast-image.sh; \\
    rm /tmp/convert-non-vast-image.sh

# Supervisor conf, launch script and the boot env script.
COPY ./ROOT /

RUN set -euo pipefail; \\
    : '>>> FILL: install or configure ${v.name} on top of the upstream image (uv pip; name a concrete torch backend)'

RUN env-hash > /.env_hash
# Vast's entrypoint runs the boot stages; in SSH/Jupyter mode Vast replaces it and runs them via onstart.
ENTRYPOINT ["/opt/instance-tools/bin/entrypoint.sh"]
CMD []
`;
}

function supervisorScript(v: Vars): string {
  return `#!/bin/bash
# Starts ${v.name} under supervisor. The utilities must be sourced in this order (L011).
utils=/opt/supervisor-scripts/utils
. "\${utils}/logging.sh"
. "\${utils}/cleanup_generic.sh"
. "\${utils}/environment.sh"
. "\${utils}/exit_serverless.sh"
# Exits quietly unless /etc/portal.yaml has an entry named like this (the PORTAL_CONFIG name).
. "\${utils}/exit_portal.sh" "${v.name}"

# Provisioning may still be installing packages or fetching models: wait until it is done.
while [ -f "/.provisioning" ]; do
    echo "\${PROC_NAME} startup paused until instance provisioning has completed (/.provisioning present)"
    sleep 10
done

. /venv/\${ACTIVE_VENV:-main}/bin/activate
cd "\${WORKSPACE:-/workspace}"

# Bind to loopback on the internal port: Caddy serves it on ${v.ext} with auth.
# >>> FILL: replace CHANGEME with the command that starts ${v.name} in the foreground.
pty CHANGEME \${${v.envPrefix}_ARGS:---host 127.0.0.1 --port ${v.int}}
`;
}

function supervisorConf(v: Vars): string {
  return `[program:${v.name}]
environment=PROC_NAME="%(program_name)s"
command=/opt/supervisor-scripts/${v.name}.sh
autostart=true
autorestart=unexpected
exitcodes=0
startsecs=5
stopasgroup=true
killasgroup=true
stopsignal=TERM
stopwaitsecs=10
stdout_logfile=/dev/stdout
redirect_stderr=true
stdout_events_enabled=true
stdout_logfile_maxbytes=0
stdout_logfile_backups=0
`;
}

function bootEnvScript(v: Vars): string {
  return `#!/bin/bash
# Sourced by boot_default.sh early (05-…), before 10-prep-env writes /etc/environment, so these
# defaults reach every program and SSH session. A template's env overrides them.
export PORTAL_CONFIG="\${PORTAL_CONFIG:-localhost:1111:11111:/:Instance Portal|localhost:${v.ext}:${v.int}:/:${v.name}}"
export OPEN_BUTTON_PORT="\${OPEN_BUTTON_PORT:-1111}"
`;
}

function provisioningScript(v: Vars): string {
  return `#!/bin/bash
# Provisioning script for ${v.name}: the template's PROVISIONING_SCRIPT. It runs at first boot
# while /.provisioning exists, on a stock Vast image, so install and download at runtime here.
set -euo pipefail

. /venv/main/bin/activate
cd "\${WORKSPACE:-/workspace}"

# >>> FILL: install ${v.name} (uv pip install …) and fetch its models.

# Register the app with supervisor so the portal can show and control it.
cat > /opt/supervisor-scripts/${v.name}.sh <<'SCRIPT'
#!/bin/bash
utils=/opt/supervisor-scripts/utils
. "\${utils}/logging.sh"
. "\${utils}/cleanup_generic.sh"
. "\${utils}/environment.sh"
. "\${utils}/exit_serverless.sh"
. "\${utils}/exit_portal.sh" "${v.name}"
while [ -f "/.provisioning" ]; do sleep 5; done
. /venv/main/bin/activate
# >>> FILL: the command that starts ${v.name} on 127.0.0.1:${v.int}
pty CHANGEME
SCRIPT
chmod +x /opt/supervisor-scripts/${v.name}.sh
cat > /etc/supervisor/conf.d/${v.name}.conf <<'CONF'
${supervisorConf(v).trimEnd()}
CONF
supervisorctl reread && supervisorctl update
`;
}

function templateYml(v: Vars, cls: ScaffoldClass): string {
  const image = cls === 'provisioning' ? 'vastai/base-image' : `vastai/${v.name}`;
  const tag = cls === 'provisioning' ? '"@vastai-automatic-tag"' : '"CHANGEME"';
  const provisioning =
    cls === 'provisioning'
      ? `  PROVISIONING_SCRIPT: "https://raw.githubusercontent.com/CHANGEME/${v.name}/main/provision.sh"\n`
      : '';
  return `# The template Vast launches (and QA tests). Publish with Vast's create.py or Template Studio.
name: ${v.name}
image: ${image}
# ${cls === 'provisioning' ? 'A stock Vast image may follow the newest tag for its CUDA version.' : 'Pin the tag you pushed, e.g. v1-cuda-12.8-py312.'}
tag: ${tag}
href: "https://hub.docker.com/r/${image}"
repo: "${image}"
desc: "${v.name} on Vast.ai"
env:
  OPEN_BUTTON_PORT: "1111"
  OPEN_BUTTON_TOKEN: "1"
  JUPYTER_DIR: "/"
  DATA_DIRECTORY: "/workspace/"
  # hostname:EXTERNAL:INTERNAL:path:name — Caddy listens on the external port (listed in ports);
  # the app binds the internal one on 127.0.0.1.
  PORTAL_CONFIG: "localhost:1111:11111:/:Instance Portal|localhost:${v.ext}:${v.int}:/:${v.name}|localhost:8080:18080:/:Jupyter|localhost:8080:8080:/terminals/1:Jupyter Terminal"
${provisioning}ports:
  - "1111:1111"
  - "${v.ext}:${v.ext}"
  - "8080:8080"
onstart: entrypoint.sh
runtype: jupyter
ssh_direct: true
jup_direct: true
use_ssh: true
use_jupyter_lab: false
recommended_disk_space: 16
private: false
readme_visible: true
extra_filters:
  compute_cap: {gte: 750}
  disk_space: {gte: 16}
`;
}

function marketplaceReadme(v: Vars): string {
  return `# ${v.name}

[Launch ${v.name} on Vast.ai](<<LAUNCH_LINK>>)

## What

>>> FILL: one paragraph on what ${v.name} does and who it is for.

## Quick Start

1. Launch the template and wait for the instance to start.
2. Click **Open** to reach the Instance Portal, then open **${v.name}**.

## Ports

| External | Internal | Service |
|---|---|---|
| 1111 | 11111 | Instance Portal |
| ${v.ext} | ${v.int} | ${v.name} |
| 8080 | 18080 | Jupyter |

## Licenses

>>> FILL: the licence of ${v.name} and of anything it downloads.
`;
}

function developerReadme(v: Vars, cls: ScaffoldClass): string {
  return `# ${v.name} (${cls})

Template Studio scaffold. Fill in every placeholder marker (\`tstudio lint .\` lists them, rule L040),
then build, run it locally the way Vast launches it, and publish \`templates/default\`.
`;
}

function writeFile(root: string, rel: string, text: string, files: string[], mode = 0o644): void {
  const abs = join(root, rel);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text, { mode });
  // writeFileSync's mode is filtered by the umask; the launch scripts must end up executable (L051).
  chmodSync(abs, mode);
  files.push(rel);
}

export function scaffoldTemplate(options: ScaffoldOptions): ScaffoldResult {
  if (!NAME.test(options.name)) {
    throw new AppError(
      'TEMPLATE_INVALID',
      `"${options.name}" cannot name a template: use lowercase letters, digits and dashes (it names the image, the program and the script).`,
    );
  }
  const ext = options.port ?? 7860;
  if (!Number.isInteger(ext) || ext < 1 || ext > 65535 || [1111, 8080, 11111].includes(ext)) {
    throw new AppError(
      'TEMPLATE_INVALID',
      `Port ${ext} cannot be the app's port: use 1-65535, not 1111/8080/11111 (the portal and Jupyter use them).`,
    );
  }
  const path = resolve(options.dir, options.name);
  if (existsSync(path) && readdirSync(path).length > 0) {
    throw new AppError('CONFLICT', `${path} already exists and is not empty; choose another name or folder.`);
  }
  const v: Vars = {
    name: options.name,
    envPrefix: options.name.toUpperCase().replace(/[^A-Z0-9]/g, '_'),
    ext,
    int: internalPortFor(ext),
  };
  const files: string[] = [];
  if (options.class === 'provisioning') {
    writeFile(path, 'provision.sh', provisioningScript(v), files, 0o755);
  } else {
    writeFile(
      path,
      'Dockerfile',
      options.class === 'external' ? externalDockerfile(v) : derivativeDockerfile(v),
      files,
    );
    writeFile(path, `ROOT/opt/supervisor-scripts/${v.name}.sh`, supervisorScript(v), files, 0o755);
    writeFile(path, `ROOT/etc/supervisor/conf.d/${v.name}.conf`, supervisorConf(v), files);
    if (options.class === 'external')
      writeFile(path, `ROOT/etc/vast_boot.d/05-${v.name}-env.sh`, bootEnvScript(v), files, 0o755);
  }
  writeFile(path, 'README.md', developerReadme(v, options.class), files);
  writeFile(path, 'templates/default/template.yml', templateYml(v, options.class), files);
  writeFile(path, 'templates/default/README.md', marketplaceReadme(v), files);
  if (options.ciWorkflow && options.class !== 'provisioning') {
    const ci = writeCiWorkflow({ templateDir: path, cliVersion: options.ciWorkflow.cliVersion });
    return { path, files, ciWorkflow: ci.path };
  }
  return { path, files };
}
