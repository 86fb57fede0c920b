import { Module } from '@nestjs/common';
import { UsersRepository } from '../identity/users.repository';
import { HouseholdController } from './household.controller';
import { HouseholdRepository } from './household.repository';
import { HouseholdService } from './household.service';

@Module({
  controllers: [HouseholdController],
  providers: [HouseholdRepository, HouseholdService, UsersRepository],
})
export class HouseholdsModule {}
