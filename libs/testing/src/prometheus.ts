/**
 * The value of the first sample of a Prometheus text scrape whose line starts with `prefix` and holds
 * every label, e.g. `metricSample(text, 'guichet_queue_jobs{', 'state="waiting"')`; undefined if none.
 */
export function metricSample(scrape: string, prefix: string, ...labels: string[]): number | undefined {
  const line = scrape
    .split('\n')
    .find((text) => text.startsWith(prefix) && labels.every((label) => text.includes(label)));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}
