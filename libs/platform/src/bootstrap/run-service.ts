import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, INestApplication, Logger as NestLogger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '../config/load-config';
import { ServiceConfig } from '../config/service-config';
import { refuseDeepJson } from '../http/json-depth';
import { refuseNulInJson, refuseNulInUrl } from '../http/nul-character';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { createValidationPipe } from '../http/validation';
import { recordHttpMetrics } from '../metrics/http-metrics';

export interface ServiceDefinition<C extends ServiceConfig> {
  /** Short name: accounts, enrolments, tariffs, notifications. */
  name: string;
  description: string;
  config: new () => C;
  module: (config: C) => DynamicModule | Type<unknown>;
  /** Largest JSON body accepted (default 100kb); larger ones get 413. */
  bodyLimit?: string;
  /** Attaches transports (the Kafka events server) before the HTTP server listens. */
  connect?: (app: INestApplication, config: C) => void | Promise<void>;
}

/** Refuses, before parsing, a JSON body nested too deeply or holding a NUL character (400). */
function verifyJsonBody(request: IncomingMessage, response: ServerResponse, buffer: Buffer): void {
  refuseDeepJson(request, response, buffer);
  refuseNulInJson(request, response, buffer);
}

/** Builds a service's Nest application: logs, validation, problem+json, OpenAPI at /docs, shutdown hooks. */
export async function createService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(definition.module(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  recordHttpMetrics(app); // before the body parser, so refused bodies are counted too
  app.use(refuseNulInUrl);
  app.useBodyParser('json', {
    limit: definition.bodyLimit ?? '100kb',
    verify: verifyJsonBody,
  });
  app.disable('x-powered-by');
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  const openapi = new DocumentBuilder()
    .setTitle(`Guichet ${definition.name}`)
    .setDescription(definition.description)
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openapi), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
  await definition.connect?.(app, config);
  return app;
}

/**
 * The whole of a service's main.ts: validates the environment (a bad variable stops the boot with
 * its name), starts transports and the HTTP server.
 */
export async function runService<C extends ServiceConfig>(definition: ServiceDefinition<C>): Promise<void> {
  let config: C;
  try {
    config = loadConfig(definition.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`[${definition.name}] ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  await startService(definition, config, config.PORT, '0.0.0.0');
  new NestLogger(definition.name).log(`listening on :${config.PORT}, OpenAPI at /docs`);
}

/** Builds a service, starts its transports, and listens (port 0: any free port, for tests). */
export async function startService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  port: number = config.PORT,
  host = '127.0.0.1',
): Promise<INestApplication> {
  const app = await createService(definition, config);
  await app.startAllMicroservices();
  await app.listen(port, host);
  return app;
}
