import {
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  HttpStatus,
  Inject,
  Injectable,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { ProblemException } from '../http/problem-exception';
import { Public } from '../http/public.decorator';
import { MetricsRegistry } from './metrics.registry';

export const METRICS_TOKEN = Symbol('METRICS_TOKEN');

/**
 * /metrics is outside the user authentication (Prometheus has no user token). When METRICS_TOKEN is
 * set it asks for `Authorization: Bearer <METRICS_TOKEN>`; without it the endpoint is open and must
 * be kept off the public network (by the reverse proxy).
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(@Inject(METRICS_TOKEN) private readonly token: string | undefined) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.token) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    if (sameSecret(header, `Bearer ${this.token}`)) return true;
    context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    throw new ProblemException(HttpStatus.UNAUTHORIZED, {
      detail: 'Les métriques demandent le jeton METRICS_TOKEN (Authorization: Bearer …).',
    });
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Prometheus text format; not a JSON API, so kept out of the OpenAPI document. */
@ApiExcludeController()
@Public()
@UseGuards(MetricsTokenGuard)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  async scrape(@Res() response: Response): Promise<void> {
    const text = await this.metrics.metrics();
    response.setHeader('Content-Type', this.metrics.contentType).end(text);
  }
}
