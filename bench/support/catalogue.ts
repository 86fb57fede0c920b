import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonAnswer, requestJson, root } from '@guichet/testing';

/** The canteen grid the offers are priced with (the demo grid, under the bench's own id). */
export const BENCH_GRID = 'bench-cantine';

export async function must(answer: Promise<JsonAnswer>, ...statuses: number[]): Promise<JsonAnswer> {
  const got = await answer;
  if (!statuses.includes(got.status)) {
    throw new Error(`expected ${statuses.join(' or ')}, got ${got.status}: ${JSON.stringify(got.body)}`);
  }
  return got;
}

/**
 * What finance and the agents set up before opening day: the grid in tariffs, a site, a school year
 * and `offers` first-come-first-served canteen offers of `capacity` places each, open now.
 */
export async function openCatalogue(
  urls: { enrolments: string; tariffs: string },
  token: string,
  offers: number,
  capacity: number,
): Promise<string[]> {
  const grid = JSON.parse(readFileSync(join(root, 'apps', 'tariffs', 'demo', 'cantine.grid.json'), 'utf8'));
  await must(requestJson(`${urls.tariffs}/grids`, 'POST', { token, body: { ...grid, id: BENCH_GRID } }), 201);
  const site = { id: 'bench-site', name: 'Bench', kind: 'school' };
  await must(requestJson(`${urls.enrolments}/sites`, 'POST', { token, body: site }), 201);
  const period = {
    id: 'bench-year',
    label: 'Bench',
    startsOn: '2027-09-01',
    endsOn: '2028-07-01',
    weekdays: [1, 2, 4, 5],
  };
  await must(requestJson(`${urls.enrolments}/periods`, 'POST', { token, body: period }), 201);
  const ids = Array.from({ length: offers }, (_, i) => `bench-offer-${i}`);
  for (const [i, id] of ids.entries()) {
    const offer = {
      id,
      service: 'cantine',
      siteId: site.id,
      periodId: period.id,
      label: `Bench offer ${i}`,
      capacity,
      tariffGridId: BENCH_GRID,
      eligibility: {},
      procedure: {
        mode: 'fcfs',
        opensAt: '2026-01-01T00:00:00Z',
        closesAt: '2028-06-30T00:00:00Z',
        placeOfferMinutes: 2880,
      },
    };
    await must(requestJson(`${urls.enrolments}/offers`, 'POST', { token, body: offer }), 201);
  }
  return ids;
}
