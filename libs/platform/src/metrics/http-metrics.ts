import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsRegistry } from './metrics.registry';

/** Seconds; most answers take a few milliseconds, the burst's target is p99 under 200 ms. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10];

/** What a request is labelled with when no route matched it (404s of unknown paths, refused bodies). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Records every HTTP answer in `http_request_duration_seconds` by method, route template
 * (`/enrolments/:id`, never the raw URL: ids would make a series per request) and status class.
 * Installed before the body parsers, so refused bodies (invalid JSON, 413) are counted too.
 * Does nothing when the service has no MetricsModule.
 */
export function recordHttpMetrics(app: INestApplication): void {
  let metrics: MetricsRegistry;
  try {
    metrics = app.get(MetricsRegistry, { strict: false });
  } catch {
    return;
  }
  const duration = metrics.histogram(
    'http_request_duration_seconds',
    'Time from receiving an HTTP request to the end of its answer, by route template and status class.',
    ['method', 'route', 'status_class'],
    LATENCY_BUCKETS,
  );
  app.use((request: Request, response: Response, next: NextFunction) => {
    const end = duration.startTimer();
    response.once('finish', () => {
      end({
        method: request.method,
        route: routeTemplate(request),
        status_class: `${Math.floor(response.statusCode / 100)}xx`,
      });
    });
    next();
  });
}

/** The path pattern Express matched (e.g. `/households/:id/children`), or `unmatched`. */
export function routeTemplate(request: Pick<Request, 'route' | 'baseUrl'>): string {
  const path: unknown = request.route?.path;
  return typeof path === 'string' ? `${request.baseUrl ?? ''}${path}` : UNMATCHED_ROUTE;
}
