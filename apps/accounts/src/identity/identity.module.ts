import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { AccountMessages } from './account-messages';
import { IdentityController } from './identity.controller';
import { IdentityService } from './identity.service';
import { LoginThrottle } from './login-throttle';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SigningKeys, TOKEN_SETTINGS, TokenSettings } from './signing-keys';
import { UsersRepository } from './users.repository';

export interface IdentitySettings extends TokenSettings {
  admin?: { email: string; password: string };
}

const IDENTITY_SETTINGS = Symbol('IDENTITY_SETTINGS');
const HOUR_MS = 3600 * 1000;

/** Seeds the first administrator, and purges expired refresh tokens, login windows and links (no TTL indexes). */
@Injectable()
class IdentityHousekeeping implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('identity');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(IDENTITY_SETTINGS) private readonly settings: IdentitySettings,
    private readonly identity: IdentityService,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly throttle: LoginThrottle,
    private readonly messages: AccountMessages,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (
      this.settings.admin &&
      (await this.identity.seedAdmin(this.settings.admin.email, this.settings.admin.password))
    ) {
      this.logger.log('administrator account created from ADMIN_EMAIL');
    }
    this.timer = setInterval(() => {
      Promise.all([
        this.refreshTokens.purgeExpired(),
        this.throttle.purgeEnded(),
        this.messages.purgeExpired(),
      ]).catch((error: unknown) => this.logger.warn(`purge failed: ${(error as Error).message}`));
    }, HOUR_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}

@Module({})
export class IdentityModule {
  static forRoot(settings: IdentitySettings): DynamicModule {
    return {
      module: IdentityModule,
      controllers: [IdentityController],
      providers: [
        { provide: IDENTITY_SETTINGS, useValue: settings },
        { provide: TOKEN_SETTINGS, useValue: { issuer: settings.issuer, audience: settings.audience } },
        SigningKeys,
        UsersRepository,
        RefreshTokensRepository,
        LoginThrottle,
        AccountMessages,
        IdentityService,
        IdentityHousekeeping,
      ],
    };
  }
}
