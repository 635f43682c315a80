import { useState } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { numberOrUndefined } from './format';
import { OffersTable, type SortState } from './OffersTable';
import { useVastStore, type OfferFiltersData, type OfferRowData } from './vast-store';

/** GPU names as Vast spells them, offered as suggestions (any name can be typed). */
const GPU_SUGGESTIONS = [
  'RTX 3090',
  'RTX 4090',
  'RTX 5090',
  'RTX A6000',
  'RTX 6000Ada',
  'L40S',
  'A100 PCIE',
  'A100 SXM4',
  'H100 PCIE',
  'H100 SXM',
  'H200',
];

interface FilterForm {
  gpuName: string;
  numGpus: string;
  minGpuRamGb: string;
  maxDphTotal: string;
  /** Percent, as people say it: 98 means 0.98. */
  minReliabilityPct: string;
  minCuda: string;
  minDiskGb: string;
  countries: string;
  verified: boolean;
  type: 'on-demand' | 'bid';
  minDirectPorts: string;
  query: string;
  templatePath: string;
  limit: string;
}

const INITIAL: FilterForm = {
  gpuName: '',
  numGpus: '',
  minGpuRamGb: '',
  maxDphTotal: '',
  minReliabilityPct: '',
  minCuda: '',
  minDiskGb: '',
  countries: '',
  verified: true,
  type: 'on-demand',
  minDirectPorts: '',
  query: '',
  templatePath: '',
  limit: '100',
};

/** The form's text -> the contract's filters; a list of problems when some field cannot be read. */
function toFilters(f: FilterForm, sort: SortState | null): { filters: OfferFiltersData; problems: string[] } {
  const problems: string[] = [];
  const num = (text: string, name: string, check: (n: number) => boolean = (n) => n > 0) => {
    const n = numberOrUndefined(text);
    if (text.trim() !== '' && (n === undefined || !check(n)))
      problems.push(`${name}: "${text}" is not valid.`);
    return n !== undefined && check(n) ? n : undefined;
  };
  const countries = f.countries
    .split(/[\s,]+/)
    .map((c) => c.trim())
    .filter(Boolean);
  const badCountry = countries.find((c) => !/^[A-Za-z]{2}$/.test(c));
  if (badCountry) problems.push(`Location: use two-letter country codes like US, DE (not "${badCountry}").`);
  const reliability = num(f.minReliabilityPct, 'Reliability', (n) => n >= 0 && n <= 100);
  const filters: OfferFiltersData = {
    gpuName: f.gpuName.trim() || undefined,
    numGpus: num(f.numGpus, 'Number of GPUs', (n) => Number.isInteger(n) && n > 0),
    minGpuRamGb: num(f.minGpuRamGb, 'VRAM per GPU'),
    maxDphTotal: num(f.maxDphTotal, '$/h max'),
    minReliability: reliability === undefined ? undefined : reliability / 100,
    minCuda: num(f.minCuda, 'CUDA'),
    minDiskGb: num(f.minDiskGb, 'Disk'),
    countries: countries.length && !badCountry ? countries.map((c) => c.toUpperCase()) : undefined,
    verified: f.verified,
    type: f.type,
    minDirectPorts: num(f.minDirectPorts, 'Direct ports', (n) => Number.isInteger(n) && n >= 0),
    query: f.query.trim() || undefined,
    order: sort ? `${sort.field}${sort.desc ? '-' : ''}` : undefined,
    limit: num(f.limit, 'Limit', (n) => Number.isInteger(n) && n > 0 && n <= 1000),
  };
  return { filters, problems };
}

/** One field per line, each value compact: reads like the query the vast CLI prints with --explain. */
function formatQuery(query: Record<string, unknown>): string {
  const lines = Object.entries(query).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}`;
}

export function OffersPanel({ onLaunch }: { onLaunch: (offer: OfferRowData) => void }) {
  const { offers, offersVersion, sentQuery, searching, offersError, search } = useVastStore();
  const [form, setForm] = useState<FilterForm>(INITIAL);
  const [sort, setSort] = useState<SortState | null>({ field: 'dph_total', desc: false });
  const [problems, setProblems] = useState<string[]>([]);

  const field = <K extends keyof FilterForm>(key: K) => ({
    value: form[key] as string,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
      setForm((f) => ({ ...f, [key]: e.target.value })),
  });

  const run = (nextSort = sort) => {
    const { filters, problems } = toFilters(form, nextSort);
    setProblems(problems);
    if (problems.length === 0) void search(filters, form.templatePath.trim() || undefined);
  };

  const onSort = (fieldName: string) => {
    // Price and the like read best ascending first; quality fields (reliability, speed, VRAM) descending.
    const descFirst = !['dph_total', 'gpu_name', 'geolocation'].includes(fieldName);
    const next =
      sort?.field === fieldName
        ? { field: fieldName, desc: !sort.desc }
        : { field: fieldName, desc: descFirst };
    setSort(next);
    if (offers !== null) run(next);
  };

  return (
    <div className="vast-offers">
      <form
        className="vast-filters"
        aria-label="Offer filters"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <div className="vast-filter-grid">
          <label className="field">
            GPU model
            <input {...field('gpuName')} list="vast-gpu-names" placeholder="any" />
            <datalist id="vast-gpu-names">
              {GPU_SUGGESTIONS.map((g) => (
                <option key={g} value={g} />
              ))}
            </datalist>
          </label>
          <label className="field">
            Number of GPUs
            <input {...field('numGpus')} inputMode="numeric" placeholder="any" />
          </label>
          <label className="field">
            VRAM per GPU ≥ (GB)
            <input {...field('minGpuRamGb')} inputMode="decimal" placeholder="any" />
          </label>
          <label className="field">
            $/h max (total)
            <input {...field('maxDphTotal')} inputMode="decimal" placeholder="any" />
          </label>
          <label className="field">
            Reliability ≥ (%)
            <input {...field('minReliabilityPct')} inputMode="decimal" placeholder="e.g. 98" />
          </label>
          <label className="field">
            CUDA at least
            <input {...field('minCuda')} inputMode="decimal" placeholder="e.g. 12.4" />
          </label>
          <label className="field">
            Disk ≥ (GB)
            <input {...field('minDiskGb')} inputMode="decimal" placeholder="any" />
          </label>
          <label className="field">
            Location (countries)
            <input {...field('countries')} placeholder="US, DE, …" />
          </label>
          <label className="field">
            Direct ports ≥
            <input {...field('minDirectPorts')} inputMode="numeric" placeholder="any" />
          </label>
          <label className="field">
            Rental
            <select {...field('type')}>
              <option value="on-demand">On-demand</option>
              <option value="bid">Interruptible (bid)</option>
            </select>
          </label>
          <label className="field">
            Show at most
            <select {...field('limit')}>
              {['50', '100', '300', '1000'].map((n) => (
                <option key={n} value={n}>
                  {n} offers
                </option>
              ))}
            </select>
          </label>
          <label className="check vast-check">
            <input
              type="checkbox"
              checked={form.verified}
              onChange={(e) => setForm((f) => ({ ...f, verified: e.target.checked }))}
            />
            Verified machines only
          </label>
        </div>
        <div className="vast-filter-wide">
          <label className="field">
            Template (its extra_filters apply)
            <input
              {...field('templatePath')}
              placeholder="optional: /path/to/template.yml or template folder"
            />
          </label>
          <label className="field">
            More conditions (vast CLI syntax)
            <input {...field('query')} spellCheck={false} placeholder="e.g. compute_cap>=800 inet_down>500" />
          </label>
          <button type="submit" className="primary vast-search" disabled={searching}>
            {searching ? 'Searching…' : 'Search offers'}
          </button>
        </div>
      </form>
      {problems.length > 0 ? (
        <div className="banner banner-error" role="alert">
          {problems.map((p) => (
            <div key={p}>{p}</div>
          ))}
        </div>
      ) : null}
      <ErrorBanner message={offersError} />
      {sentQuery ? (
        <details className="vast-query">
          <summary>
            The exact query sent <span className="muted">(POST /bundles/)</span>
          </summary>
          <pre aria-label="Query sent">{formatQuery(sentQuery)}</pre>
        </details>
      ) : null}
      {offers === null ? (
        <EmptyState title="Search the market">
          <p>
            Pick filters and search: offers show price per hour, VRAM, reliability, CUDA, network and disk,
            and launch any template onto one in its mode.
          </p>
        </EmptyState>
      ) : offers.length === 0 ? (
        <EmptyState title="No offer matches these filters">
          <p>Loosen a filter (price, reliability, VRAM, location) or allow unverified machines.</p>
        </EmptyState>
      ) : (
        <>
          <p className="muted vast-count" aria-live="polite">
            {offers.length} offers{searching ? ' (updating…)' : ''}. ↑/↓ to move, Enter to launch.
          </p>
          <OffersTable key={offersVersion} offers={offers} sort={sort} onSort={onSort} onLaunch={onLaunch} />
        </>
      )}
    </div>
  );
}
