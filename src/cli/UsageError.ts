/** The command line itself is wrong: reported with a usage line and exit code 2. */
export class UsageError extends Error {
  /** The usage line of the command the user was trying to run. */
  readonly usage: string;

  constructor(message: string, usage: string) {
    super(message);
    this.name = 'UsageError';
    this.usage = usage;
  }
}
