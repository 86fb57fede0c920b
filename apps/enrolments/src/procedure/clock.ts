import { Injectable } from '@nestjs/common';

/** The time the procedure reads: deadlines and windows. Tests set it to the edges they check. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock the tests move by hand. */
export class ManualClock extends Clock {
  constructor(private current: Date) {
    super();
  }

  override now(): Date {
    return new Date(this.current);
  }

  set(instant: Date | string): void {
    this.current = new Date(instant);
  }
}
