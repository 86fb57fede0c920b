import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayUnique, IsArray, IsDefined, IsIn, IsObject, IsOptional, ValidateNested } from 'class-validator';

const OPTIONAL_CHANNELS = ['email', 'sms'] as const;

const channelList = (description: string): PropertyDecorator => {
  const decorators = [
    ApiPropertyOptional({ description, type: [String], enum: OPTIONAL_CHANNELS, example: ['email'] }),
    IsOptional(),
    IsArray(),
    ArrayUnique(),
    IsIn(OPTIONAL_CHANNELS, { each: true, message: 'each channel must be email or sms' }),
  ];
  return (target, key) => decorators.forEach((decorator) => decorator(target, key));
};

/**
 * Channels per category of message, besides the inbox (which always receives). A category left out
 * follows the consents of the account. Account messages and required messages ignore these choices.
 */
export class ChannelPreferencesDto {
  @channelList('Document checks') documents?: ('email' | 'sms')[];
  @channelList('Enrolment submitted, accepted, waitlisted, rejected, cancelled') enrolments?: (
    'email' | 'sms'
  )[];
  @channelList('Place offers and their expiry') places?: ('email' | 'sms')[];
  @channelList('Prices set or changed') prices?: ('email' | 'sms')[];
  @channelList('Booked and cancelled days') bookings?: ('email' | 'sms')[];
  @channelList('Notices sent by the services (strike, closure)') broadcasts?: ('email' | 'sms')[];
}

export class PreferencesDto {
  @ApiProperty({ type: ChannelPreferencesDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ChannelPreferencesDto)
  channels!: ChannelPreferencesDto;
}
