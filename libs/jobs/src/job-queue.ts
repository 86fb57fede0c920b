import { createHash } from 'node:crypto';
import { Job, JobsOptions, Queue, Worker, WorkerOptions } from 'bullmq';
import IORedis, { Redis } from 'ioredis';

/** Defaults of every Guichet job: retries with exponential backoff, bounded history. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 50_000 },
};

/**
 * A job id derived from what caused the job (an event id) and whom it is for: BullMQ refuses a
 * second job with an id it still knows, so a redelivered event enqueues nothing twice.
 */
export function deterministicJobId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
}

/** One Redis connection as BullMQ workers need it (blocking commands never time out on the client side). */
export function createRedisConnection(url: string): Redis {
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

export interface JobQueueSettings {
  name: string;
  redisUrl: string;
  prefix?: string;
  defaultJobOptions?: JobsOptions;
}

/**
 * A BullMQ queue and, when asked, its worker. Close order matters on shutdown: the worker first (it
 * finishes its job or leaves it to be retried), then the queue, then the connections.
 */
export class JobQueue<Data extends object, Result = unknown> {
  readonly queue: Queue;
  private worker?: Worker<Data, Result>;
  private readonly connections: Redis[] = [];

  constructor(private readonly settings: JobQueueSettings) {
    const connection = this.connect();
    this.queue = new Queue(settings.name, {
      connection,
      prefix: settings.prefix ?? 'guichet',
      defaultJobOptions: { ...DEFAULT_JOB_OPTIONS, ...settings.defaultJobOptions },
    });
  }

  /** Adds a job unless one with the same id is already known; returns the id. */
  async add(jobId: string, data: Data, options: JobsOptions = {}): Promise<string> {
    const job = await this.queue.add(this.settings.name, data, { ...options, jobId });
    return job.id ?? jobId;
  }

  /**
   * Runs the queue's jobs in this process. `limiter` caps how many jobs start per period across every
   * worker of the queue (a provider's rate limit).
   */
  process(
    processor: (job: Job<Data, Result>) => Promise<Result>,
    concurrency = 1,
    options: Pick<WorkerOptions, 'limiter'> = {},
  ): Worker<Data, Result> {
    if (this.worker) throw new Error(`queue ${this.settings.name} already has a worker`);
    this.worker = new Worker<Data, Result>(this.settings.name, processor, {
      connection: this.connect(),
      prefix: this.settings.prefix ?? 'guichet',
      concurrency,
      ...options,
    });
    return this.worker;
  }

  /**
   * Calls `listener` each time the queue's connection to Redis is ready again after it was lost. A
   * Redis that restarted without persistence (or failed over) lost its jobs: the owner of what the jobs
   * stand for can add them again at once rather than at its next sweep.
   */
  onReconnected(listener: () => void): void {
    const connection = this.connections[0];
    let lost = false;
    connection.on('close', () => {
      lost = true;
    });
    connection.on('ready', () => {
      if (!lost) return;
      lost = false;
      listener();
    });
  }

  async ping(): Promise<void> {
    await this.connections[0].ping();
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await Promise.all(this.connections.map((connection) => connection.quit().catch(() => undefined)));
  }

  private connect(): Redis {
    const connection = createRedisConnection(this.settings.redisUrl);
    this.connections.push(connection);
    return connection;
  }
}
