// Runs Guichet services from their build as separate processes, as `./guichet start` does: for
// benchmarks and the end-to-end journeys.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { expectEventually } from './expect-eventually';
import { testInfrastructure, uniqueName } from './infrastructure';

/** The repository's root (this file is libs/testing/src/). */
export const root = join(__dirname, '..', '..', '..');

export interface RunningService {
  name: string;
  url: string;
  database: string;
  process: ChildProcess;
}

export function buildServices(): void {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`build failed: ${result.stderr}`);
}

/**
 * Starts one service from dist/ with its own fresh database (or the given one: a restart after a
 * crash keeps its data); resolves once it is ready.
 */
export async function startServiceProcess(
  name: string,
  port: number,
  env: Record<string, string>,
  { database = uniqueName(`bench-${name}`), readyWithinMs = 60_000 } = {},
): Promise<RunningService> {
  if (await portAnswers(port)) throw new Error(`port ${port} is taken: stop what listens there first`);
  const child = spawn(process.execPath, [join(root, 'dist', 'apps', name, 'src', 'main.js')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      MONGODB_URI: `${testInfrastructure.mongoBaseUri}/${database}`,
      KAFKA_BROKERS: testInfrastructure.kafkaBrokers.join(','),
      REDIS_URL: testInfrastructure.redisUrl,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await expectEventually(
    async () => {
      const response = await fetch(`${url}/health/ready`);
      if (response.status !== 200) throw new Error(`${name} not ready`);
    },
    { timeoutMs: readyWithinMs, intervalMs: 250 },
  );
  return { name, url, database, process: child };
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Stops a service gracefully (SIGTERM), or kills it when it has not stopped within `graceMs`. */
export async function stopServiceProcess(service: RunningService, graceMs = 20_000): Promise<void> {
  if (service.process.exitCode !== null || service.process.signalCode !== null) return;
  const exited = new Promise((resolve) => service.process.once('exit', resolve));
  service.process.kill('SIGTERM');
  const timer = setTimeout(() => service.process.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Waits until each consumer group has joined and got its partitions (a group that starts at the end of its topics misses what comes before). */
export async function waitForConsumerGroups(groups: string[], timeoutMs = 60_000): Promise<void> {
  const admin = new Kafka({ brokers: testInfrastructure.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await expectEventually(
      async () => {
        const described = (await admin.describeGroups(groups)).groups;
        for (const group of described) {
          if (group.state !== 'Stable' || group.members.length === 0)
            throw new Error(`${group.groupId}: ${group.state}`);
        }
      },
      { timeoutMs, intervalMs: 250 },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Resident memory of a process, in MiB (Linux /proc). */
export function residentMiB(pid: number | undefined): number {
  if (!pid) return 0;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kib / 1024) * 10) / 10;
}

/** p-th percentile (0-100) of sorted numbers. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Runs `count` tasks with at most `concurrency` at once; returns each task's latency in ms. */
export async function runConcurrently(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<{ latencies: number[]; errors: number; elapsedMs: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        const t0 = performance.now();
        try {
          await task(index);
          latencies.push(performance.now() - t0);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), errors, elapsedMs: performance.now() - started };
}

/**
 * A consumer group of the test's own that starts at the end of the shared topics: a service under
 * test then handles its test's events only, not every event earlier tests left there. Call
 * `joined()` once the service has started, before publishing.
 */
export function ownConsumerGroup(prefix: string): {
  env: Record<string, string>;
  joined: () => Promise<void>;
} {
  const group = uniqueName(`test-${prefix}`);
  return {
    env: { KAFKA_CONSUMER_GROUP: group, KAFKA_NEW_GROUP_START: 'latest' },
    joined: () => waitForConsumerGroups([group]),
  };
}
