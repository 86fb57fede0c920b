import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { MessageCategory } from '../templates/catalogue';

/** How to reach a household, from accounts' HouseholdContactChanged; a tombstone after erasure. */
export interface ContactDocument {
  _id: string;
  email?: string;
  phone?: string;
  emailNotices: boolean;
  smsNotices: boolean;
  /** The `time` of the event this contact comes from: an older event never overwrites it. */
  asOf: string;
  erased?: boolean;
}

export type OptionalChannel = 'email' | 'sms';

/** The channels a family chose per category of message (the inbox always receives). */
export type ChannelPreferences = Partial<Record<MessageCategory, OptionalChannel[]>>;

export interface PreferencesDocument {
  _id: string;
  channels: ChannelPreferences;
  updatedAt: Date;
}

@Injectable()
export class HouseholdRepository {
  private readonly contacts: mongo.Collection<ContactDocument>;
  private readonly preferences: mongo.Collection<PreferencesDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.contacts = connection.collection<ContactDocument>('contacts');
    this.preferences = connection.collection<PreferencesDocument>('preferences');
  }

  contact(householdId: string): Promise<ContactDocument | null> {
    return this.contacts.findOne({ _id: householdId });
  }

  /**
   * Keeps the latest contact: a change older than the stored one (a retried event overtaken by a
   * later one) changes nothing, and nothing is kept for an erased household.
   */
  async saveContact(contact: Omit<ContactDocument, 'erased'>): Promise<void> {
    const { _id, ...given } = contact;
    const fields = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
    const unset: Partial<Record<'email' | 'phone', ''>> = {
      ...(fields.email ? {} : { email: '' }),
      ...(fields.phone ? {} : { phone: '' }),
    };
    try {
      await this.contacts.updateOne(
        { _id, erased: { $ne: true }, asOf: { $lte: contact.asOf } },
        { $set: fields, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
        { upsert: true },
      );
    } catch (error) {
      // The filter missed an existing document (newer or erased): the upsert collides, which is the answer.
      if ((error as { code?: number }).code !== 11000) throw error;
    }
  }

  async preferencesOf(householdId: string): Promise<PreferencesDocument | null> {
    return this.preferences.findOne({ _id: householdId });
  }

  async savePreferences(householdId: string, channels: ChannelPreferences): Promise<PreferencesDocument> {
    const document = { channels, updatedAt: new Date() };
    await this.preferences.updateOne({ _id: householdId }, { $set: document }, { upsert: true });
    return { _id: householdId, ...document };
  }

  /** GDPR erasure: contact and preferences go; a tombstone stops later events from writing to the family. */
  async eraseHousehold(householdId: string, erasedAt: string): Promise<void> {
    await this.preferences.deleteOne({ _id: householdId });
    await this.contacts.replaceOne(
      { _id: householdId },
      { emailNotices: false, smsNotices: false, asOf: erasedAt, erased: true },
      { upsert: true },
    );
  }
}
