export * from './money';
export * from './grid';
export * from './quote-error';
export * from './compile-brackets';
export * from './compile-version';
export * from './quote';
