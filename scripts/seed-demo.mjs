// Demo data for `./guichet start`: logs in as the development administrator and imports the demo
// tariff grids (examples, not any city's real prices). Grids already there are left as they are.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const [accounts, tariffs, email, password] = process.argv.slice(2);
const demoDir = join(import.meta.dirname, '..', 'apps', 'tariffs', 'demo');

const login = await fetch(`${accounts}/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email, password }),
});
if (!login.ok) throw new Error(`administrator login failed: ${login.status} ${await login.text()}`);
const { accessToken } = await login.json();

for (const file of (await readdir(demoDir)).filter((name) => name.endsWith('.grid.json')).sort()) {
  const response = await fetch(`${tariffs}/grids`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: await readFile(join(demoDir, file), 'utf8'),
  });
  if (response.status !== 201 && response.status !== 409) {
    throw new Error(`${file}: ${response.status} ${await response.text()}`);
  }
  console.log(`demo grid ${file}: ${response.status === 201 ? 'imported' : 'already there'}`);
}
