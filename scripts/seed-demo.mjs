// Demo data for `./guichet start`: logs in as the development administrator and imports the demo
// tariff grids (examples, not any city's real prices) and the demo catalogue of enrolments (invented
// sites and offers). What is already there is left as it is.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const [accounts, tariffs, email, password, enrolments] = process.argv.slice(2);
const demoDir = join(import.meta.dirname, '..', 'apps', 'tariffs', 'demo');

const login = await fetch(`${accounts}/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email, password }),
});
if (!login.ok) throw new Error(`administrator login failed: ${login.status} ${await login.text()}`);
const { accessToken } = await login.json();

/** POSTs one demo item; 409 means it is there already. */
async function create(url, body, label) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (response.status !== 201 && response.status !== 409) {
    throw new Error(`${label}: ${response.status} ${await response.text()}`);
  }
  console.log(`${label}: ${response.status === 201 ? 'imported' : 'already there'}`);
}

for (const file of (await readdir(demoDir)).filter((name) => name.endsWith('.grid.json')).sort()) {
  await create(`${tariffs}/grids`, await readFile(join(demoDir, file), 'utf8'), `demo grid ${file}`);
}

if (enrolments) {
  const catalogue = JSON.parse(
    await readFile(join(import.meta.dirname, '..', 'apps', 'enrolments', 'demo', 'catalogue.json'), 'utf8'),
  );
  for (const site of catalogue.sites) await create(`${enrolments}/sites`, site, `demo site ${site.id}`);
  for (const period of catalogue.periods)
    await create(`${enrolments}/periods`, period, `demo period ${period.id}`);
  for (const offer of catalogue.offers) await create(`${enrolments}/offers`, offer, `demo offer ${offer.id}`);
}
