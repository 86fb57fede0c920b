// What the benchmarks share beyond the platform itself (Platform, in @guichet/testing): the local
// stack's scripts, the machine and the store the figures were measured on.
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { mongo as driver } from 'mongoose';
import { root, round } from '@guichet/testing';

/** One of the local stack's scripts (infra/local/<server>.sh start|stop), on the ports of the environment. */
export function stackServer(server: 'kafka' | 'redis' | 'ferretdb', verb: 'start' | 'stop'): void {
  const result = spawnSync(join(root, 'infra', 'local', `${server}.sh`), [verb], {
    cwd: root,
    encoding: 'utf8',
    env: process.env,
  });
  if (result.status !== 0) throw new Error(`${server}.sh ${verb} failed: ${result.stderr}`);
}

/** What the figures were measured on. */
export function machineFacts() {
  return {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/**
 * What the MongoDB-compatible server is, as it says itself: "FerretDB 1.24 on PostgreSQL 15.18"
 * (from the startup warnings FerretDB writes) or "MongoDB 8.0.4".
 */
export async function storeDescription(mongo: driver.MongoClient): Promise<string> {
  const admin = mongo.db('admin');
  const build = await admin.command({ buildInfo: 1 });
  if (!build.ferretdbVersion) return `MongoDB ${build.version}`;
  const { log } = await admin.command({ getLog: 'startupWarnings' });
  const powered = (log as string[])
    .map((line) => JSON.parse(line).msg as string)
    .find((msg) => msg.startsWith('Powered by'));
  const backend = / and (.+?)\.?$/.exec(powered ?? '')?.[1] ?? 'an unknown backend';
  return `FerretDB 1.24 on ${backend}`;
}

/** The local stack a run used, its store as the server describes itself. */
export async function stackDescription(mongo: driver.MongoClient): Promise<{ store: string; stack: string }> {
  const store = await storeDescription(mongo);
  return { store, stack: `local: Kafka 4.4 (KRaft), ${store} behind the atomic-write proxy, Redis 7` };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
