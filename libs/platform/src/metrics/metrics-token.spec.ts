import { ExecutionContext } from '@nestjs/common';
import { ConfigError, loadConfig } from '../config/load-config';
import { ServiceConfig } from '../config/service-config';
import { ProblemException } from '../http/problem-exception';
import { MetricsTokenGuard } from './metrics.controller';

const env = {
  PORT: '3003',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/guichet-tariffs',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

/** An HTTP context with this Authorization header, and the headers the guard set on the answer. */
function http(authorization?: string) {
  const answerHeaders: Record<string, string> = {};
  const context = {
    switchToHttp: () => ({
      getRequest: () => ({ headers: authorization ? { authorization } : {} }),
      getResponse: () => ({ setHeader: (name: string, value: string) => (answerHeaders[name] = value) }),
    }),
  } as unknown as ExecutionContext;
  return { context, answerHeaders };
}

describe('METRICS_TOKEN', () => {
  it('is optional, and refused when too short to be a secret', () => {
    expect(loadConfig(ServiceConfig, env).METRICS_TOKEN).toBeUndefined();
    expect(loadConfig(ServiceConfig, { ...env, METRICS_TOKEN: 'a-long-enough-secret' }).METRICS_TOKEN).toBe(
      'a-long-enough-secret',
    );
    expect(() => loadConfig(ServiceConfig, { ...env, METRICS_TOKEN: 'short' })).toThrow(ConfigError);
  });

  it('lets every scrape through when unset', () => {
    expect(new MetricsTokenGuard(undefined).canActivate(http().context)).toBe(true);
  });

  it('asks for exactly the bearer token when set, with 401 and WWW-Authenticate otherwise', () => {
    const guard = new MetricsTokenGuard('a-long-enough-secret');
    expect(guard.canActivate(http('Bearer a-long-enough-secret').context)).toBe(true);
    for (const header of [undefined, 'Bearer a-long-enough-secreT', 'a-long-enough-secret', 'Bearer a']) {
      const { context, answerHeaders } = http(header);
      expect(() => guard.canActivate(context)).toThrow(ProblemException);
      expect(answerHeaders['WWW-Authenticate']).toBe('Bearer realm="metrics"');
    }
  });
});
