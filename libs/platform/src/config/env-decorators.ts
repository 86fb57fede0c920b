import { Expose, Transform } from 'class-transformer';

/** Marks a property as read from the environment variable of the same name. */
export const Env = (): PropertyDecorator => Expose();

/** An integer variable: anything that is not a whole number is kept as NaN so that @IsInt names it. */
export const EnvInt = (): PropertyDecorator => (target, key) => {
  Expose()(target, key);
  Transform(({ value }) =>
    typeof value === 'string' ? (/^-?\d+$/.test(value.trim()) ? Number(value) : NaN) : value,
  )(target, key);
};

/** A comma-separated list variable, e.g. KAFKA_BROKERS=host1:9092,host2:9092. */
export const EnvList = (): PropertyDecorator => (target, key) => {
  Expose()(target, key);
  Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : value,
  )(target, key);
};
