import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../../../shared/errors';
import type { VastTemplateData } from './schemas';
import { fillReadme, loadTemplateSource, type TemplateSource } from './template-source';
import type { VastClient, VastTemplateBody } from './vast-client';

interface Mapping {
  id: number;
  hashId: string;
  name: string;
  updatedAt: number;
}
type MappingFile = Record<string, Record<string, Mapping>>;

export const TEMPLATE_MAP_FILE = 'vast-templates.json';

/** template.yml -> the body POST/PUT /template/ take, as create.py builds it. */
export function templateBody(t: TemplateSource, userId: number | null): VastTemplateBody {
  const runtype = t.runtype.startsWith('jupyter') ? 'jupyter' : t.runtype.startsWith('ssh') ? 'ssh' : 'args';
  return {
    name: t.name,
    image: t.image,
    tag: t.tag,
    href: t.href,
    repo: t.repo,
    env: t.foldedEnv,
    onstart: t.onstart,
    runtype,
    use_ssh: t.useSsh || runtype !== 'args',
    ssh_direct: t.sshDirect,
    jup_direct: t.jupDirect,
    use_jupyter_lab: t.useJupyterLab,
    jupyter_dir: t.jupyterDir,
    docker_login_repo: t.dockerLoginRepo,
    extra_filters: t.extraFilters,
    recommended_disk_space: t.recommendedDiskSpace,
    readme: t.readme === null ? null : fillReadme(t.readme, t.name, userId),
    readme_visible: t.readmeVisible,
    desc: t.desc,
    private: t.private,
    ...(t.argsStr ? { args_str: t.argsStr } : {}),
  };
}

/**
 * Publishes template.yml files as Vast templates and remembers which Vast template each became.
 * An edit gets a new hash_id from Vast (the id stays), so the mapping is what lets "update" find
 * the template again and what the instance launch must use (template_hash_id).
 */
export class TemplatePublisher {
  private readonly file: string;

  constructor(
    private readonly client: VastClient,
    dataDir: string,
  ) {
    this.file = join(dataDir, TEMPLATE_MAP_FILE);
  }

  async publish(
    path: string,
    signal?: AbortSignal,
  ): Promise<{ id: number; hashId: string; action: 'created' | 'updated' }> {
    const source = loadTemplateSource(path);
    const user = await this.client.currentUser(signal);
    const body = templateBody(source, user.id ?? null);
    const key = mappingKey(source);
    const known = this.read()[this.client.baseUrl]?.[key];
    if (known) {
      try {
        const edited = await this.client.editTemplate(known.hashId, body, signal);
        this.remember(key, { ...edited, name: source.name, updatedAt: Date.now() });
        return { ...edited, action: 'updated' };
      } catch (err) {
        // Deleted on Vast since: publish it anew.
        if (!(err instanceof AppError) || err.code !== 'NOT_FOUND') throw err;
      }
    }
    const created = await this.client.createTemplate(body, signal);
    this.remember(key, { ...created, name: source.name, updatedAt: Date.now() });
    return { ...created, action: 'created' };
  }

  async delete(id: number, signal?: AbortSignal): Promise<void> {
    await this.client.deleteTemplate({ id }, signal);
    const all = this.read();
    const forServer = all[this.client.baseUrl] ?? {};
    for (const [k, m] of Object.entries(forServer)) if (m.id === id) delete forServer[k];
    all[this.client.baseUrl] = forServer;
    this.write(all);
  }

  /** The account's own templates (Vast's search also returns public ones). */
  async list(signal?: AbortSignal): Promise<{ template: VastTemplateData; publishedByApp: boolean }[]> {
    const user = await this.client.currentUser(signal);
    const filters = user.id === null || user.id === undefined ? {} : { creator_id: { eq: user.id } };
    const templates = (await this.client.searchTemplates(filters, signal)).filter(
      (t) => user.id == null || t.creator_id === user.id,
    );
    const ours = new Set(Object.values(this.read()[this.client.baseUrl] ?? {}).map((m) => m.id));
    return templates.map((template) => ({ template, publishedByApp: ours.has(template.id) }));
  }

  /** The current hash of a published template.yml, for launching with template_hash_id. */
  knownHash(path: string): string | null {
    const source = loadTemplateSource(path);
    return this.read()[this.client.baseUrl]?.[mappingKey(source)]?.hashId ?? null;
  }

  private remember(key: string, m: Mapping): void {
    const all = this.read();
    all[this.client.baseUrl] = { ...(all[this.client.baseUrl] ?? {}), [key]: m };
    this.write(all);
  }

  private read(): MappingFile {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as MappingFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new AppError(
        'IO',
        `Could not read ${this.file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  private write(all: MappingFile): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

function mappingKey(t: TemplateSource): string {
  return `${t.file}#${t.name}`;
}
