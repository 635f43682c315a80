// Reading a Chromium trace (browser.startTracing / stopTracing) for the benches that profile a page.

/** The renderer main threads ("pid:tid") in a trace: where a page's script, style, layout and paint run. */
export function rendererMainThreads(traceEvents) {
  return new Set(
    traceEvents
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
}

/** Milliseconds of complete ('X') events per name, for the names asked, on the threads given. */
export function msByName(traceEvents, threads, names) {
  const sums = {};
  for (const e of traceEvents)
    if (e.ph === 'X' && threads.has(`${e.pid}:${e.tid}`) && names.includes(e.name))
      sums[e.name] = (sums[e.name] ?? 0) + e.dur / 1000;
  return sums;
}
