import { Module } from '@nestjs/common';
import { GridsModule } from '../grids/grids.module';
import { PricingController } from './pricing.controller';
import { PricingRepository } from './pricing.repository';
import { PricingService } from './pricing.service';
import { SimulationController } from './simulation.controller';

@Module({
  imports: [GridsModule],
  controllers: [PricingController, SimulationController],
  providers: [PricingRepository, PricingService],
})
export class PricingModule {}
