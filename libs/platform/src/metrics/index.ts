export * from './metrics.registry';
export * from './metrics.module';
export * from './metrics.controller';
export * from './http-metrics';
