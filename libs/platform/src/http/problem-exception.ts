import { HttpException } from '@nestjs/common';
import { Problem, problem } from './problem';

/** An HttpException that carries a whole problem document, e.g. the field errors of a validation. */
export class ProblemException extends HttpException {
  constructor(status: number, fields: Omit<Partial<Problem>, 'status'> = {}) {
    super(problem(status, fields), status);
  }

  get problem(): Problem {
    return this.getResponse() as Problem;
  }
}
