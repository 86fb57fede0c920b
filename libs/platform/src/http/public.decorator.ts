import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'guichet:public';

/**
 * Marks a route or controller as open to anonymous callers (health, documentation). Every other
 * route must be protected by the authentication guard that the accounts issue brings.
 */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);
