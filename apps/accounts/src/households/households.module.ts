import { Module } from '@nestjs/common';
import { AccountMessages } from '../identity/account-messages';
import { UsersRepository } from '../identity/users.repository';
import { GuardiansController } from './guardians.controller';
import { GuardiansService } from './guardians.service';
import { HouseholdChanges } from './household-changes';
import { HouseholdController } from './household.controller';
import { HouseholdRepository } from './household.repository';
import { HouseholdService } from './household.service';

@Module({
  controllers: [HouseholdController, GuardiansController],
  providers: [
    HouseholdRepository,
    HouseholdChanges,
    HouseholdService,
    GuardiansService,
    UsersRepository,
    AccountMessages,
  ],
})
export class HouseholdsModule {}
