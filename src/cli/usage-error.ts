/** Wrong arguments: the command's message, and exit 2. */
export class UsageError extends Error {}
