// The whole platform for the benchmarks: the four services run from their build as separate processes
// (as `./guichet start` runs them), each with a consumer group of the run's own that starts at the end
// of the shared topics, and a real SMTP server standing in for the city's mail relay.
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { mongo as driver } from 'mongoose';
import {
  buildServices,
  requestJson,
  root,
  round,
  RunningService,
  SmtpTestServer,
  startServiceProcess,
  stopServiceProcess,
  uniqueName,
  waitForConsumerGroups,
} from '@guichet/testing';

export const SERVICE_NAMES = ['accounts', 'tariffs', 'notifications', 'enrolments'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Ports of the benchmarks' services, apart from `./guichet start` (300x) and the tests' free ports. */
const PORT_OFFSETS: Record<ServiceName, number> = {
  accounts: 1,
  enrolments: 2,
  tariffs: 3,
  notifications: 4,
};

export interface PlatformOptions {
  /** Service ports are basePort + 1 … 4 (accounts, enrolments, tariffs, notifications). */
  basePort: number;
  /** Where every service but accounts fetches the keys of access tokens; default: accounts' JWKS. */
  jwksUrl?: string;
  /** Variables added to every service but accounts (e.g. EMAIL_RATE_PER_SECOND). */
  env?: Record<string, string>;
}

export class Platform {
  readonly services = {} as Record<ServiceName, RunningService>;
  readonly smtp = new SmtpTestServer();
  readonly admin = {
    email: `${uniqueName('bench-admin')}@example.fr`,
    password: 'a long bench administrator password',
  };
  private readonly run = uniqueName('bench');
  private readonly databases = {} as Record<ServiceName, string>;

  constructor(private readonly options: PlatformOptions) {}

  url(name: ServiceName): string {
    return `http://127.0.0.1:${this.port(name)}`;
  }

  group(name: ServiceName): string {
    return `${this.run}.${name}`;
  }

  async start(): Promise<this> {
    buildServices();
    await this.smtp.start();
    for (const name of SERVICE_NAMES) await this.startService(name);
    await waitForConsumerGroups(
      ['tariffs', 'notifications', 'enrolments'].map((s) => this.group(s as ServiceName)),
    );
    return this;
  }

  /** Starts a service (again, after a crash: with the same database, consumer group and queues). */
  async startService(name: ServiceName, readyWithinMs = 60_000): Promise<RunningService> {
    const database = this.databases[name];
    const service = await startServiceProcess(name, this.port(name), this.environment(name), {
      ...(database ? { database } : {}),
      readyWithinMs,
    });
    this.databases[name] = service.database;
    this.services[name] = service;
    return service;
  }

  /** kill -9: no shutdown hook runs, whatever was in flight is cut. */
  async kill(name: ServiceName): Promise<void> {
    const service = this.services[name];
    const exited = new Promise((resolve) => service.process.once('exit', resolve));
    service.process.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    for (const name of [...SERVICE_NAMES].reverse()) {
      const service = this.services[name];
      if (service) await stopServiceProcess(service);
    }
    await this.smtp.stop();
  }

  /** An administrator's access token from accounts (valid 15 minutes: ask again for a long run). */
  async adminToken(): Promise<string> {
    const answer = await requestJson(`${this.url('accounts')}/auth/login`, 'POST', { body: this.admin });
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`admin login: ${answer.status}`);
    return answer.body.accessToken as string;
  }

  private port(name: ServiceName): number {
    return this.options.basePort + PORT_OFFSETS[name];
  }

  private environment(name: ServiceName): Record<string, string> {
    if (name === 'accounts') {
      return {
        ADMIN_EMAIL: this.admin.email,
        ADMIN_PASSWORD: this.admin.password,
        PUBLIC_URL: 'https://guichet.example.fr',
      };
    }
    const own = {
      ...this.options.env,
      AUTH_JWKS_URL: this.options.jwksUrl ?? `${this.url('accounts')}/.well-known/jwks.json`,
      KAFKA_CONSUMER_GROUP: this.group(name),
      KAFKA_NEW_GROUP_START: 'latest',
    };
    if (name === 'enrolments') return { ...own, TARIFFS_URL: this.url('tariffs') };
    if (name === 'notifications') return { ...own, SMTP_URL: this.smtp.url, QUEUE_PREFIX: this.run };
    return own;
  }
}

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
