import { useMemo, useState } from 'react';
import type { ManifestEditData, ManifestViewData } from './templates-store';

type Entry = ManifestViewData['entries'][number];
type PortalRowData = {
  hostname: string;
  externalPort: number;
  internalPort: number;
  openPath: string;
  name: string;
};
type FilterRow = { key: string; op: string; value: string };

interface Draft {
  image: string;
  tag: string;
  runtype: string;
  sshDirect: boolean;
  jupDirect: boolean;
  env: [string, string][];
  ports: string[];
  portal: PortalRowData[] | null;
  onstart: string;
  disk: string;
  filters: FilterRow[];
}

const OPS = ['gte', 'gt', 'lte', 'lt', 'eq', 'neq'] as const;

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

function draftOf(entry: Entry): Draft {
  const v = entry.values;
  const filters: FilterRow[] = [];
  const raw = v.extra_filters;
  if (raw && typeof raw === 'object') {
    for (const [key, cond] of Object.entries(raw as Record<string, unknown>)) {
      if (cond && typeof cond === 'object') {
        for (const [op, value] of Object.entries(cond as Record<string, unknown>))
          filters.push({ key, op, value: str(value) });
      } else filters.push({ key, op: 'eq', value: str(cond) });
    }
  }
  return {
    image: str(v.image),
    tag: str(v.tag),
    runtype: str(v.runtype) || 'args',
    sshDirect: v.ssh_direct === true,
    jupDirect: v.jup_direct === true,
    env: entry.env.filter(([k]) => k !== 'PORTAL_CONFIG').map(([k, val]) => [k, val]),
    ports: [...entry.ports],
    portal: entry.portal.ok ? entry.portal.rows.map((r) => ({ ...r })) : null,
    onstart: str(v.onstart),
    disk: str(v.recommended_disk_space),
    filters,
  };
}

function filterValue(text: string): number | string | boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** The edits that turn `before` into `after`, as the service expects them. */
function diff(entry: number, before: Draft, after: Draft): ManifestEditData[] {
  const edits: ManifestEditData[] = [];
  const set = (field: 'image' | 'tag' | 'runtype', a: string, b: string) => {
    if (a !== b) edits.push({ op: 'set', entry, field, value: b === '' ? null : b });
  };
  set('image', before.image, after.image);
  set('tag', before.tag, after.tag);
  set('runtype', before.runtype, after.runtype);
  if (before.sshDirect !== after.sshDirect)
    edits.push({ op: 'setFlag', entry, field: 'ssh_direct', value: after.sshDirect });
  if (before.jupDirect !== after.jupDirect)
    edits.push({ op: 'setFlag', entry, field: 'jup_direct', value: after.jupDirect });
  const beforeEnv = new Map(before.env);
  const afterEnv = new Map(after.env.filter(([k]) => k.trim() !== ''));
  for (const [k, v] of afterEnv)
    if (beforeEnv.get(k) !== v) edits.push({ op: 'setEnv', entry, key: k, value: v });
  for (const k of beforeEnv.keys())
    if (!afterEnv.has(k)) edits.push({ op: 'setEnv', entry, key: k, value: null });
  if (JSON.stringify(before.ports) !== JSON.stringify(after.ports))
    edits.push({ op: 'setPorts', entry, ports: after.ports });
  if (after.portal && JSON.stringify(before.portal) !== JSON.stringify(after.portal))
    edits.push({ op: 'setPortalRows', entry, rows: after.portal });
  if (before.onstart !== after.onstart)
    edits.push({ op: 'setOnstart', entry, value: after.onstart === '' ? null : after.onstart });
  if (before.disk !== after.disk)
    edits.push({ op: 'setDisk', entry, gb: after.disk.trim() === '' ? null : Number(after.disk) });
  const group = (rows: FilterRow[]) => {
    const m = new Map<string, Record<string, unknown>>();
    for (const r of rows)
      if (r.key.trim()) m.set(r.key, { ...(m.get(r.key) ?? {}), [r.op]: filterValue(r.value) });
    return m;
  };
  const bf = group(before.filters);
  const af = group(after.filters);
  for (const [k, cond] of af)
    if (JSON.stringify(bf.get(k)) !== JSON.stringify(cond))
      edits.push({ op: 'setFilter', entry, key: k, condition: cond });
  for (const k of bf.keys()) if (!af.has(k)) edits.push({ op: 'setFilter', entry, key: k, condition: null });
  return edits;
}

/** Keyed by the manifest's text where it is used, so a saved or changed file starts a fresh draft. */
export function ManifestForm({
  entry,
  onSave,
  saving,
}: {
  entry: Entry;
  onSave: (edits: ManifestEditData[]) => Promise<boolean>;
  saving: boolean;
}) {
  const initial = useMemo(() => draftOf(entry), [entry]);
  const [draft, setDraft] = useState<Draft>(initial);
  const [newPort, setNewPort] = useState('');
  const edits = useMemo(() => diff(entry.index, initial, draft), [entry.index, initial, draft]);
  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <form
      className="manifest-form"
      aria-label="Template manifest"
      onSubmit={(e) => {
        e.preventDefault();
        void onSave(edits);
      }}
      onKeyDown={(e) => {
        if ((e.ctrlKey || e.metaKey) && e.key === 's') {
          e.preventDefault();
          if (edits.length > 0) void onSave(edits);
        }
      }}
    >
      <fieldset>
        <legend>Image</legend>
        <div className="field-row">
          <label className="field">
            Image
            <input value={draft.image} onChange={(e) => update({ image: e.target.value })} />
          </label>
          <label className="field field-narrow">
            Tag
            <input value={draft.tag} onChange={(e) => update({ tag: e.target.value })} />
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Launch mode</legend>
        <div className="field-row">
          <label className="field field-narrow">
            Mode
            <select value={draft.runtype} onChange={(e) => update({ runtype: e.target.value })}>
              <option value="ssh">SSH</option>
              <option value="jupyter">Jupyter</option>
              <option value="args">Entrypoint / args</option>
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.sshDirect}
              onChange={(e) => update({ sshDirect: e.target.checked })}
            />{' '}
            SSH direct
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.jupDirect}
              onChange={(e) => update({ jupDirect: e.target.checked })}
            />{' '}
            Jupyter direct
          </label>
          <label className="field field-narrow">
            Disk (GB)
            <input
              inputMode="decimal"
              value={draft.disk}
              onChange={(e) => update({ disk: e.target.value })}
            />
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Ports</legend>
        <ul className="chips" aria-label="Ports">
          {draft.ports.map((p, i) => (
            <li key={`${p}-${i}`} className="chip">
              {p}
              <button
                type="button"
                aria-label={`Remove port ${p}`}
                onClick={() => update({ ports: draft.ports.filter((_, j) => j !== i) })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <div className="field-row">
          <input
            aria-label="New port"
            placeholder="8080:8080"
            value={newPort}
            onChange={(e) => setNewPort(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                if (newPort.trim()) update({ ports: [...draft.ports, newPort.trim()] });
                setNewPort('');
              }
            }}
          />
          <button
            type="button"
            onClick={() => {
              if (newPort.trim()) update({ ports: [...draft.ports, newPort.trim()] });
              setNewPort('');
            }}
          >
            Add port
          </button>
        </div>
      </fieldset>
      <fieldset>
        <legend>PORTAL_CONFIG</legend>
        {draft.portal === null ? (
          <p className="banner banner-error">
            {entry.portal.ok ? '' : `PORTAL_CONFIG does not parse: ${entry.portal.error}`}
          </p>
        ) : (
          <table className="grid-table" aria-label="PORTAL_CONFIG rows">
            <thead>
              <tr>
                <th>Host</th>
                <th>External</th>
                <th>Internal</th>
                <th>Path</th>
                <th>Name</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {draft.portal.map((row, i) => {
                const setRow = (patch: Partial<PortalRowData>) =>
                  update({ portal: draft.portal!.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
                return (
                  <tr key={i}>
                    <td>
                      <input
                        aria-label="Hostname"
                        value={row.hostname}
                        onChange={(e) => setRow({ hostname: e.target.value })}
                      />
                    </td>
                    <td>
                      <input
                        aria-label="External port"
                        inputMode="numeric"
                        value={row.externalPort}
                        onChange={(e) => setRow({ externalPort: Number(e.target.value) || 0 })}
                      />
                    </td>
                    <td>
                      <input
                        aria-label="Internal port"
                        inputMode="numeric"
                        value={row.internalPort}
                        onChange={(e) => setRow({ internalPort: Number(e.target.value) || 0 })}
                      />
                    </td>
                    <td>
                      <input
                        aria-label="Open path"
                        value={row.openPath}
                        onChange={(e) => setRow({ openPath: e.target.value })}
                      />
                    </td>
                    <td>
                      <input
                        aria-label="Name"
                        value={row.name}
                        onChange={(e) => setRow({ name: e.target.value })}
                      />
                    </td>
                    <td>
                      <button
                        type="button"
                        aria-label={`Remove ${row.name}`}
                        onClick={() => update({ portal: draft.portal!.filter((_, j) => j !== i) })}
                      >
                        ×
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {draft.portal !== null ? (
          <button
            type="button"
            onClick={() =>
              update({
                portal: [
                  ...draft.portal!,
                  {
                    hostname: 'localhost',
                    externalPort: 8000,
                    internalPort: 18000,
                    openPath: '/',
                    name: 'My App',
                  },
                ],
              })
            }
          >
            Add row
          </button>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Environment</legend>
        <table className="grid-table" aria-label="Environment variables">
          <tbody>
            {draft.env.map(([k, v], i) => (
              <tr key={i}>
                <td>
                  <input
                    aria-label="Variable name"
                    value={k}
                    onChange={(e) =>
                      update({ env: draft.env.map((p, j) => (j === i ? [e.target.value, p[1]] : p)) })
                    }
                  />
                </td>
                <td className="grow">
                  <input
                    aria-label={`Value of ${k}`}
                    value={v}
                    onChange={(e) =>
                      update({ env: draft.env.map((p, j) => (j === i ? [p[0], e.target.value] : p)) })
                    }
                  />
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={`Remove ${k}`}
                    onClick={() => update({ env: draft.env.filter((_, j) => j !== i) })}
                  >
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={() => update({ env: [...draft.env, ['', '']] })}>
          Add variable
        </button>
      </fieldset>
      <fieldset>
        <legend>On start</legend>
        <textarea
          aria-label="onstart script"
          rows={3}
          value={draft.onstart}
          onChange={(e) => update({ onstart: e.target.value })}
        />
      </fieldset>
      <fieldset>
        <legend>Offer filters (extra_filters)</legend>
        <table className="grid-table" aria-label="Offer filters">
          <tbody>
            {draft.filters.map((f, i) => {
              const setF = (patch: Partial<FilterRow>) =>
                update({ filters: draft.filters.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
              return (
                <tr key={i}>
                  <td>
                    <input
                      aria-label="Filter field"
                      value={f.key}
                      onChange={(e) => setF({ key: e.target.value })}
                    />
                  </td>
                  <td>
                    <select aria-label="Operator" value={f.op} onChange={(e) => setF({ op: e.target.value })}>
                      {OPS.map((op) => (
                        <option key={op}>{op}</option>
                      ))}
                    </select>
                  </td>
                  <td className="grow">
                    <input
                      aria-label="Filter value"
                      value={f.value}
                      onChange={(e) => setF({ value: e.target.value })}
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      aria-label={`Remove filter ${f.key}`}
                      onClick={() => update({ filters: draft.filters.filter((_, j) => j !== i) })}
                    >
                      ×
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <button
          type="button"
          onClick={() =>
            update({ filters: [...draft.filters, { key: 'gpu_ram', op: 'gte', value: '16384' }] })
          }
        >
          Add filter
        </button>
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={saving || edits.length === 0}>
          {saving
            ? 'Saving…'
            : edits.length === 0
              ? 'Saved'
              : `Save ${edits.length} change${edits.length === 1 ? '' : 's'}`}
        </button>
        <button type="button" disabled={edits.length === 0} onClick={() => setDraft(initial)}>
          Discard
        </button>
        {entry.dockerFlags ? (
          <details className="flags">
            <summary>What Vast receives as env</summary>
            <code>{entry.dockerFlags}</code>
          </details>
        ) : null}
      </div>
    </form>
  );
}
