import { freePort, uniqueName } from './infrastructure';
import { requestJson } from './http-json';
import {
  buildServices,
  RunningService,
  startServiceProcess,
  stopServiceProcess,
  waitForConsumerGroups,
} from './service-process';
import { SmtpTestServer } from './smtp-test-server';

export const SERVICE_NAMES = ['accounts', 'tariffs', 'notifications', 'enrolments'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** With a base port, services listen on base + these (apart from `./guichet start`'s 300x). */
const PORT_OFFSETS: Record<ServiceName, number> = {
  accounts: 1,
  enrolments: 2,
  tariffs: 3,
  notifications: 4,
};

export interface PlatformOptions {
  /** Service ports are basePort + 1 … 4 (accounts, enrolments, tariffs, notifications); free ports without it. */
  basePort?: number;
  /** Where every service but accounts fetches the keys of access tokens; default: accounts' JWKS. */
  jwksUrl?: string;
  /** Variables added to every service but accounts (e.g. EMAIL_RATE_PER_SECOND). */
  env?: Record<string, string>;
}

/**
 * The four services run from their build as separate processes (as `./guichet start` runs them), each
 * but accounts with a consumer group of the run's own that starts at the end of the shared topics, and
 * a real SMTP server standing in for the city's mail relay. For the journeys and the benchmarks.
 */
export class Platform {
  readonly services = {} as Record<ServiceName, RunningService>;
  readonly smtp = new SmtpTestServer();
  readonly admin = {
    email: `${uniqueName('admin')}@example.fr`,
    password: 'a long administrator password',
  };
  private readonly run = uniqueName('platform');
  private readonly ports = {} as Record<ServiceName, number>;
  private readonly databases = {} as Record<ServiceName, string>;

  constructor(private readonly options: PlatformOptions = {}) {}

  url(name: ServiceName): string {
    return `http://127.0.0.1:${this.port(name)}`;
  }

  group(name: ServiceName): string {
    return `${this.run}.${name}`;
  }

  async start(): Promise<this> {
    for (const name of SERVICE_NAMES) {
      const { basePort } = this.options;
      this.ports[name] = basePort === undefined ? await freePort() : basePort + PORT_OFFSETS[name];
    }
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
    return this.ports[name];
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
