import { BaseRpcContext } from '@nestjs/microservices';
import type { EventEnvelope } from '@guichet/contracts';

export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: string;
  /** 1 for the first delivery, then one more per retry. */
  attempt: number;
}

/** What an `@EventPattern` handler receives with `@Ctx()`: the whole envelope and where it came from. */
export class KafkaEventContext extends BaseRpcContext<[EventEnvelope, KafkaPosition]> {
  get envelope(): EventEnvelope {
    return this.args[0];
  }

  get position(): KafkaPosition {
    return this.args[1];
  }
}
