import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import type { DynamicModule } from '@nestjs/common';

/**
 * Paths redacted from every log line: personal data never reaches the logs (emails, names,
 * addresses, incomes, tokens, passwords).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.email',
  '*.password',
  '*.firstName',
  '*.lastName',
  '*.phone',
  '*.address',
  '*.income',
  '*.resources',
  '*.token',
];

/** Structured JSON logs; the request id comes from `X-Correlation-Id` when the caller sends one. */
export function createLoggingModule(service: string, level: string): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      name: service,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: (request, response) => {
        const header = request.headers['x-correlation-id'];
        const id = typeof header === 'string' && /^[\w-]{1,64}$/.test(header) ? header : randomUUID();
        response.setHeader('X-Correlation-Id', id);
        return id;
      },
      autoLogging: { ignore: (request) => request.url?.startsWith('/health') ?? false },
      serializers: {
        req: (request: { id: unknown; method: string; url: string }) => ({
          id: request.id,
          method: request.method,
          url: request.url,
        }),
      },
    },
  });
}
