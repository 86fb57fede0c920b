import { Inject, Injectable, Logger, Module, OnModuleDestroy } from '@nestjs/common';
import { AccountsConfig } from '../accounts.config';
import { ApiParticulierClient } from './api-particulier.client';
import { ApiParticulierFake } from './api-particulier.fake';
import { QuotientFamilialProvider } from './quotient-familial.provider';

const FAKE = Symbol('API_PARTICULIER_FAKE');
/** The token the fake accepts; the real API never sees it. */
const FAKE_TOKEN = 'local-fake-token';
const FAKE_RECIPIENT = '00000000000000';

/** Stops the in-process fake with the service. */
@Injectable()
class FakeLifecycle implements OnModuleDestroy {
  constructor(@Inject(FAKE) private readonly fake: ApiParticulierFake | null) {}

  async onModuleDestroy(): Promise<void> {
    await this.fake?.stop();
  }
}

/**
 * The QuotientFamilialProvider: the real v3 client, pointed at API_PARTICULIER_URL with its token, or
 * (no URL: development, tests, demo) at a fake started in this process on a loopback port. Either way
 * the same HTTP client, rate limit and response parsing run.
 */
@Module({
  providers: [
    {
      provide: FAKE,
      inject: [AccountsConfig],
      useFactory: async (config: AccountsConfig) => {
        if (config.API_PARTICULIER_URL) return null;
        const fake = await new ApiParticulierFake().start();
        new Logger('api-particulier').warn(
          'no API_PARTICULIER_URL: using the local fake (fictional people only)',
        );
        return fake;
      },
    },
    FakeLifecycle,
    {
      provide: QuotientFamilialProvider,
      inject: [AccountsConfig, FAKE],
      useFactory: (config: AccountsConfig, fake: ApiParticulierFake | null) =>
        new ApiParticulierClient(
          fake
            ? { baseUrl: fake.url, token: FAKE_TOKEN, recipient: FAKE_RECIPIENT }
            : {
                baseUrl: config.API_PARTICULIER_URL ?? '',
                token: config.API_PARTICULIER_TOKEN ?? '',
                recipient: config.API_PARTICULIER_RECIPIENT ?? '',
              },
        ),
    },
  ],
  exports: [QuotientFamilialProvider],
})
export class ApiParticulierModule {}
