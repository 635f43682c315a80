/** Dollars with the precision a price per hour needs: $0.151/h, $12.40. */
export function money(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `$${value.toFixed(value !== 0 && Math.abs(value) < 1 && digits < 3 ? 3 : digits)}`;
}

/** A cost so far: cents are enough, and a few seconds of use is "< $0.01", not "$0.000". */
export function cost(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value > 0 && value < 0.01) return '< $0.01';
  return `$${value.toFixed(2)}`;
}

export function perHour(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${money(value, 3)}/h`;
}

/** 3 d 4 h, 5 h 12 min, 42 s. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function gb(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `${value >= 100 ? Math.round(value) : Number(value.toFixed(1))} GB`;
}

/** Vast reports VRAM per GPU in MB (24576 for a 24 GB card). */
export function vramGb(mb: number): string {
  return `${Math.round(mb / 1024)} GB`;
}

export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `${(value * 100).toFixed(1)}%`;
}

export function mbps(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value >= 1000 ? `${(value / 1000).toFixed(1)} Gb/s` : `${Math.round(value)} Mb/s`;
}

/** A text field's number, or undefined when it is empty or not a number. */
export function numberOrUndefined(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}
