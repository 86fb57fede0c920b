export * from './infrastructure';
export * from './expect-eventually';
export * from './kafka-probe';
export * from './test-token-issuer';
export * from './http-json';
export * from './prometheus';
export * from './fuzz';
export * from './service-process';
