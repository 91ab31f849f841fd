import { randomBytes, scrypt as scryptCb, timingSafeEqual, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Clock } from './clock.ts';
import { FaxgateError } from './errors.ts';
import { SYSTEM_ACCOUNT, defineCollection, type Collection, type Store } from './store/store.ts';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/**
 * Accounts and users. Every stored record belongs to an account; the first start creates
 * a default account and an admin user with a random password, shown once. Passwords are
 * stored as scrypt hashes with a per-user salt.
 */
export interface Account {
  readonly id: string;
  readonly name: string;
  readonly timezone: string;
  readonly createdAt: number;
  readonly status: 'active' | 'closed';
}

export interface User {
  readonly username: string;
  readonly account: string;
  readonly role: 'admin' | 'user';
  readonly passwordHash: string;
  readonly createdAt: number;
}

const accountsDef = defineCollection<Account>({ name: 'accounts', id: (a) => a.id });
/** Users are looked up by name at login, before the account is known: one system-wide collection. */
const usersDef = defineCollection<User>({ name: 'users', id: (u) => u.username, indexes: { account: (u) => u.account } });

const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export class AccountService {
  private readonly accounts: Collection<Account>;
  private readonly users: Collection<User>;

  constructor(
    store: Store,
    private readonly clock: Clock,
  ) {
    const scope = store.namespace('core').forAccount(SYSTEM_ACCOUNT);
    this.accounts = scope.collection(accountsDef);
    this.users = scope.collection(usersDef);
  }

  async getAccount(id: string): Promise<Account | undefined> {
    return this.accounts.get(id);
  }

  async listAccounts(): Promise<Account[]> {
    return this.accounts.list();
  }

  async createAccount(name: string, options: { id?: string; timezone?: string } = {}): Promise<Account> {
    const account: Account = { id: options.id ?? randomUUID(), name, timezone: options.timezone ?? 'Asia/Tokyo', createdAt: this.clock.now(), status: 'active' };
    if ((await this.accounts.get(account.id)) !== undefined) throw new FaxgateError('ACCOUNT_EXISTS', 'an account with this id exists', { details: { id: account.id } });
    await this.accounts.put(account);
    return account;
  }

  async createUser(account: string, username: string, password: string, role: User['role'] = 'user'): Promise<User> {
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(username)) throw new FaxgateError('USER_BAD_NAME', 'a user name is 1 to 64 letters, digits or . _ @ -', { ja: 'ユーザー名は英数字と . _ @ - で 1〜64 文字です' });
    if (password.length < 8) throw new FaxgateError('USER_WEAK_PASSWORD', 'a password has at least 8 characters', { ja: 'パスワードは 8 文字以上にしてください' });
    if ((await this.accounts.get(account)) === undefined) throw new FaxgateError('ACCOUNT_NOT_FOUND', 'no such account', { details: { account } });
    if ((await this.users.get(username)) !== undefined) throw new FaxgateError('USER_EXISTS', 'this user name is taken', { details: { username } });
    const user: User = { username, account, role, passwordHash: await hashPassword(password), createdAt: this.clock.now() };
    await this.users.put(user);
    return user;
  }

  /** The user if the password matches, else undefined (same cost either way). */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const user = /^[A-Za-z0-9._@-]{1,64}$/.test(username) ? await this.users.get(username) : undefined;
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    return ok && user !== undefined ? user : undefined;
  }

  /**
   * On first start: creates the default account and its admin with a random password.
   * Returns the password when it was created (the caller shows it once), else undefined.
   */
  async ensureDefaults(): Promise<{ username: string; password: string } | undefined> {
    if ((await this.accounts.list({ limit: 1 })).length > 0) return undefined;
    await this.createAccount('Default', { id: 'default' });
    const password = randomBytes(15).toString('base64url');
    await this.createUser('default', 'admin', password, 'admin');
    return { username: 'admin', password };
  }
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
