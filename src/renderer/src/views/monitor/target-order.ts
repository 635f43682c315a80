import type { TargetData } from './monitor-api';

/**
 * What a poll costs the renderer is mostly what React and the list redo for 500 rows. These helpers
 * keep that work proportional to what changed: objects that did not change stay the same objects
 * (so memo'd rows skip), and the list's order is re-sorted only when a poll broke it.
 */

function sameValues(a: TargetData['latest'], b: TargetData['latest']): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return (
    a.gpuUtil === b.gpuUtil &&
    a.gpuMem === b.gpuMem &&
    a.cpu === b.cpu &&
    a.mem === b.mem &&
    a.disk === b.disk &&
    a.netRx === b.netRx &&
    a.netTx === b.netTx
  );
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** True when two readings of a target would show the same thing everywhere. */
export function sameTarget(a: TargetData, b: TargetData): boolean {
  return (
    a.key === b.key &&
    a.name === b.name &&
    a.state === b.state &&
    a.rawState === b.rawState &&
    a.statusMsg === b.statusMsg &&
    a.gpuName === b.gpuName &&
    a.dphTotal === b.dphTotal &&
    a.ratePerHour === b.ratePerHour &&
    a.costSoFar === b.costSoFar &&
    a.costToday === b.costToday &&
    a.budgetUsd === b.budgetUsd &&
    a.idleSince === b.idleSince &&
    sameList(a.attention, b.attention) &&
    sameValues(a.latest, b.latest)
  );
}

/**
 * Structural sharing for a poll's targets: each target equal to its previous reading is replaced by
 * that previous object, and the whole array by the previous array when nothing changed at all.
 */
export function shareTargets(prev: readonly TargetData[] | undefined, next: TargetData[]): TargetData[] {
  if (!prev || prev.length === 0) return next;
  const byKey = new Map<string, TargetData>();
  for (const t of prev) byKey.set(t.key, t);
  let changed = prev.length !== next.length;
  const out = next.map((t, i) => {
    const old = byKey.get(t.key);
    if (old && sameTarget(old, t)) {
      if (prev[i] !== old) changed = true;
      return old;
    }
    changed = true;
    return t;
  });
  return changed ? out : (prev as TargetData[]);
}

/** 0 failed, 1 over budget, 2 idle: the three that need attention; then running, booting, the rest. */
export function rankOf(t: TargetData): number {
  if (t.attention.includes('failed')) return 0;
  if (t.attention.includes('over-budget')) return 1;
  if (t.attention.includes('idle')) return 2;
  if (t.state === 'running') return 3;
  if (t.state === 'loading' || t.state === 'provisioning') return 4;
  return 5;
}
export const ATTENTION_RANKS = 3;

/**
 * Plain string comparison: localeCompare costs milliseconds over 500 rows on every poll.
 */
function compare(a: TargetData, ra: number, b: TargetData, rb: number): number {
  return (
    ra - rb ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

/** Failed first, then over budget, idle, then the rest (running before stopped), by name. */
export function attentionOrder(targets: readonly TargetData[]): TargetData[] {
  const keyed = targets.map((t) => ({ t, rank: rankOf(t) }));
  keyed.sort((a, b) => compare(a.t, a.rank, b.t, b.rank));
  return keyed.map((k) => k.t);
}

/**
 * The targets in attention order, reusing the previous order when it still holds: one pass over the
 * list checks that the same targets are still in order (the usual poll: costs and readings moved,
 * nobody changed state or name), and only a broken order is sorted again. The same array comes
 * back when neither the order nor any target changed.
 */
export function stableOrder(
  prev: readonly TargetData[] | null,
  targets: readonly TargetData[],
): TargetData[] {
  if (!prev || prev.length !== targets.length) return attentionOrder(targets);
  const byKey = new Map<string, TargetData>();
  for (const t of targets) byKey.set(t.key, t);
  const next: TargetData[] = new Array<TargetData>(prev.length);
  let same = true;
  let before: TargetData | null = null;
  let beforeRank = 0;
  for (let i = 0; i < prev.length; i++) {
    const t = byKey.get(prev[i]!.key);
    if (!t) return attentionOrder(targets);
    const rank = rankOf(t);
    if (before && compare(before, beforeRank, t, rank) > 0) return attentionOrder(targets);
    next[i] = t;
    if (t !== prev[i]) same = false;
    before = t;
    beforeRank = rank;
  }
  return same ? (prev as TargetData[]) : next;
}
