import { Job } from 'bullmq';
import { expectEventually, testInfrastructure, uniqueName } from '@guichet/testing';
import { deterministicJobId, JobQueue } from './job-queue';

interface Greeting {
  householdId: string;
}

describe('BullMQ job queue (real Redis)', () => {
  let queue: JobQueue<Greeting, string>;
  const handled: string[] = [];
  let failuresLeft = 2;

  beforeAll(() => {
    queue = new JobQueue<Greeting, string>({
      name: uniqueName('test-queue'),
      redisUrl: testInfrastructure.redisUrl,
      defaultJobOptions: { backoff: { type: 'exponential', delay: 50 } },
    });
    queue.process(async (job: Job<Greeting, string>) => {
      if (job.data.householdId.startsWith('flaky') && failuresLeft-- > 0) throw new Error('SMTP refused');
      handled.push(job.data.householdId);
      return `done ${job.data.householdId}`;
    });
  });

  afterAll(() => queue.close());

  it('runs a job on Redis and keeps its result', async () => {
    const id = await queue.add(deterministicJobId('event-1', 'hh-1'), { householdId: 'hh-1' });
    await expectEventually(async () => expect(await queue.queue.getJobState(id)).toBe('completed'));
    expect((await queue.queue.getJob(id))?.returnvalue).toBe('done hh-1');
  });

  it('enqueues a job once when the same event asks twice', async () => {
    const jobId = deterministicJobId('event-2', 'hh-2');
    await queue.add(jobId, { householdId: 'hh-2' });
    await queue.add(jobId, { householdId: 'hh-2' });
    await expectEventually(async () => expect(await queue.queue.getJobState(jobId)).toBe('completed'));
    await queue.add(jobId, { householdId: 'hh-2' });
    expect(await queue.queue.getJobState(jobId)).toBe('completed');
    expect(handled.filter((id) => id === 'hh-2')).toHaveLength(1);
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    const jobId = deterministicJobId('event-3', 'flaky');
    await queue.add(jobId, { householdId: 'flaky' });
    await expectEventually(async () => expect(await queue.queue.getJobState(jobId)).toBe('completed'));
    expect((await queue.queue.getJob(jobId))?.attemptsMade).toBe(3);
    expect(handled.filter((id) => id === 'flaky')).toHaveLength(1);
  });

  it('derives job ids from their causes only', () => {
    expect(deterministicJobId('e', 'r')).toBe(deterministicJobId('e', 'r'));
    expect(deterministicJobId('e', 'r')).not.toBe(deterministicJobId('e', 'r2'));
    expect(deterministicJobId('ab', 'c')).not.toBe(deterministicJobId('a', 'bc'));
  });
});
