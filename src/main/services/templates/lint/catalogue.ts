/**
 * The rule catalogue: the one source for the UI, the CLI and docs/lint-rules.md. Codes L0xx are
 * Vast's own linter's (tools/imagegen/imagegen/linter.py), kept so an author can look them up in
 * Vast's docs; TS1xx are the conventions of the seed documents and of Vast's runtime that Vast's
 * linter does not check.
 */
export type Severity = 'error' | 'warning';

export interface RuleSpec {
  code: string;
  severity: Severity;
  title: string;
  checks: string;
  violation: string;
  fix: string;
  origin: 'vast' | 'studio';
}

export const RULES = [
  {
    code: 'L001',
    severity: 'error',
    title: 'Exactly three LABELs',
    checks:
      'The Dockerfile has exactly 3 LABEL key=value pairs, among them org.opencontainers.image.source, org.opencontainers.image.description and maintainer.',
    violation: 'LABEL version=1 as a fourth label, or no maintainer label',
    fix: 'Keep exactly the three required LABEL keys.',
    origin: 'vast',
  },
  {
    code: 'L002',
    severity: 'error',
    title: 'env-hash is the last RUN',
    checks:
      'The final RUN executes `env-hash > /.env_hash` (as shell code, not inside a comment or a data heredoc).',
    violation: 'RUN apt-get clean after the env-hash RUN',
    fix: 'Move `RUN env-hash > /.env_hash` to the end of the Dockerfile.',
    origin: 'vast',
  },
  {
    code: 'L003',
    severity: 'error',
    title: 'COPY ./ROOT /',
    checks: "A local `COPY ./ROOT /` (no --from) overlays the image folder's ROOT/ onto the image.",
    violation: 'no COPY of ROOT, or COPY --from=build ./ROOT /',
    fix: 'Add `COPY ./ROOT /` before the install steps.',
    origin: 'vast',
  },
  {
    code: 'L004',
    severity: 'error',
    title: 'FROM matches the image class',
    checks:
      "With ARG defaults substituted: a derivative derives from vastai/base-image, a nested image from vastai/pytorch; an external image's first stage is `FROM vastai/base-image… AS vast_base_image` and it grafts with convert-non-vast-image.sh.",
    violation: 'an external image whose first FROM is the upstream image',
    fix: 'Use the base the class requires (or move the folder to the class it really is).',
    origin: 'vast',
  },
  {
    code: 'L005',
    severity: 'error',
    title: 'Pinned base tag',
    checks:
      'A derivative or nested image pins its base FROM to a concrete tag or an @sha256 digest, never `latest` or no tag.',
    violation: 'FROM vastai/pytorch:latest',
    fix: 'Pin a dated tag such as vastai/base-image:cuda-12.8.1-auto-2025-06-01 or a digest.',
    origin: 'vast',
  },
  {
    code: 'L010',
    severity: 'error',
    title: 'Supervisor conf naming, PROC_NAME and command',
    checks:
      'Each ROOT/etc/supervisor/conf.d/X.conf has [program:X], `environment` sets PROC_NAME and `command=/opt/supervisor-scripts/X.sh`. A warning when X.sh is not in this ROOT (it may come from the base).',
    violation: '[program:foo] with command=/opt/supervisor-scripts/bar.sh',
    fix: 'Name the file, the program and the script alike; add environment=PROC_NAME="%(program_name)s".',
    origin: 'vast',
  },
  {
    code: 'L011',
    severity: 'error',
    title: 'Utility source order',
    checks:
      'Supervisor scripts source the utilities in the order logging → cleanup_generic → environment → exit_serverless → exit_portal.',
    violation: '. exit_portal.sh before . logging.sh',
    fix: 'Reorder the `.`/`source` lines to the canonical order.',
    origin: 'vast',
  },
  {
    code: 'L020',
    severity: 'error',
    title: 'PyTorch drift guard',
    checks:
      'A nested image compares $torch_versions_pre with $torch_versions_post and exits on drift in the same statement.',
    violation: '[[ $torch_versions_pre = $torch_versions_post ]] with no `|| exit 1`',
    fix: 'Write `[[ $torch_versions_pre = $torch_versions_post ]] || { echo "torch changed"; exit 1; }`.',
    origin: 'vast',
  },
  {
    code: 'L021',
    severity: 'error',
    title: 'No --torch-backend auto',
    checks:
      'Nested and external images never install with `--torch-backend auto` (except inside a sed substitution).',
    violation: 'uv pip install --torch-backend auto vllm',
    fix: 'Name the backend, e.g. --torch-backend cu128.',
    origin: 'vast',
  },
  {
    code: 'L022',
    severity: 'warning',
    title: 'uv pip, not bare pip',
    checks: 'RUN steps install with `uv pip install`, not a bare `pip install`.',
    violation: 'RUN pip install foo',
    fix: 'Use `uv pip install foo` in the activated venv.',
    origin: 'vast',
  },
  {
    code: 'L040',
    severity: 'error',
    title: 'No placeholders left',
    checks:
      'No CHANGEME, CHANGEPORT or `>>> FILL` marker remains in the Dockerfile, READMEs, ROOT/** or templates/**.',
    violation: 'tag: "CHANGEME"',
    fix: 'Fill in the value the marker asks for.',
    origin: 'vast',
  },
  {
    code: 'L050',
    severity: 'error',
    title: 'compute_cap floor',
    checks:
      'Each template.yml is valid YAML and each entry has a numeric extra_filters.compute_cap floor (gte, gt, eq or a scalar).',
    violation: 'compute_cap: {gte: null}',
    fix: 'Add extra_filters: {compute_cap: {gte: 750}} (sm × 10).',
    origin: 'vast',
  },
  {
    code: 'L051',
    severity: 'error',
    title: 'Launch scripts are executable',
    checks: 'ROOT/opt/supervisor-scripts/*.sh have an execute bit: the conf runs them directly.',
    violation: 'a 0644 foo.sh',
    fix: 'chmod +x the script (git keeps the mode).',
    origin: 'vast',
  },
  {
    code: 'L052',
    severity: 'error',
    title: 'README uses <<LAUNCH_LINK>>',
    checks: 'templates/*/README.md has no hardcoded cloud.vast.ai link with ref_id= or creator_id=.',
    violation: '[Rent](https://cloud.vast.ai/?ref_id=525202)',
    fix: 'Write <<LAUNCH_LINK>>; the publisher substitutes its own referral link.',
    origin: 'vast',
  },
  {
    code: 'L053',
    severity: 'error',
    title: 'No baked model weights',
    checks:
      'No RUN downloads models (hf download, huggingface-cli download, hf_hub_download(, snapshot_download() or fetches .safetensors/.gguf/.ckpt/.pth/.onnx with wget or curl.',
    violation: 'RUN wget https://…/model.safetensors',
    fix: 'Download models at runtime (provisioning script or <APP>_MODEL).',
    origin: 'vast',
  },
  {
    code: 'L054',
    severity: 'error',
    title: 'VRAM filter keys',
    checks:
      'A VRAM floor uses gpu_ram or gpu_total_ram with a numeric MB value; vram, gpu_vram, gpu_mem, gpu_memory, gpu_ram_gb, gpu_ram_mb, gpu_ram_total, total_ram and min_vram are not Vast filters.',
    violation: 'vram: {gte: 24}',
    fix: 'Write gpu_ram: {gte: 24576} (MB per GPU) or gpu_total_ram.',
    origin: 'vast',
  },
  {
    code: 'L055',
    severity: 'error',
    title: 'External images set TCLLIBPATH',
    checks:
      "An external image sets ENV TCLLIBPATH=/usr/lib/tcltk/default (it does not inherit the base image's ENV, and unbuffer needs it).",
    violation: 'no TCLLIBPATH in an external Dockerfile',
    fix: 'Add ENV TCLLIBPATH=/usr/lib/tcltk/default.',
    origin: 'vast',
  },
  {
    code: 'L058',
    severity: 'error',
    title: 'Disk filter covers the requested disk',
    checks:
      'When recommended_disk_space is set, extra_filters.disk_space has a floor at least that large, so offers can hold the disk the instance requests.',
    violation: 'recommended_disk_space: 16 with disk_space: {gte: 8}',
    fix: 'Set extra_filters.disk_space: {gte: <recommended_disk_space>}.',
    origin: 'vast',
  },
  {
    code: 'L068',
    severity: 'error',
    title: 'Guarded VAST_TCP_PORT_* in listen addresses',
    checks:
      'Shipped scripts do not interpolate VAST_TCP_PORT_n / VAST_UDP_PORT_n into a listen address unguarded (it is unset outside Vast and for unmapped ports).',
    violation: '--listen tcp://0.0.0.0:${VAST_TCP_PORT_72299}',
    fix: 'Use ${VAST_TCP_PORT_72299:-72299} or check [[ -n ${VAST_TCP_PORT_72299} ]] first.',
    origin: 'vast',
  },
  {
    code: 'TS101',
    severity: 'warning',
    title: 'ENTRYPOINT replaced in SSH/Jupyter mode',
    checks:
      "An image with its own ENTRYPOINT (other than Vast's entrypoint.sh) used by a template whose runtype is ssh or jupyter: Vast replaces the ENTRYPOINT in those modes, so it never runs.",
    violation: 'ENTRYPOINT ["/start.sh"] with runtype: jupyter',
    fix: 'Start services from supervisor confs or onstart, or use runtype: args.',
    origin: 'studio',
  },
  {
    code: 'TS102',
    severity: 'warning',
    title: 'Supervisor script waits for provisioning',
    checks:
      'A supervisor launch script waits while /.provisioning exists before starting its app (models and packages may still be arriving).',
    violation: 'a script that runs the app straight after sourcing the utils',
    fix: 'Add `while [ -f "/.provisioning" ]; do sleep 5; done` before starting the app.',
    origin: 'studio',
  },
  {
    code: 'TS103',
    severity: 'error',
    title: 'PORTAL_CONFIG external port in ports',
    checks:
      "Every PORTAL_CONFIG entry's external port (the one Caddy listens on) is listed in `ports`, or Vast never maps it. Says so when the entry looks inverted.",
    violation: 'PORTAL_CONFIG localhost:8188:18188:/:ComfyUI with ports ["1111:1111"]',
    fix: 'Add "8188:8188" to ports (and bind the app to 127.0.0.1:18188).',
    origin: 'studio',
  },
  {
    code: 'TS104',
    severity: 'warning',
    title: 'OPEN_BUTTON_PORT is a portal port',
    checks: 'OPEN_BUTTON_PORT names an external port of a PORTAL_CONFIG entry and is in `ports`.',
    violation: 'OPEN_BUTTON_PORT: "8188" with no entry on 8188',
    fix: "Point OPEN_BUTTON_PORT at 1111 (the Instance Portal) or at an app's external port.",
    origin: 'studio',
  },
  {
    code: 'TS105',
    severity: 'error',
    title: 'At most 64 ports',
    checks: "A template opens at most 64 ports (Vast's per-instance limit).",
    violation: '65 entries in ports',
    fix: 'Drop ports nobody connects to; put apps behind the portal.',
    origin: 'studio',
  },
  {
    code: 'TS106',
    severity: 'warning',
    title: 'Env visible to SSH sessions',
    checks:
      "A template in SSH/Jupyter mode that sets env vars on an image which does not export them to /etc/environment: SSH and Jupyter terminal sessions will not see them (Vast's images do this at boot).",
    violation: 'env: {MODEL: x} on ubuntu:22.04 with runtype: ssh',
    fix: 'Use a vastai/* image, or export the variables to /etc/environment in onstart.',
    origin: 'studio',
  },
  {
    code: 'TS107',
    severity: 'error',
    title: 'Known template.yml keys only',
    checks: "template.yml entries only use keys Vast's template model knows (it forbids extra keys).",
    violation: 'colour: red',
    fix: 'Remove the key or fix its spelling.',
    origin: 'studio',
  },
  {
    code: 'TS108',
    severity: 'error',
    title: 'template.yml values have the right types',
    checks:
      'Each entry has a name, strings where Vast expects strings (quote numeric tags), booleans and numbers where it expects them, and ports as a list.',
    violation: 'tag: 2024.1 (a number)',
    fix: 'Quote the value or use the expected type.',
    origin: 'studio',
  },
  {
    code: 'TS109',
    severity: 'error',
    title: 'PORTAL_CONFIG parses',
    checks:
      'PORTAL_CONFIG parses as the caddy manager reads it: `|`-separated hostname:external:internal:path:name entries with whole-number ports and no empty entry.',
    violation: 'PORTAL_CONFIG ending in "|"',
    fix: 'Remove the empty entry or fill in the missing fields.',
    origin: 'studio',
  },
  {
    code: 'TS110',
    severity: 'warning',
    title: 'App binds its internal port',
    checks:
      'A supervisor script does not bind an app to a PORTAL_CONFIG external port that differs from the internal one (Caddy listens there).',
    violation: '--port 8188 with localhost:8188:18188:/:ComfyUI',
    fix: 'Bind the app to 127.0.0.1 on the internal port (18188).',
    origin: 'studio',
  },
  {
    code: 'TS111',
    severity: 'error',
    title: 'env string closes its quotes',
    checks:
      "An env given as a string of docker flags ends with every quote closed and no lone backslash, so it splits into words the way Vast's Python tooling (shlex) splits it.",
    violation: 'env: -e PROMPT="hello -p 8080:8080',
    fix: 'Close the quote (-e PROMPT="hello") or write env as a mapping.',
    origin: 'studio',
  },
  {
    code: 'TS112',
    severity: 'warning',
    title: "args_str is Vast's API field, not create.py's",
    checks:
      "A template.yml entry that sets args_str, the arguments an args-mode template passes to the image's ENTRYPOINT (the field Vast's template API keeps them in). Local runs and tstudio's publish use it, but create.py's model forbids keys it does not know, so Vast's own tooling refuses the file.",
    violation: 'args_str: --port 8000 (published with create.py)',
    fix: "Keep it if you publish with tstudio; for create.py, remove it and give the args in Vast's template editor.",
    origin: 'studio',
  },
] as const satisfies readonly RuleSpec[];

export type RuleCode = (typeof RULES)[number]['code'];

export function ruleByCode(code: RuleCode): RuleSpec {
  return RULES.find((r) => r.code === code)!;
}
