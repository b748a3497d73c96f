import type { FieldProblem } from '../validation/field-problem';
import type { ContactValidator } from '../validation/contact.validator';
import { CONTACTS_RULES } from '../validation/create-campaign.rules';
import { ContactSpool } from './contact-spool';
import { PhoneSet } from './phone-set';

/** Failing contacts named in a 400; the total is given besides. */
export const MAX_LISTED_CONTACTS = 100;

/**
 * Takes the items of `contacts` one by one, as they arrive: checks each
 * ({@link ContactValidator}), spools the valid ones while none has failed,
 * counts distinct phones, and keeps the problems of the first
 * {@link MAX_LISTED_CONTACTS} failing contacts and the count of all of them.
 * Memory stays bounded whatever the number of contacts (a phone costs 16
 * bytes at most, see {@link PhoneSet}).
 */
export class ContactIntake {
  readonly spool = new ContactSpool();
  /** Items seen. */
  count = 0;
  /** Items that failed. */
  failed = 0;
  /** Problems of the first failing items (hostile ones separately). */
  readonly problems: FieldProblem[] = [];
  readonly hostile: FieldProblem[] = [];
  private readonly phones = new PhoneSet();

  constructor(
    private readonly validator: ContactValidator,
    private readonly max: number,
  ) {}

  get distinct(): number {
    return this.phones.size;
  }

  get tooMany(): boolean {
    return this.count > this.max;
  }

  /** Checks the next item. */
  add(item: unknown): void {
    const index = this.count++;
    if (this.tooMany) return this.drop();
    const checked = this.validator.check(item, index);
    if (!checked.ok) {
      this.fail(checked.problems, checked.hostile);
      return;
    }
    if (this.failed) return;
    const { contact } = checked;
    this.spool.append(contact, this.phones.add(contact.phone));
  }

  /** Counts an item that failed before it could be checked (a bad CSV row). */
  reject(problems: FieldProblem[]): void {
    this.count++;
    if (this.tooMany) return this.drop();
    this.fail(problems, false);
  }

  /** Problems of `contacts` as a whole, or of its items. */
  contactsProblems(): FieldProblem[] {
    const { messages } = CONTACTS_RULES;
    if (this.tooMany) {
      return [{ field: 'contacts', message: messages.tooMany(this.max) }];
    }
    if (this.count === 0)
      return [{ field: 'contacts', message: messages.empty }];
    return this.problems;
  }

  private fail(problems: FieldProblem[], hostile: boolean): void {
    this.failed++;
    if (this.failed <= MAX_LISTED_CONTACTS) {
      (hostile ? this.hostile : this.problems).push(...problems);
    }
    if (this.failed === 1) this.discard();
  }

  /** Over the limit: nothing more is kept, only counted. */
  private drop(): void {
    if (this.count === this.max + 1) {
      this.problems.length = 0;
      this.discard();
    }
  }

  private discard(): void {
    void this.spool.dispose();
    this.phones.clear();
  }
}
