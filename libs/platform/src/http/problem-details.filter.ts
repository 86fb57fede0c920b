import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable, throwError } from 'rxjs';
import { isDependencyUnavailable } from './dependency-unavailable';
import { Problem, PROBLEM_CONTENT_TYPE, problem } from './problem';

/** How long a client should wait before retrying when a dependency is down. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Answers every HTTP error as RFC 9457 problem+json and hides internals of unexpected errors.
 * Outside HTTP (Kafka event handlers) it hands the error back untouched: the events server decides
 * between retry and dead letter, and records the real reason.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') return throwError(() => exception);
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const body = { ...this.toProblem(exception), instance: request.originalUrl };
    if (body.status === HttpStatus.SERVICE_UNAVAILABLE)
      response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }

  private toProblem(exception: unknown): Problem {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      if (typeof payload === 'object' && payload !== null && 'type' in payload && 'title' in payload) {
        return payload as Problem;
      }
      const detail = typeof payload === 'string' ? payload : (this.messageOf(payload) ?? exception.message);
      return problem(status, { detail });
    }
    // Errors of the HTTP layer itself (body too large, unsupported charset): http-errors marks the
    // client's ones as safe to expose.
    const httpError = exception as { status?: unknown; expose?: unknown; message?: unknown };
    if (
      typeof httpError.status === 'number' &&
      httpError.status >= 400 &&
      httpError.status < 500 &&
      httpError.expose === true
    ) {
      return problem(httpError.status, {
        detail: typeof httpError.message === 'string' ? httpError.message : undefined,
      });
    }
    if (isDependencyUnavailable(exception)) {
      this.logger.warn(`dependency unavailable: ${(exception as Error).message}`);
      return problem(HttpStatus.SERVICE_UNAVAILABLE, { detail: 'Réessayez dans quelques instants.' });
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return problem(HttpStatus.INTERNAL_SERVER_ERROR);
  }

  private messageOf(payload: object): string | undefined {
    const message = (payload as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.join('; ');
    return undefined;
  }
}
