import { Injectable } from '@nestjs/common';
import { deterministicJobId } from '@guichet/jobs';
import { DeliveryService } from '../deliveries/delivery.service';
import { chooseTargets, Target } from '../families/channel-choice';
import { HouseholdRepository } from '../families/household.repository';
import type { MessageRequest } from '../templates/event-messages';
import { RenderedMessage, renderMessage } from '../templates/render';

/** Turns a message request into deliveries, one per channel and recipient, each enqueued once. */
@Injectable()
export class NotifyService {
  constructor(
    private readonly households: HouseholdRepository,
    private readonly deliveries: DeliveryService,
  ) {}

  /** Whether the household was erased: nothing is written to it or about it any more. */
  async isErased(householdId: string): Promise<boolean> {
    return (await this.households.contact(householdId))?.erased === true;
  }

  /** A message to a household, on the channels its contact and preferences give (see chooseTargets). */
  async toHousehold(causeId: string, householdId: string, request: MessageRequest): Promise<void> {
    const contact = await this.households.contact(householdId);
    if (contact?.erased) return;
    const preferences = await this.households.preferencesOf(householdId);
    const message = renderMessage(request.kind, request.values);
    const targets = chooseTargets(householdId, message, contact, preferences?.channels);
    await this.deliver(causeId, householdId, message, targets);
  }

  /** A message to one address whatever the preferences (an account message: the address is what it proves). */
  async toAddress(causeId: string, ownerId: string, email: string, request: MessageRequest): Promise<void> {
    if (await this.isErased(ownerId)) return;
    const message = renderMessage(request.kind, request.values);
    await this.deliver(causeId, ownerId, message, [{ channel: 'email', recipient: email }]);
  }

  private async deliver(
    causeId: string,
    householdId: string,
    message: RenderedMessage,
    targets: Target[],
  ): Promise<void> {
    const notificationId = deterministicJobId(causeId, householdId);
    for (const target of targets) {
      await this.deliveries.enqueue({
        // The same cause, recipient and channel always give the same delivery and job id.
        _id: deterministicJobId(causeId, target.recipient, target.channel),
        notificationId,
        eventId: causeId,
        householdId,
        kind: message.kind,
        channel: target.channel,
        recipient: target.recipient,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
    }
  }
}
