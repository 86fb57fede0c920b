import { SERVICE_NAMES, ServiceName } from '@guichet/testing';

export interface ReadinessSample {
  service: ServiceName;
  at: number;
  /** 200 green, 503 red, 0 no answer (the process is down). */
  status: number;
  retryAfter: boolean;
}

/** Polls /health/ready of every service twice a second and keeps every answer. */
export class ReadinessWatch {
  readonly samples: ReadinessSample[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly urls: Record<ServiceName, string>) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), 500);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    await Promise.all(
      SERVICE_NAMES.map(async (service) => {
        const at = Date.now();
        try {
          const response = await fetch(`${this.urls[service]}/health/ready`, {
            signal: AbortSignal.timeout(3_000),
          });
          await response.arrayBuffer();
          this.samples.push({
            service,
            at,
            status: response.status,
            retryAfter: response.headers.has('retry-after'),
          });
        } catch {
          this.samples.push({ service, at, status: 0, retryAfter: false });
        }
      }),
    );
  }

  /**
   * Per service, between `from` and `to`: whether readiness went red (503 or no answer), whether each 503
   * had Retry-After, and how long after `recoveredAt` (the dependency or process back) it was green again.
   */
  summary(from: number, recoveredAt: number, to: number) {
    return Object.fromEntries(
      SERVICE_NAMES.map((service) => {
        const own = this.samples.filter((s) => s.service === service && s.at >= from && s.at <= to);
        const red = own.filter((s) => s.status !== 200);
        const lastRed = red.at(-1)?.at;
        const greenAgain = own.find((s) => s.status === 200 && (lastRed === undefined || s.at > lastRed));
        return [
          service,
          {
            wentRed: red.length > 0,
            redAnswers: {
              '503': red.filter((s) => s.status === 503).length,
              none: red.filter((s) => s.status === 0).length,
            },
            red503WithoutRetryAfter: red.filter((s) => s.status === 503 && !s.retryAfter).length,
            greenAgainAfterRecoveryMs:
              red.length === 0 ? 0 : greenAgain ? Math.max(0, greenAgain.at - recoveredAt) : null,
          },
        ];
      }),
    );
  }
}
