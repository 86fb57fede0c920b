import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * Where documents' files live, outside MongoDB (documents may exceed its size limits and GridFS is
 * not available on the local store). Keys are made by accounts (household id / document id), never
 * by callers.
 */
export abstract class DocumentStorage {
  abstract put(key: string, bytes: Buffer): Promise<void>;
  /** The file, or null when there is none under this key. */
  abstract get(key: string): Promise<Buffer | null>;
  /** Removes the file; nothing when it is gone already. */
  abstract delete(key: string): Promise<void>;
}

const SAFE_KEY = /^[\w-]+(\/[\w-]+)*$/;

/** A local directory: for one instance or a shared volume. An S3-compatible adapter fits the same port. */
export class LocalDirectoryStorage extends DocumentStorage {
  private readonly root: string;

  constructor(directory: string) {
    super();
    this.root = resolve(directory);
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(join(path, '..'), { recursive: true });
    // Written aside then renamed: a crash never leaves a half file under the key.
    const partial = `${path}.partial`;
    await writeFile(partial, bytes, { mode: 0o600 });
    await rename(partial, path);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: string): string {
    if (!SAFE_KEY.test(key)) throw new Error('invalid storage key');
    return join(this.root, key);
  }
}
