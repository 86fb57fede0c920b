import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { Role } from '@guichet/auth';

export interface UserDocument {
  _id: string;
  /** Lower-cased; unique. */
  email: string;
  /** argon2id. */
  passwordHash: string;
  role: Role;
  householdId?: string;
  scopes: string[];
  /** When the owner proved the address (a link of AccountMessageRequested); unset until then. */
  emailVerifiedAt?: Date;
  createdAt: Date;
}

@Injectable()
export class UsersRepository implements OnModuleInit {
  private readonly collection: mongo.Collection<UserDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.collection = connection.collection<UserDocument>('users');
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
  }

  findByEmail(email: string): Promise<UserDocument | null> {
    return this.collection.findOne({ email: email.toLowerCase() });
  }

  findById(id: string): Promise<UserDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  async markEmailVerified(id: string, at = new Date()): Promise<void> {
    await this.collection.updateOne(
      { _id: id, emailVerifiedAt: { $exists: false } },
      { $set: { emailVerifiedAt: at } },
    );
  }

  /** A new password; the reset link also proved the address. */
  async setPassword(id: string, passwordHash: string): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: id }, { $set: { passwordHash } });
    await this.markEmailVerified(id);
    return result.matchedCount === 1;
  }

  async deleteById(id: string): Promise<void> {
    await this.collection.deleteOne({ _id: id });
  }

  /** False when the email is taken. */
  async create(user: UserDocument): Promise<boolean> {
    try {
      await this.collection.insertOne({ ...user, email: user.email.toLowerCase() });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }
}
